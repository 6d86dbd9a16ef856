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
