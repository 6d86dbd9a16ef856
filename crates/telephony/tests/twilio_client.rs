//! The REST client against a fake Twilio (wiremock): request shapes, auth, and how failures
//! are classified.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use djcalls_domain::PhoneNumber;
use djcalls_telephony::{
    MessageSid, NumberSid, NumberUrls, RecordingSid, Telephony, TwilioClient, TwilioConfig,
    TwilioError,
};
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{basic_auth, body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "test-auth-token-0123456789abcdef";
const NUMBER_SID: &str = "PN0123456789abcdef0123456789abcdef";

fn client(server: &MockServer) -> TwilioClient {
    client_with_timeout(server, Duration::from_secs(5))
}

fn client_with_timeout(server: &MockServer, timeout: Duration) -> TwilioClient {
    let config = TwilioConfig::new(ACCOUNT, TOKEN.into())
        .with_api_base_url(server.uri())
        .with_request_timeout(timeout);
    TwilioClient::new(config).unwrap()
}

fn account_path(tail: &str) -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT}/{tail}")
}

fn phone(raw: &str) -> PhoneNumber {
    PhoneNumber::parse(raw).unwrap()
}

fn urls() -> NumberUrls {
    NumberUrls::for_base_url("https://calls.example.com")
}

fn twilio_error(code: u32, message: &str, status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    }))
}

async fn sms_failing_with(response: ResponseTemplate, timeout: Duration) -> TwilioError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(account_path("Messages.json")))
        .respond_with(response)
        .mount(&server)
        .await;
    client_with_timeout(&server, timeout)
        .send_sms(&phone("+14155550100"), &phone("+14155552671"), "hi", None)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn sending_an_sms_posts_the_form_with_basic_auth() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(account_path("Messages.json")))
        .and(basic_auth(ACCOUNT, TOKEN))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "sid": "SM0123456789abcdef0123456789abcdef",
            "status": "queued",
        })))
        .expect(1)
        .mount(&server)
        .await;

    let sid = client(&server)
        .send_sms(
            &phone("+14155550100"),
            &phone("+14155552671"),
            "Thanks for calling DJ Sam! Reply STOP to opt out.",
            Some("https://calls.example.com/api/djdash/sms/status"),
        )
        .await
        .unwrap();
    assert_eq!(
        sid,
        MessageSid::parse("SM0123456789abcdef0123456789abcdef").unwrap()
    );

    let requests = server.received_requests().await.unwrap();
    let form = djcalls_telephony::webhooks::parse_form(&requests[0].body);
    let get = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    assert_eq!(get("To"), Some("+14155552671"));
    assert_eq!(get("From"), Some("+14155550100"));
    assert_eq!(
        get("Body"),
        Some("Thanks for calling DJ Sam! Reply STOP to opt out.")
    );
    assert_eq!(
        get("StatusCallback"),
        Some("https://calls.example.com/api/djdash/sms/status")
    );
}

#[tokio::test]
async fn acquiring_a_number_searches_the_area_code_then_buys_with_our_webhook_urls() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(account_path("AvailablePhoneNumbers/US/Local.json")))
        .and(query_param("AreaCode", "415"))
        .and(basic_auth(ACCOUNT, TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "available_phone_numbers": [
                {"friendly_name": "(415) 555-2671", "phone_number": "+14155552671",
                 "locality": "San Francisco", "region": "CA", "iso_country": "US",
                 "capabilities": {"voice": true, "SMS": true, "MMS": true}},
                {"friendly_name": "(415) 555-2672", "phone_number": "+14155552672"}
            ],
            "uri": "/2010-04-01/Accounts/AC.../AvailablePhoneNumbers/US/Local.json?AreaCode=415"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(account_path("IncomingPhoneNumbers.json")))
        .and(basic_auth(ACCOUNT, TOKEN))
        .and(body_string_contains("PhoneNumber=%2B14155552671"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "sid": NUMBER_SID,
            "phone_number": "+14155552671",
            "friendly_name": "(415) 555-2671",
        })))
        .expect(1)
        .mount(&server)
        .await;

    let telephony: Box<dyn Telephony> = Box::new(client(&server));
    let owned = telephony.acquire_number("415", &urls()).await.unwrap();
    assert_eq!(owned.sid.as_str(), NUMBER_SID);
    assert_eq!(owned.phone_number.as_str(), "+14155552671");

    let requests = server.received_requests().await.unwrap();
    let buy = requests
        .iter()
        .find(|r| r.method.as_str() == "POST")
        .unwrap();
    let form = djcalls_telephony::webhooks::parse_form(&buy.body);
    let get = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    assert_eq!(
        get("VoiceUrl"),
        Some("https://calls.example.com/api/djdash/calls/incoming")
    );
    assert_eq!(get("VoiceMethod"), Some("POST"));
    assert_eq!(
        get("StatusCallback"),
        Some("https://calls.example.com/api/djdash/calls/webhook")
    );
    assert_eq!(get("StatusCallbackMethod"), Some("POST"));
    assert_eq!(
        get("SmsUrl"),
        Some("https://calls.example.com/api/djdash/sms/incoming")
    );
    assert_eq!(get("SmsMethod"), Some("POST"));
    assert_eq!(get("VoiceFallbackUrl"), None, "no fallback base configured");
}

#[tokio::test]
async fn an_area_code_with_nothing_for_sale_is_reported_as_such() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(account_path("AvailablePhoneNumbers/US/Local.json")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"available_phone_numbers": []})),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .acquire_number("907", &urls())
        .await
        .unwrap_err();
    assert!(matches!(err, TwilioError::NoNumbersAvailable { ref area_code } if area_code == "907"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn releasing_a_number_deletes_it_and_an_already_released_one_is_fine() {
    let server = MockServer::start().await;
    let sid = NumberSid::parse(NUMBER_SID).unwrap();
    Mock::given(method("DELETE"))
        .and(path(account_path(&format!(
            "IncomingPhoneNumbers/{NUMBER_SID}.json"
        ))))
        .and(basic_auth(ACCOUNT, TOKEN))
        .respond_with(ResponseTemplate::new(204))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(twilio_error(
            20404,
            "The requested resource was not found",
            404,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client.release_number(&sid).await.unwrap();
    client.release_number(&sid).await.unwrap();
}

#[tokio::test]
async fn configuring_a_number_and_caller_name_lookup_post_to_the_number() {
    let server = MockServer::start().await;
    let number_path = account_path(&format!("IncomingPhoneNumbers/{NUMBER_SID}.json"));
    Mock::given(method("POST"))
        .and(path(number_path.clone()))
        .and(body_string_contains(
            "VoiceUrl=https%3A%2F%2Fcalls.example.com%2Fapi%2Fdjdash%2Fcalls%2Fincoming",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sid": NUMBER_SID})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(number_path))
        .and(body_string_contains("VoiceCallerIdLookup=true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sid": NUMBER_SID})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let sid = NumberSid::parse(NUMBER_SID).unwrap();
    client
        .configure_number(&sid, &phone("+14155552671"), &urls())
        .await
        .unwrap();
    client.set_caller_name_lookup(&sid, true).await.unwrap();
}

#[tokio::test]
async fn a_recording_is_fetched_with_our_credentials() {
    let server = MockServer::start().await;
    let sid = "RE0123456789abcdef0123456789abcdef";
    Mock::given(method("GET"))
        .and(path(account_path(&format!("Recordings/{sid}.mp3"))))
        .and(basic_auth(ACCOUNT, TOKEN))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(b"ID3fake-mp3".to_vec(), "audio/mpeg"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let audio = client(&server)
        .fetch_recording(&RecordingSid::parse(sid).unwrap())
        .await
        .unwrap();
    assert_eq!(audio.content_type, "audio/mpeg");
    assert_eq!(audio.bytes, b"ID3fake-mp3");
}

#[tokio::test]
async fn a_server_error_is_retryable() {
    let err = sms_failing_with(ResponseTemplate::new(500), Duration::from_secs(5)).await;
    assert!(matches!(err, TwilioError::Server { status: 500, .. }));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn rate_limiting_is_retryable() {
    let err = sms_failing_with(
        twilio_error(20429, "Too Many Requests", 429),
        Duration::from_secs(5),
    )
    .await;
    assert!(err.is_retryable());
}

#[tokio::test]
async fn an_unsubscribed_recipient_is_opted_out_and_not_retryable() {
    let err = sms_failing_with(
        twilio_error(21610, "Attempt to send to unsubscribed recipient", 400),
        Duration::from_secs(5),
    )
    .await;
    assert!(matches!(err, TwilioError::OptedOut));
    assert!(err.is_opted_out());
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn bad_credentials_are_a_permanent_failure_that_does_not_leak_the_token() {
    let err = sms_failing_with(
        twilio_error(20003, "Authenticate", 401),
        Duration::from_secs(5),
    )
    .await;
    assert!(matches!(
        err,
        TwilioError::Unauthorized {
            status: 401,
            code: Some(20003)
        }
    ));
    assert!(!err.is_retryable());
    assert!(!err.to_string().contains(TOKEN));
    assert!(!format!("{err:?}").contains(TOKEN));
}

#[tokio::test]
async fn an_invalid_recipient_is_permanent_and_its_number_masked() {
    let err = sms_failing_with(
        twilio_error(
            21211,
            "The 'To' number +14155552671 is not a valid phone number.",
            400,
        ),
        Duration::from_secs(5),
    )
    .await;
    assert!(matches!(
        err,
        TwilioError::InvalidRecipient { code: 21211, .. }
    ));
    assert!(!err.is_retryable());
    assert!(!err.to_string().contains("4155552671"), "{err}");
}

#[tokio::test]
async fn a_slow_twilio_times_out_and_is_retryable() {
    let slow = ResponseTemplate::new(201)
        .set_body_json(json!({"sid": "SM0123456789abcdef0123456789abcdef"}))
        .set_delay(Duration::from_secs(3));
    let err = sms_failing_with(slow, Duration::from_millis(200)).await;
    assert!(matches!(err, TwilioError::Timeout), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn an_unreachable_twilio_is_a_retryable_network_error() {
    // Port 9 on loopback: nothing listens there, so the connection is refused at once.
    let config = TwilioConfig::new(ACCOUNT, TOKEN.into()).with_api_base_url("http://127.0.0.1:9");
    let err = TwilioClient::new(config)
        .unwrap()
        .send_sms(&phone("+14155550100"), &phone("+14155552671"), "hi", None)
        .await
        .unwrap_err();
    assert!(matches!(err, TwilioError::Network(_)), "{err:?}");
    assert!(err.is_retryable());
    assert!(!err.to_string().contains(ACCOUNT), "{err}");
}

#[test]
fn the_config_debug_output_redacts_the_auth_token() {
    let config = TwilioConfig::new(ACCOUNT, TOKEN.into());
    assert!(!format!("{config:?}").contains(TOKEN));
    assert!(TwilioClient::new(TwilioConfig::new(ACCOUNT, "".into())).is_err());
    assert!(TwilioClient::new(TwilioConfig::new("AC/../x", TOKEN.into())).is_err());
}
