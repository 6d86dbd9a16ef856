//! Leftovers of issue 12 parts 1–3: Spanish opt-out words; an answered call's follow-up waits
//! for the live transcript's insights while its transcription runs; a payment after a
//! missed-call text is counted as `missedCallTextPayments`.

use super::support::*;
use djcalls_domain::{CallId, DjProfileId};
use djcalls_telephony::simulate_transcription::{PATH as TRANSCRIPTION, parse_conversation};
use djcalls_telephony::{CallOutcome, WebhookDelivery, paths};
use djcalls_testkit::TestApp;
use jiff::SignedDuration;
use serde_json::json;

djcalls_testkit::on_both_backends! { TestApp:
    an_answered_call_waits_for_its_live_transcript_while_it_runs => waits_for_live_transcript;
    a_payment_after_a_missed_call_text_is_counted => missed_text_payment;
}

#[tokio::test]
async fn spanish_opt_out_words_opt_out_and_are_confirmed_in_spanish() {
    let app = app_at_noon().await;
    let (_, number) = dj(&app).await;
    for (i, word) in [
        "ALTO",
        "parar",
        "Detener",
        "CANCELAR",
        "Baja por favor",
        "alto ya",
    ]
    .iter()
    .enumerate()
    {
        let from = format!("+1415555030{i}");
        let (status, body) = text_in(&app, &from, &number, word).await;
        assert_eq!(status, 200);
        assert!(
            body.contains("ya no te enviaremos mensajes"),
            "{word}: {body}"
        );
        assert!(app.db.store.is_opted_out(&from).await.unwrap(), "{word}");
        // Never texted after it.
        call(&app, CallOutcome::Answered, &number, &from, 95).await;
        app.app.run_due_jobs().await;
        assert!(
            app.telephony
                .sent_messages()
                .iter()
                .all(|m| m.to.as_str() != from),
            "{word}"
        );
    }
    // START opts back in (Twilio's word, answered by Twilio).
    let (_, body) = text_in(&app, "+14155550300", &number, "START").await;
    assert!(body.contains("<Response/>"), "{body}");
    assert!(!app.db.store.is_opted_out("+14155550300").await.unwrap());
    // English keywords stay Twilio's to confirm; AYUDA gets the Spanish help.
    let (_, body) = text_in(&app, "+14155550310", &number, "STOP").await;
    assert!(body.contains("<Response/>"), "{body}");
    let (_, body) = text_in(&app, "+14155550311", &number, "Ayuda").await;
    assert!(
        body.contains("Responde STOP para no recibir mensajes"),
        "{body}"
    );
    // A sentence that starts with one of the words is a lead's message.
    let (_, body) = text_in(
        &app,
        "+14155550312",
        &number,
        "Cancelar mi reserva del sábado",
    )
    .await;
    assert!(body.contains("<Response/>"), "{body}");
    assert!(!app.db.store.is_opted_out("+14155550312").await.unwrap());
}

const SPANISH: &str = "caller: Hola, quiero información para la quinceañera de mi hija el \
    sábado quince de agosto. Somos unos ciento cincuenta invitados. ¿Cuánto cuesta el paquete?\n\
    dj: Claro, le mando los precios.";

async fn send(base_url: &str, deliveries: &[WebhookDelivery]) {
    let answers = djcalls_telephony::deliver(
        base_url,
        djcalls_app::settings::SIMULATOR_AUTH_TOKEN,
        deliveries,
    )
    .await
    .unwrap();
    assert!(
        answers.iter().all(|(_, s)| (200..300).contains(s)),
        "{answers:?}"
    );
}

fn event_of(d: &WebhookDelivery) -> &str {
    d.params
        .iter()
        .find(|(k, _)| k == "TranscriptionEvent")
        .map_or("", |(_, v)| v.as_str())
}

/// A call whose transcription started during the call but whose segments and `stopped` come
/// after the call ended: (what comes by the end of the call, what comes later).
fn late_transcript(
    to: &djcalls_domain::PhoneNumber,
    caller: &str,
) -> (Vec<WebhookDelivery>, Vec<WebhookDelivery>) {
    let mut s = scenario(CallOutcome::Answered, to, caller, 95);
    s.conversation = parse_conversation(SPANISH).unwrap();
    s.deliveries()
        .into_iter()
        .partition(|d| d.path != TRANSCRIPTION || event_of(d) == "transcription-started")
}

async fn waits_for_live_transcript(app: TestApp) {
    app.clock.set(noon());
    let (_, number) = dj(&app).await;
    let (by_end, later) = late_transcript(&number, "+14155550161");
    assert!(by_end.iter().any(|d| d.path == paths::CALL_STATUS));
    send(&app.base_url, &by_end).await;
    assert_eq!(app.app.run_due_jobs().await, 1, "it ran and chose to wait");
    assert!(
        app.telephony.sent_messages().is_empty(),
        "waits for the transcript"
    );
    advance(&app, SignedDuration::from_secs(20));
    send(&app.base_url, &later).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    let sent = app.telephony.sent_messages();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]
            .body
            .starts_with("¡Gracias por llamar a DJ Sparkle!"),
        "{}",
        sent[0].body
    );

    // A transcription that stopped without a word: nothing to wait for, English at once.
    let (mut by_end, _) = late_transcript(&number, "+14155550162");
    let stopped = by_end
        .iter()
        .position(|d| event_of(d) == "transcription-started")
        .unwrap();
    let mut stop = by_end[stopped].clone();
    for (k, v) in &mut stop.params {
        if k == "TranscriptionEvent" {
            *v = "transcription-stopped".to_string();
        }
    }
    by_end.insert(stopped + 1, stop);
    send(&app.base_url, &by_end).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert_eq!(app.telephony.sent_messages().len(), 2);
    assert!(
        app.telephony.sent_messages()[1]
            .body
            .starts_with("Thanks for calling")
    );

    // With TRANSCRIBE_CALLS off nothing is waited for, whatever Twilio says.
    let off = TestApp::builder()
        .settings(|s| s.transcribe_calls = false)
        .serve_beside(&app)
        .await;
    let (by_end, _) = late_transcript(&number, "+14155550163");
    send(&off.base_url, &by_end).await;
    assert_eq!(off.app.run_due_jobs().await, 1);
    assert_eq!(app.telephony.sent_messages().len(), 3, "sent at once");
}

async fn missed_text_payment(app: TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    let missed = TestApp::builder()
        .settings(|s| s.missed_call_text = true)
        .serve_beside(&app)
        .await;
    // The DJ's missed-call text carries the payment link.
    let response = app
        .client
        .put(app.url(&format!("/api/djdash/profiles/{dj}/followup")))
        .bearer_auth(app.service_key())
        .json(&json!({"missed": {"en": "Sorry we missed you! Hold your date with a deposit: {link}"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let s = scenario(CallOutcome::Missed, &number, CALLER, 0);
    deliver_call_to(&missed.base_url, &s).await;
    assert_eq!(missed.app.run_due_jobs().await, 1);
    let text = &app.telephony.sent_messages()[0].body;
    assert!(text.contains("/pay/"), "{text}");
    // The caller pays through that link's session (TipJar, the simulator's secret).
    let call = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    let call_id = CallId(call["id"].as_str().unwrap().parse().unwrap());
    let link = app
        .db
        .store
        .ensure_payment_link(call_id, dj, "unused", "unused", app.app.now())
        .await
        .unwrap();
    assert!(text.contains(&link.token), "the text's link: {text}");
    assert_eq!(pay(&app, &link.reference).await, 200);
    let analytics = analytics(&app, dj).await;
    assert_eq!(analytics["missedCallTextsSent"], 1, "{analytics}");
    assert_eq!(analytics["missedCallTextPayments"], 1, "{analytics}");
    assert_eq!(analytics["tipjarPaymentsReceived"], 1, "{analytics}");
}

async fn pay(app: &TestApp, reference: &str) -> u16 {
    let body = json!({
        "id": "evt_missed_1",
        "type": "payment.succeeded",
        "data": {"payment_id": "pay_missed_1", "amount_cents": 5000, "currency": "usd",
                 "reference": reference}
    })
    .to_string();
    let secret = secrecy::SecretString::from(djcalls_app::settings::SIMULATOR_WEBHOOK_SECRET);
    let signature = djcalls_app::payments::sign_tipjar_payload(
        &secret,
        app.app.now().0.as_second(),
        body.as_bytes(),
    );
    app.client
        .post(app.url("/api/tipjar/webhook"))
        .header(djcalls_app::payments::TIPJAR_SIGNATURE_HEADER, signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn analytics(app: &TestApp, dj: DjProfileId) -> serde_json::Value {
    let body: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/djdash/calls/analytics?dj_profile_id={dj}")))
        .bearer_auth(app.service_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["analytics"].clone()
}
