//! What callers and Twilio say back: STOP/START/HELP, other texts, send errors, status callbacks.

use super::support::*;
use djcalls_domain::Actor;
use djcalls_store::jobs::JobState;
use djcalls_telephony::{CallOutcome, SIGNATURE_HEADER, TwilioError};
use jiff::SignedDuration;

#[tokio::test]
async fn an_opted_out_caller_gets_nothing_until_start() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    let (status, body) = text_in(&app, CALLER, &number, "  stop! ").await;
    assert_eq!(status, 200);
    assert!(body.contains("<Response/>"), "{body}");
    assert!(app.db.store.is_opted_out(CALLER).await.unwrap());

    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert!(
        app.telephony.sent_messages().is_empty(),
        "never texted after STOP"
    );
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    assert_eq!(
        followup_job(&app, &record).await.unwrap().state,
        JobState::Done
    );
    assert_eq!(record["tipjar_link_sent"], false);

    // START opts back in; the next call is texted.
    let (status, body) = text_in(&app, CALLER, &number, "Start").await;
    assert_eq!(status, 200);
    assert!(body.contains("<Response/>"), "{body}");
    assert!(!app.db.store.is_opted_out(CALLER).await.unwrap());
    call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert_eq!(app.telephony.sent_messages().len(), 1);

    // Every opt-out keyword works, in any case.
    for (i, word) in [
        "UNSUBSCRIBE",
        "end",
        "Quit",
        "stopall",
        "REVOKE",
        "optout",
        "cancel",
    ]
    .iter()
    .enumerate()
    {
        let from = format!("+1415555020{i}");
        text_in(&app, &from, &number, word).await;
        assert!(app.db.store.is_opted_out(&from).await.unwrap(), "{word}");
        text_in(
            &app,
            &from,
            &number,
            if i % 2 == 0 { "yes" } else { "UNSTOP" },
        )
        .await;
        assert!(!app.db.store.is_opted_out(&from).await.unwrap(), "{word}");
    }
}

djcalls_testkit::on_both_backends! { TestApp:
    opt_out_phrasings_and_look_alike_letters_opt_out => opt_out_phrasings;
}

/// What people actually send: phrasings, full-width letters, a Cyrillic о; HELP likewise.
async fn opt_out_phrasings(app: djcalls_testkit::TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    for (i, text) in [
        "Stop please",
        "opt out",
        "OPT-OUT",
        "\u{ff33}\u{ff34}\u{ff2f}\u{ff30}",
        "st\u{43e}p",
    ]
    .iter()
    .enumerate()
    {
        let from = format!("+1415555030{i}");
        let (status, body) = text_in(&app, &from, &number, text).await;
        assert_eq!(status, 200, "{text}");
        assert!(body.contains("<Response/>"), "{text}: {body}");
        assert!(app.db.store.is_opted_out(&from).await.unwrap(), "{text}");
    }
    for text in ["help please", "\u{ff28}\u{ff25}\u{ff2c}\u{ff30}"] {
        let (_, body) = text_in(&app, CALLER, &number, text).await;
        assert!(body.contains("Reply STOP to opt out"), "{text}: {body}");
    }
    // None of them was kept as a lead's message.
    let messages = app
        .db
        .store
        .messages_for_profile(&Actor::System, dj, 20)
        .await
        .unwrap();
    assert!(messages.iter().all(|m| m.kind != "lead"), "{messages:?}");
}

#[tokio::test]
async fn help_answers_twiml_and_other_texts_are_kept_as_leads() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    for word in ["HELP", "info "] {
        let (status, body) = text_in(&app, CALLER, &number, word).await;
        assert_eq!(status, 200);
        assert!(body.contains("<Response><Message>"), "{body}");
        assert!(body.contains("Reply STOP to opt out"), "{body}");
        assert!(body.contains("&amp;"), "escaped: {body}");
    }
    let (status, body) = text_in(&app, CALLER, &number, "Are you free on June 14th?").await;
    assert_eq!(status, 200);
    assert!(body.contains("<Response/>"));
    assert!(!app.db.store.is_opted_out(CALLER).await.unwrap());
    let messages = app
        .db
        .store
        .messages_for_profile(&Actor::System, dj, 10)
        .await
        .unwrap();
    let lead = messages.iter().find(|m| m.kind == "lead").unwrap();
    assert_eq!(lead.body.as_deref(), Some("Are you free on June 14th?"));
    assert_eq!(lead.from_number.as_deref(), Some(CALLER));
    assert_eq!(lead.direction, "inbound");

    // Unsigned or wrongly signed: 403, nothing written.
    let refused = app
        .client
        .post(app.url("/api/djdash/sms/incoming"))
        .header(SIGNATURE_HEADER, "bm9wZQ==")
        .form(&[
            ("MessageSid", "SM1"),
            ("From", CALLER),
            ("To", number.as_str()),
            ("Body", "STOP"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(!app.db.store.is_opted_out(CALLER).await.unwrap());
}

#[tokio::test]
async fn a_21610_opts_the_number_out_and_is_not_retried() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    app.telephony.fail_next_sends([TwilioError::OptedOut]);
    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert!(app.telephony.sent_messages().is_empty());
    assert!(app.db.store.is_opted_out(CALLER).await.unwrap());
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!(
        (job.state, job.attempts),
        (JobState::Done, 1),
        "done, not dead, not retried"
    );
    advance(&app, SignedDuration::from_hours(30));
    assert_eq!(app.app.run_due_jobs().await, 0);
    call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    app.app.run_due_jobs().await;
    assert!(
        app.telephony.sent_messages().is_empty(),
        "never texted again"
    );
}

#[tokio::test]
async fn a_permanent_error_is_dead_and_can_be_retried_by_hand() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    app.telephony
        .fail_next_sends([TwilioError::InvalidRecipient {
            code: 21211,
            message: "The 'To' number +1******0123 is not valid".into(),
        }]);
    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!(job.state, JobState::Dead);
    let error = job.last_error.clone().unwrap();
    assert!(
        error.contains("21211") && !error.contains("0123"),
        "{error}"
    );
    let dead = app.db.store.dead_jobs(&Actor::System, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    advance(&app, SignedDuration::from_hours(1));
    assert_eq!(app.app.run_due_jobs().await, 0);
    // An admin fixes the cause and retries it.
    assert!(
        app.db
            .store
            .retry_dead_job(&Actor::System, job.id, app.app.now())
            .await
            .unwrap()
    );
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert_eq!(app.telephony.sent_messages().len(), 1);
}

#[tokio::test]
async fn a_timed_out_send_is_never_repeated() {
    let app = app_at_noon().await;
    let (dj, number) = dj(&app).await;
    app.telephony.fail_next_sends([TwilioError::Timeout]);
    let s = call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    let record = call_by_sid(&app, dj, s.call_sid.as_str()).await;
    let job = followup_job(&app, &record).await.unwrap();
    assert_eq!(job.state, JobState::Dead, "visible to admins");
    // Even retried by hand, a text that may have gone out is not sent again.
    app.db
        .store
        .retry_dead_job(&Actor::System, job.id, app.app.now())
        .await
        .unwrap();
    assert_eq!(app.app.run_due_jobs().await, 1);
    assert!(app.telephony.sent_messages().is_empty());
}

#[tokio::test]
async fn status_callbacks_are_recorded_monotonically_and_21610_opts_out() {
    let app = app_at_noon().await;
    let (_, number) = dj(&app).await;
    call(&app, CallOutcome::Answered, &number, CALLER, 95).await;
    app.app.run_due_jobs().await;
    let sid = app.telephony.sent_messages()[0].sid.to_string();
    for s in ["sent", "delivered", "sent"] {
        let params = [
            ("MessageSid", sid.as_str()),
            ("MessageStatus", s),
            ("To", CALLER),
            ("From", number.as_str()),
        ];
        let (code, _) = sms_webhook(&app, "/api/djdash/sms/status", &params).await;
        assert!((200..300).contains(&code), "{code}");
    }
    let message = app
        .db
        .store
        .message_by_sid(&Actor::System, &sid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        message.status, "delivered",
        "a late 'sent' does not undo 'delivered'"
    );
    assert_eq!(message.kind, "followup");

    // A later message to another number fails with 21610: that number is opted out.
    let other = "+14155550999";
    let other_sid = message_sid();
    let (code, _) = sms_webhook(
        &app,
        "/api/djdash/sms/status",
        &[
            ("MessageSid", &other_sid),
            ("MessageStatus", "undelivered"),
            ("ErrorCode", "21610"),
            ("To", other),
        ],
    )
    .await;
    assert!((200..300).contains(&code));
    assert!(app.db.store.is_opted_out(other).await.unwrap());
    assert!(!app.db.store.is_opted_out(CALLER).await.unwrap());
}
