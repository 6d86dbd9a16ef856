//! Two-way texts over HTTP (SPEC §13): `GET/POST /api/djdash/calls/{id}/messages` — the
//! conversation in both directions with delivery states that status callbacks move forward,
//! replies from the call's virtual number, who may read and send, and inbound texts landing on
//! the caller's latest call.

use super::support::*;
use djcalls_domain::{DjProfileId, Role};
use djcalls_telephony::CallOutcome;
use djcalls_testkit::TestApp;
use serde_json::{Value, json};

djcalls_testkit::on_both_backends! { TestApp:
    the_conversation_shows_both_directions_and_delivery_states => conversation;
    only_the_calls_dj_and_admins_reply_and_others_get_404 => who_may_reply;
}

pub async fn get_messages(app: &TestApp, token: &str, call: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(&format!("/api/djdash/calls/{call}/messages")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

pub async fn post_reply(app: &TestApp, token: &str, call: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/djdash/calls/{call}/messages")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

pub async fn dj_token(app: &TestApp, dj: DjProfileId) -> String {
    app.user_token(&format!("{dj}@dj.test"), Role::Dj, &[dj])
        .await
}

/// An answered call from [`CALLER`] whose thanks text went out; returns its id.
pub async fn answered_call(
    app: &TestApp,
    dj: DjProfileId,
    number: &djcalls_domain::PhoneNumber,
) -> String {
    let s = call(app, CallOutcome::Answered, number, CALLER, 95).await;
    app.app.run_due_jobs().await;
    call_by_sid(app, dj, s.call_sid.as_str()).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn status_callback(app: &TestApp, sid: &str, status: &str, to: &str) -> u16 {
    sms_webhook(
        app,
        "/api/djdash/sms/status",
        &[
            ("MessageSid", sid),
            ("SmsSid", sid),
            ("AccountSid", "AC00000000000000000000000000000000"),
            ("MessageStatus", status),
            ("To", to),
        ],
    )
    .await
    .0
}

fn summary(messages: &Value) -> Vec<(String, String, String)> {
    messages["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["direction"].as_str().unwrap().to_string(),
                m["kind"].as_str().unwrap().to_string(),
                m["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn conversation(app: TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    let token = dj_token(&app, dj).await;
    let first = answered_call(&app, dj, &number).await;
    assert_eq!(app.telephony.sent_messages().len(), 1, "the thanks text");

    // The caller writes back; the DJ replies from the virtual number.
    advance(&app, jiff::SignedDuration::from_mins(5));
    let (status, _) = text_in(&app, CALLER, &number, "Are you free on June 14th?").await;
    assert_eq!(status, 200);
    advance(&app, jiff::SignedDuration::from_mins(1));
    let (status, sent) = post_reply(&app, &token, &first, json!({"body": "  Yes, I am! "})).await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["message"]["kind"], "reply");
    assert_eq!(sent["message"]["direction"], "outbound");
    assert_eq!(sent["message"]["body"], "Yes, I am!");
    assert_eq!(sent["message"]["status"], "accepted");
    assert_eq!(sent["message"]["from_number"], number.as_str());
    assert_eq!(sent["message"]["to_number"], CALLER);
    let texts = app.telephony.sent_messages();
    assert_eq!(texts.len(), 2);
    let reply = &texts[1];
    assert_eq!(
        (reply.from.as_str(), reply.to.as_str()),
        (number.as_str(), CALLER)
    );
    assert_eq!(reply.body, "Yes, I am!");
    assert_eq!(
        reply.status_callback.as_deref(),
        Some(app.url("/api/djdash/sms/status").as_str())
    );

    let (status, list) = get_messages(&app, &token, &first).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(
        summary(&list),
        [
            ("outbound".into(), "followup".into(), "accepted".into()),
            ("inbound".into(), "lead".into(), "received".into()),
            ("outbound".into(), "reply".into(), "accepted".into()),
        ],
        "oldest first: {list}"
    );
    assert_eq!(list["messages"][1]["body"], "Are you free on June 14th?");

    // Twilio's delivery reports move the reply forward, never back.
    let sid = reply.sid.as_str();
    assert_eq!(status_callback(&app, sid, "sent", CALLER).await, 204);
    assert_eq!(status_callback(&app, sid, "delivered", CALLER).await, 204);
    assert_eq!(status_callback(&app, sid, "sent", CALLER).await, 204);
    let (_, list) = get_messages(&app, &token, &first).await;
    assert_eq!(list["messages"][2]["status"], "delivered", "{list}");

    // A second call, then a text: it belongs to the latest call, and every call page of the
    // caller shows the whole conversation.
    advance(&app, jiff::SignedDuration::from_hours(1));
    let latest = answered_call(&app, dj, &number).await;
    let (status, _) = text_in(&app, CALLER, &number, "See you then").await;
    assert_eq!(status, 200);
    let (_, on_latest) = get_messages(&app, &token, &latest).await;
    let (_, on_first) = get_messages(&app, &token, &first).await;
    assert_eq!(on_latest, on_first);
    let last = on_latest["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["body"], "See you then");
    assert_eq!(last["call_id"], latest.as_str());
    // Another caller's texts to the same DJ are not part of it.
    text_in(&app, "+14155550999", &number, "Hello?").await;
    let (_, again) = get_messages(&app, &token, &first).await;
    assert_eq!(again["messages"].as_array().unwrap().len(), 4, "{again}");
}

async fn who_may_reply(app: TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    let call_id = answered_call(&app, dj, &number).await;
    let other = DjProfileId(uuid::Uuid::new_v4());
    app.profile(other, "dj-other").await;
    let other_token = dj_token(&app, other).await;
    let admin = app.user_token("admin@dj.test", Role::Admin, &[]).await;
    let before = app.telephony.sent_messages().len();

    // Another DJ: the call does not exist for them, and nothing is sent.
    let (status, body) = get_messages(&app, &other_token, &call_id).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("not_found")),
        "{body}"
    );
    let (status, body) = post_reply(&app, &other_token, &call_id, json!({"body": "hi"})).await;
    assert_eq!(status, 404, "{body}");
    // The service reads but does not text in a DJ's name.
    let (status, _) = get_messages(&app, app.service_key(), &call_id).await;
    assert_eq!(status, 200);
    let (status, body) = post_reply(&app, app.service_key(), &call_id, json!({"body": "hi"})).await;
    assert_eq!(status, 403, "{body}");
    // An unknown call, a malformed id.
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(get_messages(&app, &admin, &unknown).await.0, 404);
    assert_eq!(get_messages(&app, &admin, "nope").await.0, 400);
    assert_eq!(app.telephony.sent_messages().len(), before, "nothing sent");

    // An admin may.
    let (status, body) =
        post_reply(&app, &admin, &call_id, json!({"body": "From the office"})).await;
    assert_eq!(status, 201, "{body}");
    let (status, list) = get_messages(&app, &admin, &call_id).await;
    assert_eq!(status, 200);
    assert_eq!(list["messages"].as_array().unwrap().len(), 2, "{list}");
    assert_eq!(app.telephony.sent_messages().len(), before + 1);
}
