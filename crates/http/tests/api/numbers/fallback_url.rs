//! `TWILIO_VOICE_FALLBACK_BASE_URL`: every number the service buys (into the pool, or on
//! demand for a DJ) or reconfigures (a pool number assigned to a DJ) gets
//! `VoiceFallbackUrl = <base>/<E.164 without +>.xml`, fetched with GET — checked on the
//! requests the real Twilio client sends to a fake Twilio over HTTP.

use super::support::*;
use djcalls_app::settings::NumberPurchase;
use djcalls_telephony::{TwilioClient, TwilioConfig};
use djcalls_testkit::TestApp;
use secrecy::SecretString;
use serde_json::json;
use std::sync::Arc;
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const STATIC_BASE: &str = "https://static.example.net/twiml";
const POOL_NUMBER: &str = "+14155550171";
const POOL_SID: &str = "PN00000000000000000000000000000171";
const BOUGHT_NUMBER: &str = "+13125550172";
const BOUGHT_SID: &str = "PN00000000000000000000000000000172";

fn account_path(tail: &str) -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT}/{tail}")
}

/// Twilio offers one number per area code and sells it.
async fn fake_twilio() -> MockServer {
    let twilio = MockServer::start().await;
    for (area, number, sid) in [
        ("415", POOL_NUMBER, POOL_SID),
        ("312", BOUGHT_NUMBER, BOUGHT_SID),
    ] {
        Mock::given(method("GET"))
            .and(path(account_path("AvailablePhoneNumbers/US/Local.json")))
            .and(query_param("AreaCode", area))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "available_phone_numbers": [{"phone_number": number}],
            })))
            .mount(&twilio)
            .await;
        Mock::given(method("POST"))
            .and(path(account_path("IncomingPhoneNumbers.json")))
            .and(body_string_contains(number.replace('+', "%2B")))
            .respond_with(
                ResponseTemplate::new(201)
                    .set_body_json(json!({"sid": sid, "phone_number": number})),
            )
            .mount(&twilio)
            .await;
        Mock::given(method("POST"))
            .and(path(account_path(&format!(
                "IncomingPhoneNumbers/{sid}.json"
            ))))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"sid": sid, "phone_number": number})),
            )
            .mount(&twilio)
            .await;
    }
    twilio
}

/// The number webhook configurations sent so far: (request path, form).
async fn configurations(twilio: &MockServer) -> Vec<(String, Vec<(String, String)>)> {
    twilio
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| {
            let form = djcalls_telephony::webhooks::parse_form(&r.body);
            (r.url.path().to_string(), form)
        })
        .filter(|(_, form)| form.iter().any(|(k, _)| k == "VoiceUrl"))
        .collect()
}

fn field<'a>(form: &'a [(String, String)], key: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn numbers_bought_assigned_or_reconfigured_get_their_static_fallback() {
    let t = TestApp::sqlite().await;
    let twilio = fake_twilio().await;
    let client = TwilioClient::new(
        TwilioConfig::new(ACCOUNT, SecretString::from("fake-auth-token".to_string()))
            .with_api_base_url(twilio.uri()),
    )
    .unwrap();
    let served = TestApp::builder()
        .telephony(Arc::new(client))
        .settings(|s| {
            s.voice_fallback_base_url = Some(STATIC_BASE.to_string());
            s.number_purchase = NumberPurchase::OnDemand { max: 5 };
        })
        .serve_beside(&t)
        .await;
    let base = served.base_url.as_str();

    // Bought into the pool, then assigned (reconfigured) to DJ 1.
    assert_eq!(buy(base, 1, "415").await, [POOL_NUMBER]);
    put_profile(base, dj(1), Some("+14155550100"), false)
        .await
        .ok(201);
    let assigned = assign(base, KEY, dj(1), None).await;
    assert_eq!(
        assigned.ok(201)["virtualNumber"]["virtual_number"],
        POOL_NUMBER
    );
    // The pool is empty: bought on demand for DJ 2.
    put_profile(base, dj(2), Some("+13125550100"), false)
        .await
        .ok(201);
    let bought = assign(base, KEY, dj(2), None).await;
    assert_eq!(
        bought.ok(201)["virtualNumber"]["virtual_number"],
        BOUGHT_NUMBER
    );

    let sent = configurations(&twilio).await;
    let paths: Vec<&str> = sent.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            account_path("IncomingPhoneNumbers.json"),
            account_path(&format!("IncomingPhoneNumbers/{POOL_SID}.json")),
            account_path("IncomingPhoneNumbers.json"),
        ],
        "a pool purchase, the pool number's reconfiguration, an on-demand purchase"
    );
    for ((_, form), number) in sent.iter().zip([POOL_NUMBER, POOL_NUMBER, BOUGHT_NUMBER]) {
        let file = number.trim_start_matches('+');
        assert_eq!(
            field(form, "VoiceFallbackUrl"),
            Some(format!("{STATIC_BASE}/{file}.xml").as_str()),
            "{form:?}"
        );
        assert_eq!(field(form, "VoiceFallbackMethod"), Some("GET"));
        assert_eq!(
            field(form, "VoiceUrl"),
            Some(format!("{base}/api/djdash/calls/incoming").as_str())
        );
    }
}

#[tokio::test]
async fn without_a_fallback_base_no_fallback_url_is_sent() {
    let t = TestApp::sqlite().await;
    let twilio = fake_twilio().await;
    let client = TwilioClient::new(
        TwilioConfig::new(ACCOUNT, SecretString::from("fake-auth-token".to_string()))
            .with_api_base_url(twilio.uri()),
    )
    .unwrap();
    let served = TestApp::builder()
        .telephony(Arc::new(client))
        .serve_beside(&t)
        .await;
    buy(&served.base_url, 1, "415").await;
    let sent = configurations(&twilio).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(field(&sent[0].1, "VoiceFallbackUrl"), None);
    assert_eq!(field(&sent[0].1, "VoiceFallbackMethod"), None);
}
