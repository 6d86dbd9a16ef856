//! Replies that are refused (SPEC §13): to an opted-out caller (409 `opted_out`, nothing
//! sent, also when Twilio is the one who knows: 21610), in the DJ's quiet hours unless the
//! caller wrote within the hour (409 `quiet_hours`), and bodies that are empty or too long
//! (400 naming `body`).

use super::support::*;
use super::two_way::{answered_call, dj_token, get_messages, post_reply};
use djcalls_telephony::TwilioError;
use djcalls_testkit::TestApp;
use jiff::SignedDuration;
use serde_json::json;

djcalls_testkit::on_both_backends! { TestApp:
    replies_to_opted_out_callers_are_refused_and_nothing_is_sent => opted_out;
    quiet_hours_refuse_replies_unless_the_caller_just_wrote => quiet_hours;
    an_empty_or_too_long_reply_is_a_400_naming_body => bad_bodies;
}

async fn opted_out(app: TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    let token = dj_token(&app, dj).await;
    let call_id = answered_call(&app, dj, &number).await;
    let before = app.telephony.sent_messages().len();
    text_in(&app, CALLER, &number, "STOP").await;
    let (status, body) = post_reply(&app, &token, &call_id, json!({"body": "Are you sure?"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("opted_out")),
        "{body}"
    );
    assert_eq!(app.telephony.sent_messages().len(), before, "nothing sent");

    // START opts back in; then Twilio refuses with 21610 (the caller opted out there): 409,
    // nothing recorded as sent, and the number is on our list from now on.
    text_in(&app, CALLER, &number, "START").await;
    app.telephony.fail_next_sends([TwilioError::OptedOut]);
    let (status, body) = post_reply(&app, &token, &call_id, json!({"body": "Hello again"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("opted_out")),
        "{body}"
    );
    assert!(app.db.store.is_opted_out(CALLER).await.unwrap());
    let (_, list) = get_messages(&app, &token, &call_id).await;
    assert!(
        list["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["kind"] != "reply"),
        "{list}"
    );
}

async fn quiet_hours(app: TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    let token = dj_token(&app, dj).await;
    let call_id = answered_call(&app, dj, &number).await;
    let before = app.telephony.sent_messages().len();
    // 23:00 in New York (EDT): quiet.
    app.clock.set("2026-06-16T03:00:00Z".parse().unwrap());
    let (status, body) = post_reply(&app, &token, &call_id, json!({"body": "Hi!"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("quiet_hours")),
        "{body}"
    );
    assert_eq!(app.telephony.sent_messages().len(), before);

    // The caller writes at 23:10: a reply at 23:40 is fine (within the hour).
    advance(&app, SignedDuration::from_mins(10));
    text_in(&app, CALLER, &number, "Still up? Quick question").await;
    advance(&app, SignedDuration::from_mins(30));
    let (status, body) =
        post_reply(&app, &token, &call_id, json!({"body": "Sure, go ahead"})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(app.telephony.sent_messages().len(), before + 1);

    // 00:11: more than an hour after they wrote, still quiet: refused again.
    advance(&app, SignedDuration::from_mins(31));
    let (status, body) = post_reply(&app, &token, &call_id, json!({"body": "Goodnight"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("quiet_hours")),
        "{body}"
    );
    // 08:00 the next morning: allowed.
    app.clock.set("2026-06-16T12:00:00Z".parse().unwrap());
    let (status, _) = post_reply(&app, &token, &call_id, json!({"body": "Good morning"})).await;
    assert_eq!(status, 201);
    assert_eq!(app.telephony.sent_messages().len(), before + 2);
}

async fn bad_bodies(app: TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    let token = dj_token(&app, dj).await;
    let call_id = answered_call(&app, dj, &number).await;
    let before = app.telephony.sent_messages().len();
    for body in [
        json!({"body": ""}),
        json!({"body": "   \n "}),
        json!({"body": "x".repeat(1601)}),
        json!({"body": "bell\u{7}"}),
        json!({"body": 42}),
        json!({}),
    ] {
        let (status, answer) = post_reply(&app, &token, &call_id, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["field"], "body", "{body}: {answer}");
    }
    // 1600 characters is the limit, not over it.
    let (status, _) = post_reply(&app, &token, &call_id, json!({"body": "y".repeat(1600)})).await;
    assert_eq!(status, 201);
    assert_eq!(app.telephony.sent_messages().len(), before + 1);
}
