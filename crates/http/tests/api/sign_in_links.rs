//! `POST /api/djdash/sign-in-links` (SPEC §14): only the service mints; bad input is a 400
//! naming the field; a minted link is a URL on this site, valid for 60 s, whose token is
//! stored only as a hash. On SQLite and PostgreSQL.

use super::support::{DJ_A, NOBODY, post};
use djcalls_app::Clock;
use djcalls_domain::Role;
use djcalls_testkit::{TestApp, on_both_backends};
use serde_json::{Value, json};

const PATH: &str = "/api/djdash/sign-in-links";

fn body(email: &str, redirect: &str) -> Value {
    json!({"dj_profile_id": DJ_A.to_string(), "email": email, "redirect": redirect})
}

async fn only_the_service_mints(t: TestApp) {
    t.profile(DJ_A, "dj-a").await;
    let dj = t.user_token("a@djs.test", Role::Dj, &[DJ_A]).await;
    let admin = t.user_token("boss@djs.test", Role::Admin, &[]).await;
    let ask = body("a@djs.test", "/dashboard");
    for (who, token) in [("dj", dj.as_str()), ("admin", admin.as_str())] {
        post(&t, PATH, token, &ask)
            .await
            .assert_error_in(403, "forbidden", None, who);
    }
    let r = t.client.post(t.url(PATH)).json(&ask).send().await.unwrap();
    assert_eq!(r.status(), 401);

    let r = post(
        &t,
        PATH,
        t.service_key(),
        &body(" A@DJs.test ", "/dashboard/calls?x=1"),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["success"], true);
    let url = r.body["url"].as_str().unwrap();
    let token = url
        .strip_prefix(&format!("{}/sign-in/", t.base_url))
        .unwrap_or_else(|| panic!("{url} is not a sign-in link of this site"));
    // 32 random bytes, URL-safe base64 without padding.
    assert_eq!(token.len(), 43, "{token}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    let expires: jiff::Timestamp = r.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires, t.clock.now() + jiff::SignedDuration::from_secs(60));
    // Only the token's hash is stored, with the email in lower case.
    let rows = t.db.contents().await;
    let links = rows.get("sign_in_links").expect("table");
    assert_eq!(links.len(), 1);
    let row = format!("{:?}", links[0]);
    assert!(!row.contains(token), "{row}");
    assert!(row.contains("a@djs.test"), "{row}");
}

async fn bad_input_names_the_field(t: TestApp) {
    t.profile(DJ_A, "dj-a").await;
    let key = t.service_key();
    let cases = [
        (body("not-an-email", "/dashboard"), "email"),
        (body("a b@djs.test", "/dashboard"), "email"),
        (body("a\u{0}@djs.test", "/dashboard"), "email"),
        (
            body("a@djs.test", "https://evil.example/dashboard"),
            "redirect",
        ),
        (body("a@djs.test", "//evil.example/dashboard"), "redirect"),
        (body("a@djs.test", "/admin"), "redirect"),
        (body("a@djs.test", "/dashboard/../admin"), "redirect"),
        (body("a@djs.test", "/\\evil.example"), "redirect"),
        (body("a@djs.test", ""), "redirect"),
        (
            json!({"dj_profile_id": NOBODY, "email": "a@djs.test", "redirect": "/dashboard"}),
            "dj_profile_id",
        ),
        (
            json!({"dj_profile_id": "nope", "email": "a@djs.test", "redirect": "/dashboard"}),
            "dj_profile_id",
        ),
        (
            json!({"email": "a@djs.test", "redirect": "/dashboard"}),
            "dj_profile_id",
        ),
    ];
    for (ask, field) in cases {
        post(&t, PATH, key, &ask).await.assert_error_in(
            400,
            "invalid_field",
            Some(field),
            &ask.to_string(),
        );
    }
    let rows = t.db.contents().await;
    assert!(rows.get("sign_in_links").is_none_or(Vec::is_empty));
}

on_both_backends! {
    TestApp:
    only_the_service_mints_links => only_the_service_mints;
    bad_input_is_a_400_naming_the_field => bad_input_names_the_field;
}
