//! The admin console's "Refunds waiting for their payment" section: provider, payment id,
//! amount in dollars, when received and how long ago, flagged stale after 30 days.

use super::*;
use djcalls_app::payments::sign_tipjar_payload;
use djcalls_app::settings::SIMULATOR_WEBHOOK_SECRET;
use jiff::SignedDuration;
use secrecy::SecretString;

/// A signed TipJar `payment.refunded` for a payment nobody has seen yet.
async fn early_refund(app: &TestApp, payment_id: &str, cents: i64) {
    let body = serde_json::json!({
        "id": format!("evt_{payment_id}"),
        "type": "payment.refunded",
        "data": {"payment_id": payment_id, "amount_cents": cents, "currency": "usd",
                 "reference": "ref_console"}
    })
    .to_string();
    let secret = SecretString::from(SIMULATOR_WEBHOOK_SECRET.to_string());
    let signature = sign_tipjar_payload(&secret, app.clock.now().as_second(), body.as_bytes());
    let response = app
        .client
        .post(app.url("/api/tipjar/webhook"))
        .header("content-type", "application/json")
        .header("X-TipJar-Signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// The section of the console page, from its opening tag to the next section.
fn section(page: &str) -> &str {
    let start = page
        .find("data-testid=\"pending-refunds\"")
        .unwrap_or_else(|| panic!("no section in {page}"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap()]
}

#[tokio::test]
async fn admins_see_refunds_waiting_for_their_payment_and_which_are_stale() {
    let app = seeded().await;
    let admin = login(&app, ADMIN).await;
    let (status, page) = get(&admin, &app, "/admin").await;
    assert_eq!(status, 200);
    assert!(section(&page).contains("None."));

    early_refund(&app, "pay_console_old", 1_500).await;
    app.clock
        .set(app.clock.now() + SignedDuration::from_hours(31 * 24 + 2));
    early_refund(&app, "pay_console_new", 250).await;
    app.clock
        .set(app.clock.now() + SignedDuration::from_mins(5));

    // A month later the first session has expired: sign in again.
    let admin = login(&app, ADMIN).await;
    let (status, page) = get(&admin, &app, "/admin").await;
    assert_eq!(status, 200);
    let rows = section(&page);
    let old = &rows[rows.find("data-payment-id=\"pay_console_old\"").unwrap()..];
    let old = &old[..old.find("</tr>").unwrap()];
    assert!(old.contains("data-stale=\"true\""), "{old}");
    assert!(old.contains("<td>tipjar</td>"), "{old}");
    assert!(old.contains("$15.00"), "{old}");
    assert!(old.contains("31 d 2 h"), "{old}");
    assert!(old.contains("data-testid=\"stale\""), "{old}");
    let new = &rows[rows.find("data-payment-id=\"pay_console_new\"").unwrap()..];
    let new = &new[..new.find("</tr>").unwrap()];
    assert!(new.contains("data-stale=\"false\""), "{new}");
    assert!(new.contains("$2.50"), "{new}");
    assert!(new.contains("0 h 5 min"), "{new}");
    assert!(!new.contains("data-testid=\"stale\""), "{new}");
    // Oldest first: the one to look at leads.
    assert!(rows.find("pay_console_old") < rows.find("pay_console_new"));
}
