//! `djcalls reconcile`'s use case: every page of the number's log is read, each unseen call is
//! recorded once with its true status, duration, caller and start time, calls the service
//! served are left alone (their dialled legs are not even asked for), and a second run records
//! nothing.

use super::*;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_telephony::{CallOutcome, CallScenario, deliver};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

djcalls_testkit::on_both_backends! { TestApp:
    unseen_calls_on_every_page_are_recorded_once => unseen_calls_on_every_page_are_recorded_once;
}

async fn unseen_calls_on_every_page_are_recorded_once(t: TestApp) {
    let (dj, number) = dj_since_yesterday(&t).await;
    let to = number.as_str();
    let twilio = MockServer::start().await;
    let served = with_real_twilio(&t, &twilio).await;

    // A call the service answered, through its webhooks.
    let served_call = CallScenario::new(
        CallOutcome::Answered,
        PhoneNumber::parse(CALLER).unwrap(),
        number.clone(),
    );
    let known = served_call.call_sid.as_str().to_string();
    deliver(
        &served.base_url,
        SIMULATOR_AUTH_TOKEN,
        &served_call.deliveries(),
    )
    .await
    .unwrap();
    let known_before = call_by_sid(&t, dj, &known).await.unwrap();

    let (answered, missed, busy, ongoing) = (sid(1), sid(2), sid(3), sid(4));
    let next = format!(
        "{}?To=%2B{}&PageSize=1000&Page=1&PageToken=PA2",
        calls_path(),
        &to[1..]
    );
    Mock::given(method("GET"))
        .and(path(calls_path()))
        .and(query_param("To", to))
        .and(query_param("StartTime>", "2026-06-15"))
        .and(query_param_is_missing("PageToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![
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
                leg(
                    &known,
                    None,
                    to,
                    "completed",
                    "2026-06-15T05:00:00Z",
                    Some(103),
                ),
            ],
            Some(next),
        )))
        .expect(2)
        .mount(&twilio)
        .await;
    Mock::given(method("GET"))
        .and(path(calls_path()))
        .and(query_param("PageToken", "PA2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![
                leg(&busy, None, to, "busy", "2026-06-15T06:00:00Z", Some(0)),
                leg(
                    &ongoing,
                    None,
                    to,
                    "in-progress",
                    "2026-06-15T11:58:00Z",
                    None,
                ),
            ],
            None,
        )))
        .expect(2)
        .mount(&twilio)
        .await;
    // The legs the fallback dialled to the DJ: asked once, for unseen completed calls only.
    for (parent, dj_leg, expected) in [
        (&answered, Some(("completed", 61)), 1),
        (&missed, Some(("no-answer", 0)), 1),
        (&known, None, 0),
    ] {
        let legs: Vec<Value> = dj_leg
            .map(|(status, secs)| {
                leg(
                    &sid(100),
                    Some(parent),
                    "+14155559999",
                    status,
                    "2026-06-15T03:00:05Z",
                    Some(secs),
                )
            })
            .into_iter()
            .collect();
        Mock::given(method("GET"))
            .and(path(calls_path()))
            .and(query_param("ParentCallSid", parent.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(legs, None)))
            .expect(expected)
            .mount(&twilio)
            .await;
    }

    let since = at("2026-06-15T00:00:00Z");
    let first = served.app.reconcile_calls(since).await.unwrap();
    assert_eq!(
        (
            first.numbers,
            first.listed,
            first.recorded,
            first.known,
            first.unfinished
        ),
        (1, 5, 3, 1, 1)
    );
    let a = call_by_sid(&t, dj, &answered).await.unwrap();
    assert_eq!(a["source"], "fallback");
    assert_eq!(a["call_status"], "completed");
    assert_eq!(a["answered"], true);
    assert_eq!(a["talk_seconds"], 61);
    assert_eq!(a["call_duration_seconds"], 75);
    assert_eq!(a["caller_number"], CALLER);
    assert_eq!(a["virtual_number"], to);
    assert_eq!(a["timestamp"], "2026-06-15T03:00:00Z");
    let m = call_by_sid(&t, dj, &missed).await.unwrap();
    assert_eq!(
        (&m["call_status"], &m["answered"]),
        (&json!("no-answer"), &json!(false))
    );
    let b = call_by_sid(&t, dj, &busy).await.unwrap();
    assert_eq!(
        (&b["call_status"], &b["source"]),
        (&json!("busy"), &json!("fallback"))
    );
    assert!(
        call_by_sid(&t, dj, &ongoing).await.is_none(),
        "not over yet"
    );
    assert_eq!(
        call_by_sid(&t, dj, &known).await.unwrap(),
        known_before,
        "a call the service served is left as it is"
    );

    let second = served.app.reconcile_calls(since).await.unwrap();
    assert_eq!(
        (
            second.listed,
            second.recorded,
            second.known,
            second.unfinished
        ),
        (5, 0, 4, 1)
    );
    assert_eq!(t.calls_of(dj).await.len(), 4, "nothing recorded twice");
    twilio.verify().await;
}
