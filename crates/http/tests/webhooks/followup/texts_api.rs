//! `GET/PUT /api/djdash/profiles/{id}/followup` (SPEC §13): refusals name the field, other DJs
//! are kept out, and a saved text is the one the next call gets.

use super::support::*;
use djcalls_domain::Role;
use djcalls_telephony::CallOutcome;
use djcalls_testkit::TestApp;
use serde_json::{Value, json};

djcalls_testkit::on_both_backends! { TestApp:
    refusals_name_the_field_and_nothing_is_stored => refusals_name_the_field;
    a_saved_text_is_what_the_next_call_gets => a_saved_text_is_sent;
}

async fn put(app: &TestApp, token: &str, dj: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .put(app.url(&format!("/api/djdash/profiles/{dj}/followup")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn get(app: &TestApp, token: &str, dj: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(&format!("/api/djdash/profiles/{dj}/followup")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn refusals_name_the_field(app: TestApp) {
    app.clock.set(noon());
    let (dj, _) = dj(&app).await;
    let dj = dj.to_string();
    let key = app.service_key();
    let long = format!("{} {{link}}", "a".repeat(240));
    let cases = [
        (
            json!({"thanks": {"es": "Aparta tu fecha: {form_link}"}}),
            "thanks.es",
            "{link}",
        ),
        (
            json!({"thanks": {"en": "Pay {link} {phone}"}}),
            "thanks.en",
            "{phone}",
        ),
        (
            json!({"thanks": {"en": long}}),
            "thanks.en",
            "3 SMS segments",
        ),
        // One character outside GSM-7 makes the whole text UCS-2 (67 a segment).
        (
            json!({"missed": {"es": format!("Llamada perdida, lo siento \u{2014} {} {{form_link}}", "x".repeat(30))}}),
            "missed.es",
            "UCS-2",
        ),
        (
            json!({"missed": {"en": "Sorry we missed you!"}}),
            "missed.en",
            "{form_link}",
        ),
    ];
    for (body, field, says) in cases {
        let (status, answer) = put(&app, key, &dj, body.clone()).await;
        assert_eq!(
            (status, answer["field"].as_str()),
            (400, Some(field)),
            "{body} → {answer}"
        );
        let message = answer["message"]
            .as_str()
            .or(answer["error"].as_str())
            .unwrap_or_default();
        assert!(
            answer.to_string().contains(says),
            "{body} → {answer} ({message})"
        );
    }
    // Unknown languages and kinds are refused by the shape.
    let (status, _) = put(&app, key, &dj, json!({"thanks": {"fr": "Merci {link}"}})).await;
    assert_eq!(status, 400);
    // Nothing was stored: the defaults stand.
    let (status, texts) = get(&app, key, &dj).await;
    assert_eq!(status, 200, "{texts}");
    assert_eq!(texts["custom"], json!([]));
    assert_eq!(texts["thanks"], texts["defaults"]["thanks"]);
    assert!(
        texts["thanks"]["es"]
            .as_str()
            .unwrap()
            .starts_with("¡Gracias por llamar a {dj_name}!")
    );
    assert_eq!(texts["segments"]["thanks.es"]["encoding"], "GSM-7");
    assert_eq!(texts["segments"]["thanks.es"]["segments"], 2);

    // Another DJ may neither read nor write them; the DJ may.
    let (other, _) = app
        .dj_with_number("dj-other", "DJ Other", "America/New_York")
        .await;
    let other_token = app.user_token("other@dj.test", Role::Dj, &[other]).await;
    assert_eq!(get(&app, &other_token, &dj).await.0, 403);
    let body = json!({"thanks": {"en": "Hi! {link}"}});
    assert_eq!(put(&app, &other_token, &dj, body.clone()).await.0, 403);
    assert_eq!(get(&app, key, &dj).await.1["custom"], json!([]));
    let own = app
        .user_token("sparkle@dj.test", Role::Dj, &[dj.parse().unwrap()])
        .await;
    let (status, saved) = put(&app, &own, &dj, body).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["custom"], json!(["thanks.en"]));
}

async fn a_saved_text_is_sent(app: TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    let (status, saved) = put(
        &app,
        app.service_key(),
        &dj.to_string(),
        json!({"thanks": {"en": "{dj_name} here, great talking! Deposit: {link}"}}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["thanks"]["en"],
        "{dj_name} here, great talking! Deposit: {link}"
    );
    call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    let sent = app.telephony.sent_messages();
    assert_eq!(sent.len(), 1);
    let body = &sent[0].body;
    assert!(
        body.starts_with("DJ Sparkle here, great talking! Deposit: http"),
        "{body}"
    );
    assert!(
        body.contains("/pay/") && body.ends_with(" Reply STOP to opt out."),
        "{body}"
    );
    assert!(!body.contains("inquiry-form"), "{body}");
}
