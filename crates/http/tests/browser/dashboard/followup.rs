//! The follow-up texts form (SPEC §13): typing updates the preview and the SMS segment count at
//! once; a text over two segments is refused by the server with its field named; a valid one
//! is saved and is what the API reads back.

use super::support::*;
use djcalls_testkit::browser::{Browser, Viewport};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_followup_form_previews_counts_and_saves() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, SPARKLE, "dashboard").await;
    page.click("[data-testid=nav-followup]").await;
    page.wait_until(
        "the follow-up form with its counts",
        "document.getElementById('followup') && document.querySelector('[data-testid=count-thanks_en]').textContent !== ''",
    )
    .await;
    let preview = page.text("[data-testid=preview-thanks_es]").await;
    assert!(
        preview.starts_with("¡Gracias por llamar a DJ Sparkle!"),
        "{preview}"
    );
    assert!(
        preview.ends_with("Responde STOP para no recibir mensajes."),
        "{preview}"
    );

    // Typing: the preview and the count follow each keystroke.
    fill(
        &page,
        "[data-testid=text-thanks_en]",
        "Hi from {dj_name}! {link}",
    )
    .await;
    page.wait_until(
        "the preview of the typed text",
        "document.querySelector('[data-testid=preview-thanks_en]').textContent.startsWith('Hi from DJ Sparkle! http')",
    )
    .await;
    assert_eq!(
        page.attr("[data-testid=count-thanks_en]", "data-segments")
            .await
            .as_deref(),
        Some("1")
    );
    assert!(
        page.text("[data-testid=preview-thanks_en]")
            .await
            .ends_with("/pay/xxxxxxxxxxxxxxxxxxxxxx Reply STOP to opt out.")
    );
    type_keys(&page, &" la".repeat(90)).await;
    page.wait_until(
        "three segments",
        "document.querySelector('[data-testid=count-thanks_en]').dataset.segments === '3'",
    )
    .await;
    assert!(
        page.text("[data-testid=count-thanks_en]")
            .await
            .contains("too long")
    );

    // The server refuses it and names the field, keeping what was typed.
    page.click("[data-testid=followup-save]").await;
    page.wait_until(
        "the refusal",
        "document.querySelector('[data-testid=followup-error]')",
    )
    .await;
    let error = page.text("[data-testid=followup-error]").await;
    assert!(
        error.starts_with("thanks.en:") && error.contains("3 SMS segments"),
        "{error}"
    );

    // A valid text saves.
    fill(
        &page,
        "[data-testid=text-thanks_en]",
        "Thanks from {dj_name}! Deposit: {link}",
    )
    .await;
    page.click("[data-testid=followup-save]").await;
    page.wait_until(
        "the saved notice",
        "document.querySelector('[data-testid=followup-saved]')",
    )
    .await;
    page.screenshot("dashboard-followup").await;
    let texts: Value = t
        .client
        .get(t.url(&format!("/api/djdash/profiles/{SPARKLE_ID}/followup")))
        .bearer_auth(t.service_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        texts["thanks"]["en"],
        "Thanks from {dj_name}! Deposit: {link}"
    );
    assert_eq!(
        texts["custom"],
        serde_json::json!(["thanks.en"]),
        "defaults left as they were are not stored"
    );
    page.close().await;
}
