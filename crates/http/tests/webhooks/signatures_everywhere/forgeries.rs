//! Requests that must be refused: a genuine request's body with no signature, a wrong one, or
//! one that is genuine for something else (another URL, another body, another time).

use super::routes::Scheme;
use djcalls_app::payments::sign_stripe_payload;
use djcalls_app::settings::SIMULATOR_AUTH_TOKEN;
use djcalls_telephony::{compute_signature, paths};
use secrecy::SecretString;

/// What is sent: the form parameters (Twilio) or the raw JSON body (payments).
#[derive(Clone, Debug)]
pub enum Body {
    Form(Vec<(String, String)>),
    Json(String),
}

/// One request: which signature header value (none at all when `None`), over what.
#[derive(Debug)]
pub struct Forgery {
    pub case: String,
    /// Appended to the route's path (a query string the signature did not cover).
    pub query: &'static str,
    pub signature: Option<String>,
    pub body: Body,
}

fn forgery(case: &str, signature: Option<String>, body: Body) -> Forgery {
    Forgery {
        case: case.to_string(),
        query: "",
        signature,
        body,
    }
}

/// Twilio: `params` posted to `base_url` + `path` with every kind of bad signature.
pub fn twilio(base_url: &str, path: &str, params: &[(String, String)]) -> Vec<Forgery> {
    let url = format!("{base_url}{path}");
    let sign = |url: &str, params: &[(String, String)]| {
        Some(compute_signature(SIMULATOR_AUTH_TOKEN, url, params))
    };
    let form = || Body::Form(params.to_vec());
    let other_path = if path == paths::CALL_STATUS {
        paths::CALL_INCOMING
    } else {
        paths::CALL_STATUS
    };
    let mut changed = params.to_vec();
    changed[0].1.push('0');
    let mut fewer = params.to_vec();
    fewer.pop();
    let mut more = params.to_vec();
    more.push(("Injected".into(), "1".into()));
    let mut forgeries = vec![
        forgery("no signature", None, form()),
        forgery("empty signature", Some(String::new()), form()),
        forgery("garbage", Some("garbage".into()), form()),
        forgery(
            "wrong auth token",
            Some(compute_signature("not-the-token", &url, params)),
            form(),
        ),
        forgery(
            "signed for another of our paths",
            sign(&format!("{base_url}{other_path}"), params),
            form(),
        ),
        forgery(
            "signed for another host",
            sign(&format!("https://evil.example{path}"), params),
            form(),
        ),
        forgery(
            "signed with one parameter changed",
            sign(&url, params),
            Body::Form(changed),
        ),
        forgery(
            "signed with a parameter more",
            sign(&url, params),
            Body::Form(more),
        ),
        forgery("signed for no parameters", sign(&url, &[]), form()),
    ];
    if !fewer.is_empty() {
        forgeries.push(forgery(
            "signed with a parameter fewer",
            sign(&url, params),
            Body::Form(fewer),
        ));
    }
    let mut query = forgery("signed without the query sent", sign(&url, params), form());
    query.query = "?x=1";
    forgeries.push(query);
    forgeries
}

/// Stripe and TipJar: `body` with every kind of bad `t=…,v1=…` signature at `now`.
pub fn payment(scheme: Scheme, secret: &str, now: i64, body: &str) -> Vec<Forgery> {
    assert_ne!(scheme, Scheme::Twilio);
    // One signing scheme under two names (payments::signature); Stripe's door signs it.
    let sign = |secret: &str, ts: i64, body: &str| {
        Some(sign_stripe_payload(
            &SecretString::from(secret.to_string()),
            ts,
            body.as_bytes(),
        ))
    };
    let json = || Body::Json(body.to_string());
    let other_body = body.replace("\"id\":\"", "\"id\":\"x");
    assert_ne!(other_body, body);
    vec![
        forgery("no signature", None, json()),
        forgery("empty signature", Some(String::new()), json()),
        forgery("garbage", Some("garbage".into()), json()),
        forgery("wrong secret", sign("whsec_wrong", now, body), json()),
        forgery("stale timestamp", sign(secret, now - 301, body), json()),
        forgery("future timestamp", sign(secret, now + 301, body), json()),
        forgery(
            "a v1 over another body",
            sign(secret, now, &other_body),
            json(),
        ),
        forgery("a v1 over no body", sign(secret, now, ""), json()),
        forgery(
            "no v1",
            Some(format!("t={now},v0={}", "0".repeat(64))),
            json(),
        ),
        forgery(
            "a v1 without its timestamp",
            sign(secret, now, body).map(|s| s.split(',').skip(1).collect::<Vec<_>>().join(",")),
            json(),
        ),
    ]
}
