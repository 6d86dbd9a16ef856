//! The REST client's call log and fallback configuration against a fake Twilio (wiremock):
//! `Calls.json` filters and paging through `next_page_uri`, and `VoiceFallbackUrl` on numbers
//! bought or reconfigured.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use djcalls_domain::PhoneNumber;
use djcalls_telephony::{
    CallLogQuery, NumberSid, NumberUrls, Telephony, TwilioCallStatus, TwilioClient, TwilioConfig,
};
use serde_json::json;
use wiremock::matchers::{basic_auth, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "test-auth-token-0123456789abcdef";
const NUMBER_SID: &str = "PN0123456789abcdef0123456789abcdef";
const VIRTUAL: &str = "+14155552671";

fn client(server: &MockServer) -> TwilioClient {
    TwilioClient::new(TwilioConfig::new(ACCOUNT, TOKEN.into()).with_api_base_url(server.uri()))
        .unwrap()
}

fn calls_path() -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json")
}

fn call(sid: &str, status: &str, start: &str, duration: Option<&str>) -> serde_json::Value {
    json!({
        "sid": sid, "account_sid": ACCOUNT, "parent_call_sid": null,
        "from": "+13105550123", "to": VIRTUAL, "status": status, "direction": "inbound",
        "start_time": start, "end_time": null, "duration": duration, "price": null,
    })
}

fn sid(n: u8) -> String {
    format!("CA{n:032x}")
}

fn form_of(request: &wiremock::Request) -> Vec<(String, String)> {
    djcalls_telephony::webhooks::parse_form(&request.body)
}

#[tokio::test]
async fn the_call_log_is_read_page_after_page_with_the_filters() {
    let server = MockServer::start().await;
    let next = format!(
        "/2010-04-01/Accounts/{ACCOUNT}/Calls.json?To=%2B14155552671&PageSize=1000&Page=1&PageToken=PAnext"
    );
    Mock::given(method("GET"))
        .and(path(calls_path()))
        .and(basic_auth(ACCOUNT, TOKEN))
        .and(query_param("To", VIRTUAL))
        // `StartTime>=2024-05-01` as Twilio documents it: the key is `StartTime>`.
        .and(query_param("StartTime>", "2024-05-01"))
        .and(query_param_is_missing("PageToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "calls": [
                call(&sid(1), "completed", "Wed, 01 May 2024 13:00:00 +0000", Some("42")),
                // Before `since` (an API that filters by date only): left out.
                call(&sid(9), "completed", "Wed, 01 May 2024 08:00:00 +0000", Some("5")),
            ],
            "next_page_uri": next, "page": 0, "page_size": 1000,
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(calls_path()))
        .and(basic_auth(ACCOUNT, TOKEN))
        .and(query_param("PageToken", "PAnext"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "calls": [call(&sid(2), "busy", "Wed, 01 May 2024 14:00:00 +0000", None)],
            "next_page_uri": null, "page": 1, "page_size": 1000,
        })))
        .expect(1)
        .mount(&server)
        .await;

    let telephony: Box<dyn Telephony> = Box::new(client(&server));
    let calls = telephony
        .list_calls(&CallLogQuery {
            to: Some(PhoneNumber::from_trusted_e164(VIRTUAL)),
            parent_call_sid: None,
            started_at_or_after: Some("2024-05-01T12:00:00Z".parse().unwrap()),
        })
        .await
        .unwrap();
    let got: Vec<_> = calls
        .iter()
        .map(|c| {
            (
                c.sid.as_str().to_string(),
                c.status.clone(),
                c.duration_secs,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (sid(1), TwilioCallStatus::Completed, Some(42)),
            (sid(2), TwilioCallStatus::Busy, None),
        ]
    );
    assert_eq!(calls[0].from.as_deref(), Some("+13105550123"));
    let first = &server.received_requests().await.unwrap()[0];
    assert!(
        first
            .url
            .query()
            .unwrap()
            .contains("StartTime%3E=2024-05-01"),
        "{}",
        first.url
    );
    assert_eq!(
        calls[0].start_time,
        Some("2024-05-01T13:00:00Z".parse().unwrap())
    );
}

#[tokio::test]
async fn a_next_page_on_another_host_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(calls_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "calls": [], "next_page_uri": "https://elsewhere.example/steal",
        })))
        .mount(&server)
        .await;
    let result = client(&server).list_calls(&CallLogQuery::default()).await;
    assert!(result.is_err(), "{result:?}");
}

#[tokio::test]
async fn bought_and_reconfigured_numbers_get_their_static_fallback_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "sid": NUMBER_SID, "phone_number": VIRTUAL,
        })))
        .expect(2)
        .mount(&server)
        .await;
    let urls = NumberUrls::for_base_url("https://calls.example.com")
        .with_voice_fallback_base(Some("https://static.example.net/twiml/"));
    let client = client(&server);
    let number = PhoneNumber::from_trusted_e164(VIRTUAL);
    client.buy_number(&number, &urls).await.unwrap();
    client
        .configure_number(&NumberSid::parse(NUMBER_SID).unwrap(), &number, &urls)
        .await
        .unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        let form = form_of(request);
        let get = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        assert_eq!(
            get("VoiceFallbackUrl"),
            Some("https://static.example.net/twiml/14155552671.xml"),
            "{}",
            request.url
        );
        assert_eq!(get("VoiceFallbackMethod"), Some("GET"));
        assert_eq!(
            get("VoiceUrl"),
            Some("https://calls.example.com/api/djdash/calls/incoming")
        );
    }
}
