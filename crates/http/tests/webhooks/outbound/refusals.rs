//! What may not be an endpoint: http (but for localhost when allowed), private, loopback and
//! link-local addresses (at creation, and at delivery when a name resolves to one: DNS
//! rebinding), unknown event types; and who may not manage endpoints (DJs).

use super::receiver::Receiver;
use super::*;

djcalls_testkit::on_both_backends! { TestApp:
    bad_urls_and_unknown_events_are_refused_naming_the_field => bad_input;
    a_name_resolving_to_a_private_address_is_refused_at_delivery => rebinding;
}

async fn bad_input(t: TestApp) {
    let base = t.base_url.clone();
    for (url, why) in [
        ("http://hooks.example.com/in", "not https"),
        (
            "http://127.0.0.1:9/in",
            "http without the localhost setting",
        ),
        ("https://10.1.2.3/in", "a private address"),
        (
            "https://169.254.169.254/latest",
            "link-local (cloud metadata)",
        ),
        ("https://[::1]/in", "loopback"),
        ("https://localhost:9/in", "a name resolving to loopback"),
        ("https://user:pw@hooks.example.com/in", "credentials"),
        ("not a url", "not a URL"),
    ] {
        let (status, body) = create(&t, &base, url, &["call.completed"]).await;
        assert_eq!(
            (status, body["field"].clone()),
            (400, json!("url")),
            "{why}: {body}"
        );
    }
    let (status, body) = create(&t, &base, "https://8.8.8.8/in", &["call.exploded"]).await;
    assert_eq!(
        (status, body["field"].clone()),
        (400, json!("events")),
        "{body}"
    );
    assert!(
        body["error"].as_str().unwrap().contains("call.exploded"),
        "{body}"
    );

    let dj = dj_token(&t, "dj-hooks-refused").await;
    for response in [
        t.client
            .post(t.url("/api/djdash/webhook-endpoints"))
            .bearer_auth(&dj)
            .json(&json!({"url": "https://8.8.8.8/in", "events": ["call.completed"]}))
            .send()
            .await
            .unwrap(),
        t.client
            .get(t.url("/api/djdash/webhook-endpoints"))
            .bearer_auth(&dj)
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(response.status().as_u16(), 403);
    }
    let listed = t.service_json("/api/djdash/webhook-endpoints").await;
    assert_eq!(listed["endpoints"], json!([]), "nothing was created");
}

async fn rebinding(t: TestApp) {
    let receiver = Receiver::start(200).await;
    // Created where private targets are allowed (as if `localhost` had resolved elsewhere) …
    let lenient = beside(&t, true).await;
    let (id, _) = endpoint(&t, &lenient, &receiver.url, &["call.completed"]).await;
    // … and delivered by a process that refuses them: resolved again, refused, never sent.
    let strict = beside(&t, false).await;
    dj_and_call(&t, &strict, "dj-hooks-rebind", CallOutcome::Answered).await;
    strict.app.run_due_jobs().await;
    let log = deliveries(&t, &t.base_url, &id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(
        log[0]["status"],
        json!("pending"),
        "retried later, in case it changes"
    );
    assert!(
        log[0]["last_error"].as_str().unwrap().contains("private"),
        "{log:?}"
    );
    assert!(
        receiver.received().is_empty(),
        "nothing reached the address"
    );
}
