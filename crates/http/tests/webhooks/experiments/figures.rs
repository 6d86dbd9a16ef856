//! An experiment's figures over HTTP after real texts, link opens, payments and a refund: per
//! variant `sent`, `opened`, `paid`, `revenueCents`, the conversion rate with its Wilson
//! interval, and the winner once the z-test gives p < 0.05. Stopping it: later calls get the
//! DJ's own text, and the figures stay.

use super::support::*;
use crate::followup::support::*;
use crate::payments::support::{get as get_page, tipjar_event};
use djcalls_domain::CallId;
use djcalls_domain::experiment_stats::{Z_95, round2, two_proportion_z_test, wilson_interval};
use djcalls_telephony::CallOutcome;
use djcalls_testkit::TestApp;
use serde_json::Value;

djcalls_testkit::on_both_backends! { TestApp:
    figures_follow_texts_opens_and_payments_and_name_the_winner => figures;
}

const DEPOSIT: i64 = 4_000;

/// The token of the payment link in a text.
fn token(body: &str) -> &str {
    let after = &body[body.find("/pay/").unwrap() + 5..];
    after.split_whitespace().next().unwrap()
}

async fn figures(app: TestApp) {
    app.clock.set(noon());
    let (dj, number) = dj(&app).await;
    let id = running(&app, &two_variants("Deposit", [50, 50])).await;
    let n = 20;
    for i in 0..n {
        let caller = format!("+141555504{i:02}");
        call(&app, CallOutcome::Answered, &number, &caller, 95).await;
    }
    assert_eq!(app.app.run_due_jobs().await, n);
    let sent = app.telephony.sent_messages();

    // Every B text's link is opened and paid, except one refunded in full afterwards; one A
    // text's link is opened (twice) and nobody in A pays.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for record in app.calls_of(dj).await {
        let call_id = CallId(record["id"].as_str().unwrap().parse().unwrap());
        let (_, variant) = app
            .db
            .store
            .followup_variant(call_id)
            .await
            .unwrap()
            .unwrap();
        let caller = record["caller_number"].as_str().unwrap();
        let body = &sent.iter().find(|m| m.to.as_str() == caller).unwrap().body;
        let token = token(body).to_string();
        if variant == 0 {
            a.push(token)
        } else {
            b.push(token)
        }
    }
    assert!(
        a.len() >= 2 && b.len() >= 2,
        "20 calls at 50/50: {} / {}",
        a.len(),
        b.len()
    );
    for token in [&a[0], &a[0]].into_iter().chain(&b) {
        let (status, _, _) = get_page(&app.url(&format!("/pay/{token}"))).await;
        assert_eq!(status, 303);
    }
    for (i, token) in b.iter().enumerate() {
        let link = app
            .db
            .store
            .payment_link_by_token(token)
            .await
            .unwrap()
            .unwrap();
        let (event, payment) = (format!("evt_{i}"), format!("pay_{i}"));
        let reference = link.reference.as_str();
        let kind = "payment.succeeded";
        let paid = tipjar_event(&app, &event, kind, &payment, DEPOSIT, "usd", reference).await;
        assert_eq!(paid, 200);
        if i == 0 {
            let kind = "payment.refunded";
            let refunded = tipjar_event(&app, "evt_r", kind, &payment, DEPOSIT, "usd", reference);
            assert_eq!(refunded.await, 200);
        }
    }

    let e = experiment(&app, &id).await;
    let (na, nb) = (a.len() as i64, b.len() as i64);
    let row = |i: usize| {
        let v = &e["variants"][i];
        ["sent", "opened", "paid", "revenueCents"].map(|k| v[k].as_i64().unwrap())
    };
    assert_eq!(row(0), [na, 1, 0, 0], "{e}");
    assert_eq!(row(1), [nb, nb, nb - 1, (nb - 1) * DEPOSIT], "{e}");
    let rate = |paid: i64, sent: i64| {
        let (low, high) = wilson_interval(paid as u64, sent as u64, Z_95).unwrap();
        (
            round2(paid as f64 / sent as f64 * 100.0),
            round2(low * 100.0),
            round2(high * 100.0),
        )
    };
    let shown = |i: usize| {
        let v = &e["variants"][i];
        (
            v["conversionRate"].as_f64().unwrap(),
            v["conversionInterval"]["low"].as_f64().unwrap(),
            v["conversionInterval"]["high"].as_f64().unwrap(),
        )
    };
    assert_eq!(shown(0), rate(0, na));
    assert_eq!(shown(1), rate(nb - 1, nb));
    assert_eq!(shown(0).0, 0.0);
    // B converts (nb − 1)/nb against A's 0/na: p < 0.01 for any split of 20 with two or more
    // on each side, so B wins.
    let p = two_proportion_z_test((nb - 1) as u64, nb as u64, 0, na as u64)
        .unwrap()
        .p_value;
    assert!(p < 0.01, "{p}");
    assert_eq!(e["pValue"].as_f64().unwrap(), p);
    assert_eq!(e["winner"]["name"], "B", "{e}");
    assert_eq!(e["leader"], 1);

    // Stopped: the next caller gets the DJ's own text and counts nowhere.
    let (status, _) = post(&app, &format!("/api/djdash/experiments/{id}/stop"), None).await;
    assert_eq!(status, 200);
    call(&app, CallOutcome::Answered, &number, "+14155504990", 95).await;
    assert_eq!(app.app.run_due_jobs().await, 1);
    let last = app.telephony.sent_messages().pop().unwrap();
    assert!(
        last.body.starts_with("Thanks for calling DJ Sparkle!"),
        "{}",
        last.body
    );
    let after = experiment(&app, &id).await;
    assert_eq!(after["variants"], e["variants"]);
    assert_eq!(after["state"], "stopped");
    assert_ne!(after["winner"], Value::Null, "the result stays");
}
