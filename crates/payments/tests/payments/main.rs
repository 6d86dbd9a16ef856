//! Integration tests of djcalls-payments: the Stripe and TipJar clients against fake servers over
//! HTTP, event parsing on recorded-shape fixtures, and the simulator end to end.

mod events;
mod simulator;
mod stripe_api;
mod tipjar_api;

use djcalls_domain::ids::DjProfileId;
use djcalls_payments::SessionRequest;
use djcalls_payments::provider::contains_phone_like;
use uuid::Uuid;

/// A phone number that must never reach a provider.
pub const CALLER_PHONE: &str = "+14155552671";

pub fn dj_profile_id() -> DjProfileId {
    // Letters between the digit groups: an id is not a phone number.
    DjProfileId(Uuid::from_u128(0x0195_f3a2_7c1e_7abc_8def_a1b2_c3d4_e5f6))
}

pub fn session_request() -> SessionRequest {
    SessionRequest {
        reference: "c4ll_r3f_A1".into(),
        dj_profile_id: dj_profile_id(),
        dj_name: "DJ Nova".into(),
        description: "Booking deposit for DJ Nova".into(),
        idempotency_key: "followup-7".into(),
        success_url: "https://calls.example.com/pay/thanks".into(),
        cancel_url: "https://calls.example.com/pay/cancelled".into(),
    }
}

/// Fails if anything in a request we sent looks like a phone number.
pub fn assert_no_phone_number_sent(request: &wiremock::Request) {
    let body = String::from_utf8_lossy(&request.body);
    let mut texts = vec![request.url.to_string(), body.to_string()];
    texts.extend(
        url::form_urlencoded::parse(&request.body)
            .flat_map(|(k, v)| [k.into_owned(), v.into_owned()]),
    );
    texts.extend(
        request
            .headers
            .iter()
            .filter_map(|(_, v)| v.to_str().ok().map(str::to_owned)),
    );
    for text in texts {
        assert!(
            !text.contains(&CALLER_PHONE[2..]),
            "phone number sent: {text}"
        );
        assert!(!contains_phone_like(&text), "phone-like text sent: {text}");
    }
}

pub fn header<'a>(request: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}
