//! Sign-in against abuse (SPEC §11, issue 10): `next` never leaves the site.

use super::*;

/// Signs in with a `next` field as the form would post it; returns the response.
async fn login_with_next(app: &TestApp, next: &str) -> reqwest::Response {
    let client = client();
    let (status, page) = get(&client, app, "/login").await;
    assert_eq!(status, 200);
    post(
        &client,
        app,
        "/login",
        &[
            ("csrf", &csrf(&page)),
            ("email", SPARKLE.0),
            ("password", SPARKLE.1),
            ("next", next),
        ],
    )
    .await
}

#[tokio::test]
async fn next_after_sign_in_is_a_path_on_this_site_or_nothing() {
    let app = seeded().await;
    let cases = [
        // The cases of the report, then the usual tricks.
        ("/\t/evil.example", "/dashboard"),
        ("/\n/x", "/dashboard"),
        ("/é", "/%C3%A9"),
        ("//evil.example", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("https://evil.example/", "/dashboard"),
        (
            "/dashboard/calls/42?range=7d",
            "/dashboard/calls/42?range=7d",
        ),
    ];
    for (next, expected) in cases {
        let r = login_with_next(&app, next).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "next={next:?}");
        assert_eq!(r.headers()["location"], expected, "next={next:?}");
    }
    // The form carries only what it would follow.
    let (status, page) = get(&client(), &app, "/login?next=%2F%09%2Fevil.example").await;
    assert_eq!(status, 200);
    assert_eq!(attr_after(&page, "name=\"next\"", "value"), "");
    let (_, page) = get(&client(), &app, "/login?next=%2Fdashboard%2Fcalls%2F1").await;
    assert_eq!(
        attr_after(&page, "name=\"next\"", "value"),
        "/dashboard/calls/1"
    );
}

/// One sign-in attempt from `client` (an address behind our proxy: `X-Forwarded-For`).
async fn login_from(app: &TestApp, client_ip: &str, password: &str) -> reqwest::Response {
    let browser = client();
    let page = browser
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    browser
        .post(app.url("/login"))
        .header("x-forwarded-for", client_ip)
        .form(&[
            ("csrf", csrf(&page).as_str()),
            ("email", MARCO.0),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_flood_of_wrong_passwords_never_locks_the_owner_out() {
    let app = seeded().await;
    // Forty wrong passwords for one email from twenty addresses: far past the email's quota.
    for i in 0..40 {
        let r = login_from(&app, &format!("203.0.113.{}", i % 20), "wrong-password").await;
        assert_ne!(r.status(), StatusCode::SEE_OTHER);
    }
    // Further guesses are throttled, whoever sends them…
    let r = login_from(&app, "198.51.100.77", "another-guess").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    // …but the owner gets in with the right password, from a new address or one of the flood's.
    let r = login_from(&app, "198.51.100.8", MARCO.1).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the owner is not locked out"
    );
    assert_eq!(r.headers()["location"], "/dashboard");

    // One client guessing one account is stopped outright, the right password included.
    for _ in 0..5 {
        let r = login_from(&app, "192.0.2.50", "wrong-password").await;
        assert_ne!(r.status(), StatusCode::SEE_OTHER);
    }
    let r = login_from(&app, "192.0.2.50", MARCO.1).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}
