//! Demo call pages read like real ones (issue 13): every demo call has a telephony timeline
//! that agrees with its status, and a recorded one plays (the simulator serves audio).

use super::support::{SPARKLE, SPARKLE_ID, get, login};
use djcalls_domain::DjProfileId;
use djcalls_testkit::TestApp;
use reqwest::StatusCode;

djcalls_testkit::on_both_backends! { TestApp:
    demo_calls_have_timelines_and_playable_recordings => demo_calls;
}

async fn demo_calls(app: TestApp) {
    app.app.seed_demo().await.unwrap();
    let dj = login(&app, SPARKLE).await;
    let calls = app.calls_of(DjProfileId(SPARKLE_ID.parse().unwrap())).await;
    let mut statuses = std::collections::BTreeSet::new();
    for call in calls.iter().take(40) {
        let id = call["id"].as_str().unwrap();
        let status = call["call_status"].as_str().unwrap();
        let (code, page) = get(&dj, &app, &format!("/dashboard/calls/{id}")).await;
        assert_eq!(code, 200);
        assert!(
            !page.contains("No telephony events"),
            "{status} call {id} has no timeline"
        );
        let timeline = &page[page.find("data-testid=\"timeline\"").unwrap()..];
        let steps = timeline.matches("<li>").count();
        assert!(steps >= 3, "{status}: {steps} steps");
        if call["has_recording"] == true {
            let (code, audio) = get(&dj, &app, &format!("/dashboard/calls/{id}/recording")).await;
            assert_eq!(code, StatusCode::OK, "{id}'s recording");
            assert!(audio.starts_with("RIFF"), "a WAV file");
        }
        statuses.insert(status.to_string());
    }
    assert!(
        statuses.contains("completed") && statuses.contains("voicemail"),
        "{statuses:?}"
    );
}
