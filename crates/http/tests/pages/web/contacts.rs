//! The contacts pages and the caller's history on a call page, over HTTP with a session cookie:
//! a DJ sees their own contacts, a contact with its calls, and on a call the caller's other
//! calls with links; another DJ's contact is a 404 page; a bad search is a 400 page.

use super::support::{ADMIN, MARCO_ID, SPARKLE, SPARKLE_ID, attr_after, get, login};
use djcalls_domain::DjProfileId;
use djcalls_testkit::TestApp;
use reqwest::StatusCode;

djcalls_testkit::on_both_backends! { TestApp:
    contacts_pages_show_a_djs_callers_and_a_calls_history => contacts_pages;
}

async fn contacts_pages(app: TestApp) {
    app.app.seed_demo().await.unwrap();
    let sparkle = DjProfileId(SPARKLE_ID.parse().unwrap());
    let calls = app.calls_of(sparkle).await;
    let earlier = calls
        .iter()
        .find(|c| c["caller_number"].is_string())
        .expect("a demo call with a number");
    let caller = earlier["caller_number"].as_str().unwrap();
    // One more call from the same caller, so the call page has history to show.
    let logged: serde_json::Value = app
        .client
        .post(app.url("/api/djdash/calls"))
        .bearer_auth(app.service_key())
        .json(&serde_json::json!({"dj_profile_id": SPARKLE_ID, "caller_number": caller}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let newer = logged["call"]["id"].as_str().unwrap().to_string();

    let dj = login(&app, SPARKLE).await;
    let (status, page) = get(&dj, &app, "/dashboard/contacts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-testid=\"nav-contacts\""));
    assert!(
        page.contains("data-testid=\"contact-row\""),
        "Sparkle has contacts"
    );
    assert!(
        !page.contains(MARCO_ID),
        "another DJ's contacts are not listed"
    );

    let earlier_id = earlier["id"].as_str().unwrap();
    let (status, page) = get(&dj, &app, &format!("/dashboard/calls/{earlier_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!(
            "data-testid=\"other-call\" data-call-id=\"{newer}\""
        )),
        "the caller's other call is listed"
    );
    assert!(page.contains(&format!("href=\"/dashboard/calls/{newer}\"")));
    // The caller's contact link: `<a href="/dashboard/contacts/<id>" data-testid="contact-link">`.
    let link = page
        .find("href=\"/dashboard/contacts/")
        .expect("a link to the contact")
        + 6;
    let contact_path = page[link..link + page[link..].find('"').unwrap()].to_string();
    assert!(page[link..].contains("data-testid=\"contact-link\""));
    let (status, page) = get(&dj, &app, &contact_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-testid=\"contact-page\""));
    assert!(page.contains(&format!("data-testid=\"contact-phone\">{caller}<")));
    let calls: i64 = attr_after(&page, "data-testid=\"contact-page\"", "data-calls")
        .parse()
        .unwrap();
    assert!(calls >= 2, "{calls}");
    assert!(page.contains(&format!("href=\"/dashboard/calls/{newer}\"")));

    // Marco cannot open Sparkle's contact; a bad search is a 400 page.
    let marco = login(&app, super::support::MARCO).await;
    let (status, page) = get(&marco, &app, &contact_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("data-testid=\"error\""));
    let (status, _) = get(&dj, &app, "/dashboard/contacts?phone=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, page) = get(&dj, &app, "/dashboard/contacts?phone=555").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"555\""));

    // Admins see every DJ's contacts, with the DJ column.
    let admin = login(&app, ADMIN).await;
    let (status, page) = get(&admin, &app, "/dashboard/contacts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("All contacts"));
    assert!(page.contains(SPARKLE_ID) && page.contains(MARCO_ID));
}
