//! Payment configuration as an operator meets it (SPEC §1): `PAYMENT_PROVIDER` and the Stripe /
//! TipJar settings, checked at start-up, and a server whose links and webhooks use them.
#![allow(clippy::unwrap_used)]

mod support;
use support::{djcalls, sqlite_url};

use axum::Router;
use axum::body::Bytes;
use axum::http::Uri;
use djcalls_domain::{CallId, DjProfileId};
use djcalls_payments::stripe::sign_stripe_payload;
use djcalls_payments::tipjar::sign_tipjar_payload;
use djcalls_store::{DbTime, Store};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SERVICE_KEY: &str = "cli-test-service-key-123";
const WEBHOOK_SECRET: &str = "whsec_cli_test";

#[test]
fn a_provider_without_its_settings_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("PAYMENT_PROVIDER", "stripe")],
            "PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY",
        ),
        (
            &[("PAYMENT_PROVIDER", "tipjar"), ("TIPJAR_API_KEY", "tj_key")],
            "PAYMENT_PROVIDER=tipjar needs both TIPJAR_API_URL and TIPJAR_API_KEY",
        ),
        (
            &[("TIPJAR_API_URL", "https://tipjar.example/sessions")],
            "needs both TIPJAR_API_URL and TIPJAR_API_KEY",
        ),
        (
            &[
                ("STRIPE_SECRET_KEY", "sk_test_abc"),
                ("STRIPE_API_BASE_URL", "ftp://stripe.example"),
            ],
            "STRIPE_API_BASE_URL must be an http(s) URL",
        ),
        (&[("PAYMENT_PROVIDER", "paypal")], "PAYMENT_PROVIDER"),
    ];
    for (vars, expected) in cases {
        let mut cmd = djcalls();
        cmd.arg("serve").env("DATABASE_URL", sqlite_url(&dir));
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let output = cmd.output().unwrap();
        assert!(!output.status.success(), "{vars:?} should fail");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{vars:?}: {stderr}");
        assert!(
            !stderr.contains("sk_test_abc") && !stderr.contains("tj_key"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        if vars[0].1 != "paypal" {
            // clap explains an unknown value over several lines; our own checks use one.
            let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
            assert_eq!(lines.len(), 1, "{stderr}");
        }
    }
}

/// Starts `serve` with `vars` on a free port and waits until it answers.
fn serve(dir: &tempfile::TempDir, vars: &[(&str, String)]) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut cmd = djcalls();
    cmd.arg("serve")
        .env("DATABASE_URL", sqlite_url(dir))
        .env("DJCALLS_LISTEN", &listen)
        .env("DJCALLS_SERVICE_KEY", SERVICE_KEY)
        .stderr(Stdio::piped());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the server did not start");
        match lines.next() {
            Some(Ok(line)) if line.contains("djcalls is serving") => break,
            Some(Ok(_)) => continue,
            _ => panic!("the server exited before serving"),
        }
    }
    std::thread::spawn(move || for _ in lines {});
    (child, format!("http://{listen}"))
}

/// A fake Stripe: a Price, then a Checkout Session; remembers the paths it was asked for.
async fn fake_stripe() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let log = seen.clone();
    let router = Router::new().fallback(move |uri: Uri, body: Bytes| {
        let log = log.clone();
        async move {
            let path = uri.path().to_string();
            log.lock()
                .unwrap()
                .push((path.clone(), String::from_utf8_lossy(&body).into_owned()));
            axum::Json(match path.as_str() {
                "/v1/prices" => json!({"id": "price_cli"}),
                _ => json!({"id": "cs_cli", "url": "https://checkout.stripe.test/c/pay/cs_cli"}),
            })
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (url, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stripe_settings_reach_the_links_and_the_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let (stripe_url, seen) = fake_stripe().await;
    // No PAYMENT_PROVIDER: a Stripe key selects Stripe.
    let (mut child, base) = serve(
        &dir,
        &[
            ("STRIPE_SECRET_KEY", "sk_test_cli".to_string()),
            ("STRIPE_API_BASE_URL", stripe_url),
            ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET.to_string()),
        ],
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let dj = DjProfileId(uuid::Uuid::new_v4());
    let response = client
        .put(format!("{base}/api/djdash/profiles/{dj}"))
        .bearer_auth(SERVICE_KEY)
        .json(&json!({"dj_name": "DJ Cli", "dj_slug": "dj-cli"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let call: Value = client
        .post(format!("{base}/api/djdash/calls"))
        .bearer_auth(SERVICE_KEY)
        .json(&json!({"dj_profile_id": dj.to_string(), "caller_number": "+14155550123"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let call_id = CallId(call["call"]["id"].as_str().unwrap().parse().unwrap());
    let store = Store::connect(&sqlite_url(&dir)).await.unwrap();
    store
        .ensure_payment_link(
            call_id,
            dj,
            "tcli",
            "ref_cli",
            DbTime(jiff::Timestamp::now()),
        )
        .await
        .unwrap();

    let opened = client.get(format!("{base}/pay/tcli")).send().await.unwrap();
    assert_eq!(opened.status(), 303);
    assert_eq!(
        opened.headers()["location"],
        "https://checkout.stripe.test/c/pay/cs_cli"
    );
    let paths: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(p, _)| p.clone())
        .collect();
    assert_eq!(paths, ["/v1/prices", "/v1/checkout/sessions"]);

    let event = json!({
        "id": "evt_cli", "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_cli", "payment_status": "paid", "payment_intent": "pi_cli",
            "amount_total": 20_000, "currency": "usd", "client_reference_id": "ref_cli"}}
    })
    .to_string();
    let now = jiff::Timestamp::now().as_second();
    let post = |header: &'static str, signature: String| {
        client
            .post(format!(
                "{base}/api/{}/webhook",
                if header == "Stripe-Signature" {
                    "stripe"
                } else {
                    "tipjar"
                }
            ))
            .header(header, signature)
            .body(event.clone())
            .send()
    };
    // Stripe is the provider and TIPJAR_WEBHOOK_SECRET is unset: the TipJar endpoint verifies
    // nothing, not even with the simulator's public secret.
    let simulator_secret = SecretString::from("djcalls-simulator-webhook-secret".to_string());
    let tipjar = post(
        "X-TipJar-Signature",
        sign_tipjar_payload(&simulator_secret, now, event.as_bytes()),
    )
    .await
    .unwrap();
    assert_eq!(tipjar.status(), 400);
    let secret = SecretString::from(WEBHOOK_SECRET.to_string());
    let stripe = post(
        "Stripe-Signature",
        sign_stripe_payload(&secret, now, event.as_bytes()),
    )
    .await
    .unwrap();
    assert_eq!(stripe.status(), 200);
    let call: Value = client
        .get(format!("{base}/api/djdash/calls/{call_id}"))
        .bearer_auth(SERVICE_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(call["call"]["tipjar_payment_received"], true);
    assert_eq!(call["call"]["tipjar_payment_amount"], 200.0);

    store.close().await;
    child.kill().unwrap();
    let _ = child.wait();
}
