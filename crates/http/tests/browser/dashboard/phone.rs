//! On a phone: the sign-in form works from the keyboard and the dashboard fits.

use super::support::*;
use djcalls_testkit::browser::{Browser, Viewport};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_sign_in_works_from_the_keyboard_and_the_dashboard_fits() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let page = browser.page(Viewport::Phone).await;
    page.goto(&t.url("/login")).await;
    page.wait_until("the sign-in form", "document.getElementById('login-form')")
        .await;
    // Every visible field has a label.
    let unlabelled = page
        .eval(
            "return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))\
             .filter(i => !(i.id && document.querySelector('label[for=\"' + i.id + '\"]')))\
             .map(i => i.name);",
        )
        .await;
    assert_eq!(unlabelled, serde_json::json!([]), "inputs without labels");
    page.screenshot("dashboard-login-phone").await;

    // Email, Tab, password, Tab: the keyboard is on "Sign in"; Enter submits.
    fill(&page, "#email", SPARKLE.0).await;
    type_keys(&page, TAB).await;
    assert!(focused(&page, "#password").await, "Tab to the password");
    type_keys(&page, SPARKLE.1).await;
    type_keys(&page, TAB).await;
    assert!(
        focused(&page, "[data-testid=login-submit]").await,
        "Tab reaches the sign-in button"
    );
    type_keys(&page, ENTER).await;
    page.wait_until(
        "the dashboard after signing in",
        "location.pathname === '/dashboard' && document.getElementById('dashboard')",
    )
    .await;

    // Phone-sized and usable: the page's viewport, nothing wider than the screen.
    assert_eq!(
        page.eval("return [window.innerWidth, window.innerHeight];")
            .await,
        serde_json::json!([390, 844])
    );
    let widths = page
        .eval("return [document.documentElement.scrollWidth, window.innerWidth];")
        .await;
    assert!(
        widths[0].as_i64().unwrap() <= widths[1].as_i64().unwrap(),
        "the dashboard scrolls sideways on a phone: {widths}"
    );
    assert!(dom_metrics(&page).await.len() >= 22);
    assert!(
        page.eval("return document.querySelectorAll('#call-rows > tr').length > 0;")
            .await
            == Value::Bool(true)
    );
    page.screenshot("dashboard-dj-phone").await;
    page.close().await;
}
