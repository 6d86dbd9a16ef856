//! Issue 10's fuzz suite: every operation of the OpenAPI document, driven with inputs generated
//! from its own schemas (plausible, broken and garbage bodies; query and path parameters), as
//! an admin, a DJ and nobody; and every Twilio and payment webhook with correctly signed random
//! forms and events. Not one answer may be a 5xx, and the service must still be ready after.
//!
//! The seed is printed; `DJCALLS_FUZZ_SEED=<seed>` replays a run, `DJCALLS_FUZZ_CASES=<n>`
//! changes the cases per operation and identity (default 12).

use super::super::support::{DJ_A, DJ_B, World, raw};
use super::schema_values::{Generator, percent_encode};
use super::{document, operations};
use djcalls_app::payments::sign_tipjar_payload;
use djcalls_app::settings::{SIMULATOR_AUTH_TOKEN, SIMULATOR_WEBHOOK_SECRET};
use djcalls_telephony::compute_signature;
use djcalls_testkit::TestApp;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::json;

/// The server's own account of a 5xx, printed with the test's output.
fn show_server_logs() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("error")
        .try_init();
}

fn seed() -> u64 {
    show_server_logs();
    std::env::var("DJCALLS_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
        })
}

fn cases() -> usize {
    std::env::var("DJCALLS_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12)
}

/// What was sent, for the failure message.
struct Sent {
    method: String,
    path: String,
    identity: &'static str,
    body: String,
    status: u16,
    answer: String,
}

async fn fuzz_the_json_api(t: TestApp) {
    let seed = seed();
    eprintln!("fuzz seed {seed} (DJCALLS_FUZZ_SEED={seed} replays it)");
    let w = World::on(t).await;
    let (dj, _) =
        w.t.dj_with_number("fuzz", "Fuzz DJ", "America/Chicago")
            .await;
    let call = w
        .log_call(json!({"dj_profile_id": DJ_A.to_string(), "caller_number": "+14155550199"}))
        .await;
    let known = vec![
        DJ_A.to_string(),
        dj.to_string(),
        DJ_B.to_string(),
        call["id"].as_str().unwrap().to_string(),
    ];
    let doc = document(&w.t).await;
    let identities = [
        ("admin", Some(w.admin.clone())),
        ("dj", Some(w.dj_a.clone())),
        ("nobody", None),
    ];
    let mut generator = Generator::new(&doc, seed, known);
    let mut failures: Vec<Sent> = Vec::new();
    let mut sent = 0;
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for (method, template) in operations(&doc) {
        let operation = &doc["paths"][&template][method.to_lowercase()];
        if operation["tags"][0] == json!("webhooks") {
            continue; // Signed: `fuzz_the_webhooks`.
        }
        let body_schema = operation["requestBody"]["content"]["application/json"]["schema"].clone();
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for (identity, token) in &identities {
            for _ in 0..cases() {
                let mut path = template.clone();
                let mut query = Vec::new();
                for parameter in &parameters {
                    let name = parameter["name"].as_str().unwrap_or_default();
                    let value = generator.string(&parameter["schema"]);
                    match parameter["in"].as_str() {
                        Some("path") => {
                            let segment = if generator.chance(70) {
                                generator.path_segment()
                            } else {
                                percent_encode(&value)
                            };
                            path = path.replace(&format!("{{{name}}}"), &segment);
                        }
                        Some("query") if generator.chance(70) => {
                            query.push(format!("{name}={}", percent_encode(&value)));
                        }
                        _ => {}
                    }
                }
                if !query.is_empty() {
                    path = format!("{path}?{}", query.join("&"));
                }
                let body = if body_schema.is_null() {
                    None
                } else {
                    Some(if generator.chance(10) {
                        generator.garbage()
                    } else if generator.chance(45) {
                        serde_json::to_vec(&generator.broken(&body_schema)).unwrap()
                    } else {
                        serde_json::to_vec(&generator.plausible(&body_schema, 0)).unwrap()
                    })
                };
                let reply = raw(
                    &w.t,
                    method.parse::<Method>().unwrap(),
                    &path,
                    token.as_deref(),
                    body.as_ref().map(|_| "application/json"),
                    body.clone(),
                )
                .await;
                sent += 1;
                *statuses.entry(reply.status).or_default() += 1;
                if reply.status >= 500 {
                    failures.push(Sent {
                        method: method.clone(),
                        path,
                        identity,
                        body: String::from_utf8_lossy(&body.unwrap_or_default())
                            .chars()
                            .take(500)
                            .collect(),
                        status: reply.status,
                        answer: reply.body.to_string(),
                    });
                }
            }
        }
    }
    assert_still_ready(&w.t).await;
    eprintln!("fuzz: answers by status {statuses:?}");
    // Generated input must reach the handlers' success paths too, not only their refusals.
    let successes: usize = statuses.range(200..300).map(|(_, n)| n).sum();
    assert!(
        successes > 0,
        "no generated request succeeded: {statuses:?}"
    );
    report(seed, sent, failures);
}

fn report(seed: u64, sent: usize, failures: Vec<Sent>) {
    eprintln!("fuzz: {sent} requests, {} answered 5xx", failures.len());
    assert!(sent > 0);
    let shown: Vec<String> = failures
        .iter()
        .take(10)
        .map(|f| {
            format!(
                "{} {} as {} with {:?} → {} {}",
                f.method, f.path, f.identity, f.body, f.status, f.answer
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "seed {seed}: {} of {sent} requests answered 5xx:\n{}",
        failures.len(),
        shown.join("\n")
    );
}

async fn assert_still_ready(t: &TestApp) {
    let ready = raw(t, Method::GET, "/readyz", None, None, None).await;
    assert_eq!(ready.status, 200, "not ready after fuzzing: {}", ready.body);
}

/// Parameter names Twilio's voice and SMS webhooks carry.
const TWILIO_FIELDS: &[&str] = &[
    "CallSid",
    "AccountSid",
    "From",
    "To",
    "Caller",
    "Called",
    "Direction",
    "CallStatus",
    "CallDuration",
    "DialCallStatus",
    "DialCallDuration",
    "DialCallSid",
    "RecordingSid",
    "RecordingUrl",
    "RecordingDuration",
    "RecordingStatus",
    "TranscriptionText",
    "TranscriptionStatus",
    "Digits",
    "MessageSid",
    "SmsSid",
    "Body",
    "MessageStatus",
    "ErrorCode",
    "SequenceNumber",
    "Timestamp",
];

/// Correctly signed webhooks with random contents: whatever they say, no 5xx.
async fn fuzz_the_webhooks(t: TestApp) {
    let seed = seed();
    eprintln!("webhook fuzz seed {seed} (DJCALLS_FUZZ_SEED={seed} replays it)");
    let w = World::on(t).await;
    let (dj, number) =
        w.t.dj_with_number("fuzz", "Fuzz DJ", "America/Chicago")
            .await;
    let doc = document(&w.t).await;
    let mut generator = Generator::new(&doc, seed, vec![dj.to_string()]);
    let string = json!({"type": "string"});
    let mut failures = Vec::new();
    let mut sent = 0;
    for (method, path) in operations(&doc) {
        let operation = &doc["paths"][&path][method.to_lowercase()];
        if operation["tags"][0] != json!("webhooks") {
            continue;
        }
        let twilio = operation["requestBody"]["content"]
            .get("application/x-www-form-urlencoded")
            .is_some();
        for _ in 0..cases() * 3 {
            let url = w.t.url(&path);
            let mut request = w.t.client.post(&url);
            let body;
            if twilio {
                let mut params: Vec<(String, String)> = Vec::new();
                let sid = format!("CA{}", generator.uuid().simple());
                for field in TWILIO_FIELDS {
                    if generator.chance(50) {
                        let value = match *field {
                            "CallSid" if generator.chance(70) => sid.clone(),
                            "To" | "Called" if generator.chance(60) => number.as_str().into(),
                            "AccountSid" if generator.chance(60) => {
                                djcalls_telephony::simulate::SIMULATED_ACCOUNT_SID.into()
                            }
                            _ => generator.string(&string),
                        };
                        params.push((field.to_string(), value));
                    }
                }
                let signature = compute_signature(SIMULATOR_AUTH_TOKEN, &url, &params);
                body = serde_urlencoded::to_string(&params).unwrap();
                request = request
                    .header("X-Twilio-Signature", signature)
                    .header("content-type", "application/x-www-form-urlencoded");
            } else if path.contains("tipjar") {
                let event = json!({
                    "id": generator.string(&string),
                    "type": generator.string(&json!({"type": "string",
                        "enum": ["payment.succeeded", "payment.refunded", "payment.failed"]})),
                    "data": generator.plausible(&json!({"type": "object", "properties": {
                        "payment_id": {"type": "string"}, "amount_cents": {"type": "integer"},
                        "currency": {"type": "string"}, "reference": {"type": "string"},
                        "call_id": {"type": "string", "format": "uuid"},
                        "refund_id": {"type": "string"}}}), 0),
                });
                body = event.to_string();
                let now = jiff::Timestamp::now().as_second();
                let secret = SecretString::from(SIMULATOR_WEBHOOK_SECRET.to_string());
                request = request
                    .header(
                        "X-TipJar-Signature",
                        sign_tipjar_payload(&secret, now, body.as_bytes()),
                    )
                    .header("content-type", "application/json");
            } else {
                // Stripe's secret is not configured in this app: every event is refused
                // (400), which is the point of this case too.
                body = generator
                    .plausible(&json!({"type": "object"}), 0)
                    .to_string();
                request = request.header("Stripe-Signature", "t=1,v1=00");
            }
            let response = request.body(body.clone()).send().await.unwrap();
            sent += 1;
            let status = response.status().as_u16();
            if status >= 500 {
                failures.push(Sent {
                    method: method.clone(),
                    path: path.clone(),
                    identity: "provider",
                    body: body.chars().take(500).collect(),
                    status,
                    answer: response.text().await.unwrap_or_default(),
                });
            }
        }
    }
    assert_still_ready(&w.t).await;
    report(seed, sent, failures);
}

djcalls_testkit::on_both_backends! { TestApp:
    every_documented_operation_answers_generated_input_without_a_5xx => fuzz_the_json_api;
    every_webhook_answers_signed_random_input_without_a_5xx => fuzz_the_webhooks;
}
