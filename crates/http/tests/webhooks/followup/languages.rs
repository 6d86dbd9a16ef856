//! The caller's language and the missed-call text (SPEC §13): the text goes in the language of
//! the call's insights (English without them, after a bounded wait for a transcript on its
//! way); missed calls get one `missed` text under every §8 rule when switched on.

use super::support::*;
use djcalls_domain::Actor;
use djcalls_telephony::{CallOutcome, CallScenario, WebhookDelivery, paths};
use djcalls_testkit::TestApp;
use jiff::{SignedDuration, Timestamp};

djcalls_testkit::on_both_backends! { TestApp:
    a_spanish_call_gets_the_spanish_text_others_english => spanish_and_english;
    the_text_waits_a_bounded_time_for_insights => bounded_wait_for_insights;
    missed_call_texts_keep_every_rule_and_are_counted => missed_call_rules;
}

pub(crate) const SPANISH: &str = "Hola, buenas tardes. Quiero información para la quinceañera de mi hija \
    el sábado quince de agosto. Somos unos ciento cincuenta invitados en el salón. ¿Cuánto \
    cuesta el paquete completo y qué incluye?";

/// The scenario's transcription callback (the one of its voicemail twin for an answered call).
fn transcription(s: &CallScenario, text: &str) -> WebhookDelivery {
    let mut twin = s.clone();
    twin.outcome = CallOutcome::Voicemail;
    twin.transcript = text.to_string();
    twin.deliveries()
        .into_iter()
        .find(|d| d.path == paths::CALL_VOICEMAIL)
        .unwrap()
}

pub(crate) async fn send(base_url: &str, deliveries: &[WebhookDelivery]) {
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

/// The call's deliveries with its transcription (`text`) before the final status callback.
pub(crate) fn with_transcript(s: &CallScenario, text: &str) -> Vec<WebhookDelivery> {
    let mut all: Vec<_> = s
        .deliveries()
        .into_iter()
        .filter(|d| d.path != paths::CALL_VOICEMAIL)
        .collect();
    let last = all.len() - 1;
    all.insert(last, transcription(s, text));
    all
}

async fn spanish_and_english(app: TestApp) {
    app.clock.set(noon());
    let (_, number) = dj(&app).await;
    let es = scenario(CallOutcome::Answered, &number, "+14155550131", 95);
    send(&app.base_url, &with_transcript(&es, SPANISH)).await;
    let en = scenario(CallOutcome::Answered, &number, "+14155550132", 95);
    send(&app.base_url, &with_transcript(&en, &es.transcript)).await;
    // No transcript at all: English, at once.
    call(&app, CallOutcome::Answered, &number, "+14155550133", 95).await;
    assert_eq!(app.app.run_due_jobs().await, 3);
    let sent = app.telephony.sent_messages();
    let to = |n: &str| {
        sent.iter()
            .find(|m| m.to.as_str() == n)
            .unwrap()
            .body
            .clone()
    };
    let spanish = to("+14155550131");
    assert!(
        spanish
            .starts_with("¡Gracias por llamar a DJ Sparkle! Aparta tu fecha con un anticipo: http"),
        "{spanish}"
    );
    assert!(
        spanish.contains("/pay/") && spanish.contains("dj-sparkle#inquiry-form"),
        "{spanish}"
    );
    assert!(
        spanish.ends_with(" Responde STOP para no recibir mensajes."),
        "{spanish}"
    );
    for english in [to("+14155550132"), to("+14155550133")] {
        assert!(
            english.starts_with("Thanks for calling DJ Sparkle!"),
            "{english}"
        );
        assert!(english.ends_with(" Reply STOP to opt out."), "{english}");
    }
}

async fn pending_run_at(app: &TestApp) -> Timestamp {
    let pending = app.db.store.pending_jobs(&Actor::System, 10).await.unwrap();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0].attempts, 0, "waiting is not a failed attempt");
    pending[0].run_at.0
}

async fn bounded_wait_for_insights(app: TestApp) {
    app.clock.set(noon());
    let (_, number) = dj(&app).await;
    let other = djcalls_testkit::TestApp::builder()
        .settings(|s| s.missed_call_text = true)
        .serve_beside(&app)
        .await;
    // A voicemail whose transcription comes after the call ended.
    let late = scenario(CallOutcome::Voicemail, &number, "+14155550141", 0);
    let early: Vec<_> = late
        .deliveries()
        .into_iter()
        .filter(|d| d.path != paths::CALL_VOICEMAIL)
        .collect();
    send(&other.base_url, &early).await;
    assert_eq!(
        other.app.run_due_jobs().await,
        1,
        "it ran and chose to wait"
    );
    assert!(app.telephony.sent_messages().is_empty());
    let start = noon();
    assert_eq!(
        pending_run_at(&app).await,
        start.checked_add(SignedDuration::from_secs(20)).unwrap()
    );
    advance(&app, SignedDuration::from_secs(20));
    assert_eq!(other.app.run_due_jobs().await, 1);
    assert!(app.telephony.sent_messages().is_empty(), "still waiting");
    // The Spanish transcript arrives: the next look sends the Spanish text.
    send(&other.base_url, &[transcription(&late, SPANISH)]).await;
    advance(&app, SignedDuration::from_secs(20));
    assert_eq!(other.app.run_due_jobs().await, 1);
    let sent = app.telephony.sent_messages();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]
            .body
            .starts_with("¡Hola! Sentimos no haber podido contestar tu llamada a DJ Sparkle."),
        "{}",
        sent[0].body
    );

    // A transcript that never comes: English once the two minutes are up, not before.
    let never = scenario(CallOutcome::Voicemail, &number, "+14155550142", 0);
    let without: Vec<_> = never
        .deliveries()
        .into_iter()
        .filter(|d| d.path != paths::CALL_VOICEMAIL)
        .collect();
    send(&other.base_url, &without).await;
    let enqueued = app.app.now().0;
    let deadline = enqueued
        .checked_add(SignedDuration::from_secs(120))
        .unwrap();
    let mut looks = 0;
    while app.telephony.sent_messages().len() == 1 {
        assert!(app.app.now().0 <= deadline, "waited past the bound");
        let ran = other.app.run_due_jobs().await;
        looks += ran;
        let run_at = if app.telephony.sent_messages().len() == 1 {
            pending_run_at(&app).await
        } else {
            break;
        };
        assert!(run_at <= deadline);
        app.clock.set(run_at);
    }
    assert_eq!(app.app.now().0, deadline, "sent at the deadline");
    assert_eq!(looks, 7, "a look every 20 s: 0, 20, …, 120");
    let body = &app.telephony.sent_messages()[1].body;
    assert!(
        body.starts_with("Sorry we missed your call to DJ Sparkle!"),
        "{body}"
    );
}

async fn missed_call_rules(app: TestApp) {
    let (dj, number) = dj(&app).await;
    let other = djcalls_testkit::TestApp::builder()
        .settings(|s| s.missed_call_text = true)
        .serve_beside(&app)
        .await;
    // 22:00 in New York: quiet; the text waits for 08:00.
    app.clock.set("2026-06-16T02:00:00Z".parse().unwrap());
    let night = scenario(CallOutcome::Missed, &number, CALLER, 0);
    deliver_call_to(&other.base_url, &night).await;
    deliver_call_to(&other.base_url, &night).await;
    assert_eq!(other.app.run_due_jobs().await, 1);
    assert!(
        app.telephony.sent_messages().is_empty(),
        "not in quiet hours"
    );
    app.clock.set("2026-06-16T12:00:30Z".parse().unwrap());
    assert_eq!(other.app.run_due_jobs().await, 1);
    assert_eq!(app.telephony.sent_messages().len(), 1);
    // Once per call, and one per caller per DJ per day: a second missed call the same day.
    deliver_call_to(&other.base_url, &night).await;
    call(&app, CallOutcome::Missed, &number, CALLER, 0).await;
    deliver_call_to(
        &other.base_url,
        &scenario(CallOutcome::Busy, &number, CALLER, 0),
    )
    .await;
    other.app.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 1);
    // Never to an opted-out caller.
    let (status, _) = text_in(&app, "+14155550151", &number, "STOP").await;
    assert_eq!(status, 200);
    deliver_call_to(
        &other.base_url,
        &scenario(CallOutcome::Voicemail, &number, "+14155550151", 0),
    )
    .await;
    other.app.run_due_jobs().await;
    assert_eq!(app.telephony.sent_messages().len(), 1);
    assert!(
        app.telephony
            .sent_messages()
            .iter()
            .all(|m| m.to.as_str() != "+14155550151")
    );
    // Counted apart in analytics.
    let analytics: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/djdash/calls/analytics?dj_profile_id={dj}")))
        .bearer_auth(app.service_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        analytics["analytics"]["missedCallTextsSent"], 1,
        "{analytics}"
    );
    assert_eq!(
        analytics["analytics"]["missedCallTextPayments"], 0,
        "{analytics}"
    );
    assert_eq!(analytics["analytics"]["tipjarLinksSent"], 0, "{analytics}");
}
