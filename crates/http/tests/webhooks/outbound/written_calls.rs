//! Calls written whole, outside the voice pipeline, raise the call events a Twilio call
//! raises (SPEC §14): logged through `POST /api/djdash/calls` (by the service, and by a DJ,
//! whose transaction may not see the platform's `jobs` table on PostgreSQL) and recorded by
//! reconciliation from Twilio's call log. A call logged as still ringing raises none.

use super::receiver::{Received, Receiver};
use super::*;
use crate::fallback::{CALLER, at, calls_path, dj_since_yesterday, leg, page, sid, twilio_client};
use djcalls_domain::DjProfileId;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

djcalls_testkit::on_both_backends! { TestApp:
    logged_calls_raise_the_call_events_of_their_status => logged_calls;
    reconciled_calls_raise_the_call_events_of_their_status => reconciled_calls;
}

const EVENTS: [&str; 3] = ["call.completed", "call.missed", "voicemail.received"];

/// The types of `got`, sorted.
fn types(got: &[Received]) -> Vec<String> {
    let mut types: Vec<String> = got
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_string())
        .collect();
    types.sort();
    types
}

/// Logs `body` as the holder of `token`; the new call's id.
async fn log(t: &TestApp, token: &str, body: Value) -> Value {
    let response = t
        .client
        .post(t.url("/api/djdash/calls"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    response.json::<Value>().await.unwrap()["call"]["id"].clone()
}

async fn logged_calls(t: TestApp) {
    let receiver = Receiver::start(200).await;
    let served = beside(&t, true).await;
    let (_, secret) = endpoint(&t, &served, &receiver.url, &EVENTS).await;
    let dj = DjProfileId(uuid::Uuid::new_v4());
    t.profile(dj, "dj-hooks-logged").await;
    let token = t
        .user_token("logged@example.com", djcalls_domain::Role::Dj, &[dj])
        .await;
    let call = |status: &str| {
        json!({"dj_profile_id": dj.to_string(), "caller_number": "+14155550123",
               "call_duration_seconds": 90, "call_status": status})
    };
    let completed = log(&t, t.service_key(), call("completed")).await;
    let voicemail = log(&t, &token, call("voicemail")).await;
    log(&t, t.service_key(), call("ringing")).await;

    served.app.run_due_jobs().await;
    let got = receiver.wait_for(3).await;
    assert_eq!(
        types(&got),
        ["call.completed", "call.missed", "voicemail.received"]
    );
    assert!(got.iter().all(|r| r.verifies_with(&secret)));
    for r in &got {
        let expected = if r.json()["type"] == "call.completed" {
            &completed
        } else {
            &voicemail
        };
        assert_eq!(&r.json()["data"]["call_id"], expected, "{}", r.body);
    }
}

async fn reconciled_calls(t: TestApp) {
    let receiver = Receiver::start(200).await;
    let twilio = MockServer::start().await;
    let (dj, number) = dj_since_yesterday(&t).await;
    let served = TestApp::builder()
        .telephony(twilio_client(&twilio))
        .settings(|s| {
            s.reconcile_calls = true;
            s.webhooks.targets = TargetPolicy {
                allow_http_localhost: true,
                allow_private: true,
            };
        })
        .serve_beside(&t)
        .await;
    let (_, secret) = endpoint(&t, &served, &receiver.url, &EVENTS).await;
    let to = number.as_str();
    let (answered, missed) = (sid(1), sid(2));
    let parents = vec![
        leg(
            &answered,
            None,
            to,
            "completed",
            "2026-06-15T03:00:00Z",
            Some(75),
        ),
        leg(
            &missed,
            None,
            to,
            "completed",
            "2026-06-15T04:00:00Z",
            Some(27),
        ),
    ];
    Mock::given(method("GET"))
        .and(path(calls_path()))
        .and(query_param("To", to))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(parents, None)))
        .mount(&twilio)
        .await;
    for (parent, status, secs) in [(&answered, "completed", 61), (&missed, "no-answer", 0)] {
        let dj_leg = leg(
            &sid(100),
            Some(parent),
            "+14155559999",
            status,
            "2026-06-15T03:00:05Z",
            Some(secs),
        );
        Mock::given(method("GET"))
            .and(path(calls_path()))
            .and(query_param("ParentCallSid", parent.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![dj_leg], None)))
            .mount(&twilio)
            .await;
    }

    let run = served
        .app
        .reconcile_calls(at("2026-06-15T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(run.recorded, 2);
    served.app.run_due_jobs().await;
    let got = receiver.wait_for(2).await;
    assert_eq!(types(&got), ["call.completed", "call.missed"]);
    assert!(got.iter().all(|r| r.verifies_with(&secret)));
    let calls = t.calls_of(dj).await;
    for r in &got {
        let body = r.json();
        let call = calls
            .iter()
            .find(|c| c["id"] == body["data"]["call_id"])
            .unwrap();
        assert_eq!(call["source"], "fallback");
        assert_eq!(body["data"]["answered"], call["answered"]);
        assert_eq!(body["data"]["caller_number"], json!(CALLER));
    }
    // A second run records nothing, so raises nothing.
    served
        .app
        .reconcile_calls(at("2026-06-15T00:00:00Z"))
        .await
        .unwrap();
    served.app.run_due_jobs().await;
    assert_eq!(receiver.received().len(), 2);
}
