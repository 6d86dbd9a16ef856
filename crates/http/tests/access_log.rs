//! The access log never shows a payment link's token (SPEC §11, issue 10 item 16) or a
//! sign-in link's (SPEC §14): under `/pay/` and `/sign-in/` it names the route template instead.
//!
//! A test binary of its own on purpose: it captures logs with a thread-local subscriber, and
//! in a binary whose tests run in parallel tracing may cache "nobody listens" for a call site
//! that another test's thread registered while this subscriber was being installed (it failed
//! that way in CI).

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

#[path = "webhooks/payments/support.rs"]
#[allow(dead_code)] // Shared with the webhooks binary, which uses the rest.
mod support;

use djcalls_testkit::TestApp;
use support::booking;

/// Log lines written while the guard lives on this thread (the test's runtime is
/// current-thread, so the server's tasks log here too).
#[derive(Clone, Default)]
struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLogs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn a_link_token_never_reaches_the_access_log() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let t = TestApp::sqlite().await;
    let b = booking(&t, &t.base_url, "DJ Nova").await;
    let minted: serde_json::Value = t
        .client
        .post(t.url("/api/djdash/sign-in-links"))
        .bearer_auth(t.service_key())
        .json(&serde_json::json!({
            "dj_profile_id": b.dj.to_string(),
            "email": "nova@djs.test",
            "redirect": "/dashboard",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = minted["url"].as_str().unwrap();
    let sign_in = url.rsplit('/').next().unwrap().to_string();

    for path in [
        format!("/sign-in/{sign_in}"),
        format!("/sign-in/{sign_in}"),
        format!("/sign-in/{sign_in}/no/such/page"),
        format!("/pay/{}", b.token),
        format!("/pay/{}/done", b.token),
        format!("/pay/{}/cancelled", b.token),
        format!("/pay/{}/no/such/page", b.token),
    ] {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(t.url(&path))
            .send()
            .await
            .unwrap();
    }

    let text = logs.text();
    assert!(
        text.contains("path=/pay/{token}/done"),
        "the access log names the route: {text}"
    );
    assert!(text.contains("path=/pay/…"), "{text}");
    assert!(!text.contains(&b.token), "a token in the log: {text}");
    assert!(text.contains("path=/sign-in/{token}"), "{text}");
    assert!(text.contains("path=/sign-in/…"), "{text}");
    assert!(
        !text.contains(&sign_in),
        "a sign-in token in the log: {text}"
    );
}
