//! Sign-in from DJ Dash (SPEC §14): a link minted by the service signs a DJ in once, within
//! 60 s, creating the DJ user on first use and reusing it after; a used, expired or unknown
//! link, an admin's email and a disabled user all land on /login. On SQLite and PostgreSQL.

use super::*;
use djcalls_domain::Role;
use djcalls_testkit::on_both_backends;
use jiff::SignedDuration;

const DJ: DjProfileId = DjProfileId(uuid::Uuid::from_u128(
    0x0d0d_0000_0000_4000_8000_0000_0000_00d1,
));
const OTHER_DJ: DjProfileId = DjProfileId(uuid::Uuid::from_u128(
    0x0d0d_0000_0000_4000_8000_0000_0000_00d2,
));

/// Mints a link as the service; returns its path (`/sign-in/<token>`).
async fn mint(app: &TestApp, profile: DjProfileId, email: &str, redirect: &str) -> String {
    let r = app
        .client
        .post(app.url("/api/djdash/sign-in-links"))
        .bearer_auth(app.service_key())
        .json(&serde_json::json!({
            "dj_profile_id": profile.to_string(),
            "email": email,
            "redirect": redirect,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let url = body["url"].as_str().unwrap();
    url.strip_prefix(&app.base_url).unwrap().to_string()
}

/// Opens a link in `client`; returns where it sent the browser and the session cookie it set.
async fn open(client: &reqwest::Client, app: &TestApp, path: &str) -> (String, Option<String>) {
    let r = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("djcalls_session="));
    (
        r.headers()["location"].to_str().unwrap().to_string(),
        cookie,
    )
}

async fn a_link_works_once(app: TestApp) {
    app.profile(DJ, "dj-one").await;
    let link = mint(&app, DJ, "New.DJ@djs.test", "/dashboard?range=7d").await;
    // A HEAD (a link checker) spends nothing.
    let r = client().head(app.url(&link)).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login");
    let browser = client();
    let (location, cookie) = open(&browser, &app, &link).await;
    assert_eq!(location, "/dashboard?range=7d");
    let cookie = cookie.expect("a session cookie");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    let (status, page) = get(&browser, &app, "/dashboard").await;
    assert_eq!(status, 200, "signed in");
    assert!(page.contains("new.dj@djs.test"), "the DJ's own dashboard");

    // The user was created: a DJ of that profile, without a password anyone could use.
    let user = app
        .db
        .store
        .user_by_email("new.dj@djs.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role, Role::Dj);
    assert_eq!(user.profiles, vec![DJ]);
    let r = try_login(&client(), &app, "new.dj@djs.test", "").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // A second use, from this browser or another, signs nobody in.
    for again in [&browser, &client()] {
        let (location, cookie) = open(again, &app, &link).await;
        assert_eq!(location, "/login");
        assert_eq!(cookie, None);
    }
    // Unknown and malformed tokens look the same.
    for path in ["/sign-in/nope", &format!("/sign-in/{}", "x".repeat(500))] {
        assert_eq!(
            open(&client(), &app, path).await,
            ("/login".to_string(), None)
        );
    }
}

async fn two_browsers_at_once_get_one_session(app: TestApp) {
    app.profile(DJ, "dj-one").await;
    let link = mint(&app, DJ, "race@djs.test", "/dashboard").await;
    let opens = (0..6).map(|_| {
        let (app, link) = (&app, link.clone());
        async move { open(&client(), app, &link).await }
    });
    let outcomes = futures::future::join_all(opens).await;
    let signed_in = outcomes
        .iter()
        .filter(|(l, c)| l == "/dashboard" && c.is_some())
        .count();
    assert_eq!(signed_in, 1, "{outcomes:?}");
    assert!(
        outcomes.iter().filter(|(l, _)| l == "/login").count() == 5,
        "{outcomes:?}"
    );
}

async fn a_link_expires_after_60_seconds(app: TestApp) {
    app.profile(DJ, "dj-one").await;
    let start = app.clock.now();
    let late = mint(&app, DJ, "late@djs.test", "/dashboard").await;
    let in_time = mint(&app, DJ, "late@djs.test", "/dashboard").await;
    app.clock.set(start + SignedDuration::from_secs(59));
    assert_eq!(open(&client(), &app, &in_time).await.0, "/dashboard");
    app.clock.set(start + SignedDuration::from_secs(60));
    assert_eq!(
        open(&client(), &app, &late).await,
        ("/login".to_string(), None)
    );
}

async fn the_user_is_reused_and_never_escalated(app: TestApp) {
    app.profile(DJ, "dj-one").await;
    app.profile(OTHER_DJ, "dj-two").await;
    let first = mint(&app, DJ, "same@djs.test", "/dashboard").await;
    assert_eq!(open(&client(), &app, &first).await.0, "/dashboard");
    let user = app
        .db
        .store
        .user_by_email("same@djs.test")
        .await
        .unwrap()
        .unwrap();
    // Another link for the same DJ: the same user; for a second profile: linked to it too.
    let again = mint(&app, DJ, "SAME@djs.test", "/dashboard").await;
    assert_eq!(open(&client(), &app, &again).await.0, "/dashboard");
    let more = mint(&app, OTHER_DJ, "same@djs.test", "/dashboard").await;
    assert_eq!(open(&client(), &app, &more).await.0, "/dashboard");
    let after = app
        .db
        .store
        .user_by_email("same@djs.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.id, user.id);
    let mut profiles = vec![DJ, OTHER_DJ];
    profiles.sort_by_key(|p| p.0);
    assert_eq!(after.profiles, profiles);

    // An admin's email signs nobody in (a link never gives more than a DJ's access), nor does
    // a disabled DJ's.
    app.app
        .add_user("boss@djs.test", "a-long-password", Role::Admin, &[])
        .await
        .unwrap();
    let admin_link = mint(&app, DJ, "boss@djs.test", "/dashboard").await;
    assert_eq!(
        open(&client(), &app, &admin_link).await,
        ("/login".to_string(), None)
    );
    let admin = app
        .db
        .store
        .user_by_email("boss@djs.test")
        .await
        .unwrap()
        .unwrap();
    assert!(admin.profiles.is_empty(), "not linked to the profile");
    app.app
        .set_user_enabled("same@djs.test", false)
        .await
        .unwrap();
    let disabled = mint(&app, DJ, "same@djs.test", "/dashboard").await;
    assert_eq!(
        open(&client(), &app, &disabled).await,
        ("/login".to_string(), None)
    );
}

on_both_backends! {
    TestApp:
    a_link_works_once_then_sends_to_login => a_link_works_once;
    two_browsers_opening_one_link_get_one_session => two_browsers_at_once_get_one_session;
    a_link_expires_after_60_seconds_then_sends_to_login => a_link_expires_after_60_seconds;
    the_user_is_created_once_reused_and_never_escalated => the_user_is_reused_and_never_escalated;
}
