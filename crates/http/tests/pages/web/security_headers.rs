//! Browser protections on pages and API answers (issue 10): no framing, a CSP, nothing
//! stored by caches where caller details are shown, HSTS behind https — and the widget script
//! still loadable from any site.

use super::*;

#[tokio::test]
async fn pages_refuse_framing_and_caching_and_the_widget_stays_embeddable() {
    let app = seeded().await;
    let dj = login(&app, SPARKLE).await;
    let calls = app.calls_of(DjProfileId(SPARKLE_ID.parse().unwrap())).await;
    let call = calls[0]["id"].as_str().unwrap();
    for path in [
        "/login".to_string(),
        "/dashboard".to_string(),
        format!("/dashboard/calls/{call}"),
    ] {
        let r = dj.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in [
            "frame-ancestors 'none'",
            "script-src 'self'",
            "style-src 'self'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert!(!h.contains_key("strict-transport-security"), "plain http");
    }
    // The API's answers with caller details.
    let r = app
        .client
        .get(app.url("/api/djdash/calls"))
        .bearer_auth(app.service_key())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    // The widget script is embedded by other sites: no page policy, its own caching.
    let r = app.client.get(app.url("/dni.js")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(!r.headers().contains_key("x-frame-options"));
    assert!(!r.headers().contains_key("content-security-policy"));
    assert_ne!(r.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let app = seeded().await;
    let https = TestApp::builder()
        .settings(|s| s.public_base_url = "https://calls.example.com".to_string())
        .serve_beside(&app)
        .await;
    let r = app.client.get(https.url("/login")).send().await.unwrap();
    let hsts = r.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    let r = app.client.get(https.url("/healthz")).send().await.unwrap();
    assert!(r.headers().contains_key("strict-transport-security"));
}

/// The CSP, `X-Frame-Options` and the sign-in cookies of `path` on `base`.
async fn framing_of(base: &str, path: &str) -> (String, Option<String>, Vec<String>) {
    framing_with(&client(), base, path).await
}

async fn framing_with(
    browser: &reqwest::Client,
    base: &str,
    path: &str,
) -> (String, Option<String>, Vec<String>) {
    let r = browser.get(format!("{base}{path}")).send().await.unwrap();
    let h = r.headers();
    let csp = h
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let xfo = h
        .get("x-frame-options")
        .map(|v| v.to_str().unwrap().to_string());
    let cookies = h
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    (csp, xfo, cookies)
}

#[tokio::test]
async fn dashboards_may_be_framed_only_by_the_configured_origins() {
    let app = seeded().await;
    let origins = || {
        vec![
            "https://www.djdash.com".to_string(),
            "https://djdash.com".to_string(),
        ]
    };
    // Unset (the default): refused, as every other page.
    let (csp, xfo, _) = framing_of(&app.base_url, "/login").await;
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(xfo.as_deref(), Some("DENY"));

    let framed = TestApp::builder()
        .settings(move |s| s.frame_ancestors = origins())
        .serve_beside(&app)
        .await;
    let expected = "frame-ancestors https://www.djdash.com https://djdash.com";
    let (csp, xfo, _) = framing_of(&framed.base_url, "/login").await;
    assert!(csp.ends_with(expected), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(xfo, None, "X-Frame-Options cannot name a list");
    // A DJ's dashboard, signed in by a link, carries the same policy.
    let minted: Value = app
        .client
        .post(framed.url("/api/djdash/sign-in-links"))
        .bearer_auth(app.service_key())
        .json(&serde_json::json!({
            "dj_profile_id": SPARKLE_ID,
            "email": SPARKLE.0,
            "redirect": "/dashboard",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = minted["url"].as_str().unwrap().to_string();
    let browser = client();
    let r = browser.get(&link).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/dashboard");
    let (csp, xfo, _) = framing_with(&browser, &framed.base_url, "/dashboard").await;
    assert!(csp.ends_with(expected), "{csp}");
    assert_eq!(xfo, None);
    // Pages that are not the dashboards still refuse framing.
    let r = app
        .client
        .get(framed.url("/api/docs"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(!csp.contains("djdash.com"), "{csp}");

    // Over plain http the cookies stay SameSite=Lax/Strict (a browser refuses SameSite=None
    // without Secure).
    let (_, _, cookies) = framing_of(&framed.base_url, "/login").await;
    assert!(
        cookies.iter().all(|c| c.contains("SameSite=Strict")),
        "{cookies:?}"
    );
    // Over https they are third-party-frame cookies, partitioned per embedding site.
    let framed_https = TestApp::builder()
        .settings(move |s| {
            s.frame_ancestors = vec!["https://www.djdash.com".to_string()];
            s.public_base_url = "https://calls.example.com".to_string();
        })
        .serve_beside(&app)
        .await;
    let (_, _, cookies) = framing_of(&framed_https.base_url, "/login").await;
    let csrf_cookie = cookies
        .iter()
        .find(|c| c.starts_with("djcalls_login_csrf="))
        .unwrap();
    for part in ["SameSite=None", "Secure", "Partitioned", "HttpOnly"] {
        assert!(csrf_cookie.contains(part), "{csrf_cookie} lacks {part}");
    }
    let minted: Value = app
        .client
        .post(framed_https.url("/api/djdash/sign-in-links"))
        .bearer_auth(app.service_key())
        .json(&serde_json::json!({
            "dj_profile_id": SPARKLE_ID,
            "email": SPARKLE.0,
            "redirect": "/dashboard",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = minted["url"].as_str().unwrap();
    let path = url.strip_prefix("https://calls.example.com").unwrap();
    let (_, _, cookies) = framing_of(&framed_https.base_url, path).await;
    let session = cookies
        .iter()
        .find(|c| c.starts_with("djcalls_session="))
        .expect("signed in by the link");
    for part in [
        "SameSite=None",
        "Secure",
        "Partitioned",
        "HttpOnly",
        "Path=/",
    ] {
        assert!(session.contains(part), "{session} lacks {part}");
    }
}
