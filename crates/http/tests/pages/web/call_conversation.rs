//! The call page shows an answered call's conversation, caller and DJ lines in the order
//! spoken (SPEC §12): the demo's recent answered calls carry one, sent through the
//! transcription path, with the insights it gave.

use super::support::{SPARKLE, SPARKLE_ID, get, login};
use djcalls_domain::DjProfileId;
use djcalls_testkit::TestApp;
use reqwest::StatusCode;

djcalls_testkit::on_both_backends! { TestApp:
    the_call_page_shows_the_conversation => call_page_conversation;
}

async fn call_page_conversation(app: TestApp) {
    app.app.seed_demo().await.unwrap();
    let sparkle = DjProfileId(SPARKLE_ID.parse().unwrap());
    let calls = app.calls_of(sparkle).await;
    let transcribed = calls
        .iter()
        .find(|c| c["transcript"].as_array().is_some_and(|t| t.len() >= 2))
        .expect("a demo call with a conversation");
    assert!(transcribed["insights"].is_object(), "{transcribed}");
    assert!(
        calls
            .iter()
            .filter(|c| c["answered"] == false)
            .all(|c| c.get("transcript").is_none()),
        "only answered calls have a conversation"
    );
    let id = transcribed["id"].as_str().unwrap();
    let dj = login(&app, SPARKLE).await;
    let (status, page) = get(&dj, &app, &format!("/dashboard/calls/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let section = &page[page
        .find("data-testid=\"conversation\"")
        .expect("a conversation section")..];
    let first = transcribed["transcript"][0]["text"].as_str().unwrap();
    let dj_line = section.find("data-speaker=\"dj\"").unwrap();
    let caller_line = section.find("data-speaker=\"caller\"").unwrap();
    assert!(dj_line < caller_line, "the DJ answers first in the demo");
    assert!(section.contains("<strong>DJ:</strong>"));
    assert!(section.contains("<strong>Caller:</strong>"));
    // The demo's opening lines hold nothing the page escapes.
    assert!(section.contains(first), "{first}");
}
