//! Contacts over HTTP: a call through Twilio's signed webhooks makes the caller a contact of the
//! DJ, a second call updates it, a text and a STOP show on it, a payment and a refund change
//! what it paid, and another DJ cannot read it (404, as for calls).

use crate::followup::support::{CALLER, call, call_by_sid, dj, noon, text_in};
use djcalls_domain::refund::RefundAmount;
use djcalls_domain::{CallId, Cents, CutRate, Role};
use djcalls_store::DbTime;
use djcalls_store::payments::{NewPayment, NewRefund};
use djcalls_telephony::CallOutcome;
use djcalls_testkit::TestApp;
use serde_json::Value;

djcalls_testkit::on_both_backends! { TestApp:
    calls_texts_payments_and_stop_show_on_the_callers_contact => contact_story;
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn contact_story(app: TestApp) {
    app.clock.set(noon());
    let (dj_id, number) = dj(&app).await;
    let (other_id, _) = app
        .dj_with_number("dj-other", "DJ Other", "America/New_York")
        .await;
    let mine = app.user_token("dj@example.com", Role::Dj, &[dj_id]).await;
    let theirs = app
        .user_token("other@example.com", Role::Dj, &[other_id])
        .await;
    let service = app.service_key();

    let first = call(&app, CallOutcome::Answered, &number, CALLER, 5).await;
    let (status, body) = get(&app, "/api/djdash/contacts", &mine).await;
    assert_eq!(status, 200, "{body}");
    let contacts = body["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 1, "{body}");
    let contact = &contacts[0];
    assert_eq!(contact["phone"], CALLER);
    assert_eq!(contact["dj_profile_id"], dj_id.to_string());
    assert_eq!(contact["calls_count"], 1);
    assert_eq!(contact["answered_count"], 1);
    assert_eq!(contact["opted_out"], false);
    assert_eq!(contact["payments_cents"], 0);
    let id = contact["id"].as_str().unwrap().to_string();

    let second = call(&app, CallOutcome::Missed, &number, CALLER, 0).await;
    text_in(&app, CALLER, &number, "Are you free on June 20?").await;
    let (status, body) = get(&app, &format!("/api/djdash/contacts/{id}"), &mine).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["contact"]["calls_count"], 2);
    assert_eq!(body["contact"]["answered_count"], 1);
    assert_eq!(body["contact"]["texts_count"], 1);
    let calls: Vec<&str> = body["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call_sid"].as_str().unwrap())
        .collect();
    let (first_sid, second_sid) = (first.call_sid.to_string(), second.call_sid.to_string());
    assert_eq!(calls.len(), 2);
    assert!(calls.contains(&first_sid.as_str()) && calls.contains(&second_sid.as_str()));

    // Money on the first call: a payment, then part of it refunded.
    let paid_call = call_by_sid(&app, dj_id, &first_sid).await;
    let call_id: CallId = paid_call["id"].as_str().unwrap().parse().unwrap();
    let store = &app.db.store;
    let entry = NewPayment {
        call_id,
        dj_profile_id: dj_id,
        provider: "stripe".into(),
        provider_entry_id: "pi_contact".into(),
        provider_payment_id: "pi_contact".into(),
        amount: Cents(25_000),
        currency: "usd".into(),
        at: DbTime(noon()),
    };
    assert!(
        store
            .record_payment(&djcalls_domain::Actor::System, &entry, CutRate::DEFAULT)
            .await
            .unwrap()
    );
    let path = format!("/api/djdash/contacts/{id}");
    let paid =
        async |app: &TestApp| get(app, &path, &mine).await.1["contact"]["payments_cents"].clone();
    assert_eq!(paid(&app).await, 25_000);
    store
        .record_refund(&NewRefund {
            provider: "stripe".into(),
            provider_payment_id: "pi_contact".into(),
            refund_key: "re_contact".into(),
            size: RefundAmount::Single {
                amount_cents: Cents(5_000),
            },
            currency: "usd".into(),
            at: DbTime(noon()),
        })
        .await
        .unwrap();
    assert_eq!(paid(&app).await, 20_000);

    // STOP by text.
    text_in(&app, CALLER, &number, "STOP").await;
    let (_, body) = get(&app, &format!("/api/djdash/contacts/{id}"), &mine).await;
    assert_eq!(body["contact"]["opted_out"], true, "{body}");

    // Another DJ: not found, and not in their list; the service sees it.
    let (status, body) = get(&app, &format!("/api/djdash/contacts/{id}"), &theirs).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("not_found")),
        "{body}"
    );
    let (_, body) = get(&app, "/api/djdash/contacts", &theirs).await;
    assert_eq!(body["contacts"], serde_json::json!([]), "{body}");
    let (status, _) = get(&app, &format!("/api/djdash/contacts/{id}"), service).await;
    assert_eq!(status, 200);
}
