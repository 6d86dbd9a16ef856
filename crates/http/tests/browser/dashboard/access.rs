//! Who reaches which page: own call yes, another DJ's and the console no; the admin's console.

use super::support::*;
use djcalls_domain::DjProfileId;
use djcalls_testkit::browser::{Browser, Viewport};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dj_opens_their_own_call_and_is_refused_another_dj_s_and_the_admin_console() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, SPARKLE, "dashboard").await;

    // Their own call.
    let calls = t.calls_of(sparkle()).await;
    let mine = calls
        .iter()
        .find(|c| c["is_booked"] == false && c["call_status"] == "completed")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    page.goto(&t.url(&format!("/dashboard/calls/{mine}"))).await;
    page.wait_until(
        "the call page",
        "document.querySelector('[data-testid=call-page]') && document.querySelector('[data-testid=timeline]')",
    )
    .await;
    page.screenshot("dashboard-call").await;
    // Mark as booked, through the page's form.
    page.click("[data-testid=mark-booked]").await;
    page.wait_until(
        "the call to be booked",
        "document.querySelector('[data-testid=call-page]').getAttribute('data-booked') === 'true'",
    )
    .await;
    assert_eq!(page.text("[data-testid=booked]").await, "Yes");

    // Another DJ's call page.
    let theirs = t.calls_of(DjProfileId(MARCO_ID.parse().unwrap())).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    page.goto(&t.url(&format!("/dashboard/calls/{theirs}")))
        .await;
    page.wait_until(
        "the refusal page",
        "document.querySelector('[data-testid=error]')",
    )
    .await;
    let status = page.attr("[data-testid=error]", "data-status").await;
    assert!(
        matches!(status.as_deref(), Some("403" | "404")),
        "another DJ's call: {status:?}"
    );
    assert!(
        page.eval("return document.querySelector('[data-testid=call-page]') === null;")
            .await
            == Value::Bool(true)
    );
    page.screenshot("dashboard-call-refused").await;

    // The admin console: no link to it, and refused when typed in.
    assert!(
        page.eval("return document.querySelector('[data-testid=nav-admin]') === null;")
            .await
            == Value::Bool(true)
    );
    page.goto(&t.url("/admin")).await;
    page.wait_until(
        "the refusal page",
        "document.querySelector('[data-testid=error]')",
    )
    .await;
    assert_eq!(
        page.attr("[data-testid=error]", "data-status")
            .await
            .as_deref(),
        Some("403")
    );
    assert!(
        page.eval("return document.getElementById('admin') === null;")
            .await
            == Value::Bool(true)
    );
    page.close().await;
}

/// How many numbers of area code 415 the pool table lists.
const IN_415: &str = "return Array.from(document.querySelectorAll('[data-testid=numbers] tbody tr'))\
     .filter(r => r.children[3].textContent.trim() === '415').length;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_buys_pool_numbers_and_retries_a_dead_job_from_the_console() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    t.dead_job().await;

    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, ADMIN, "admin").await;
    for id in [
        "pool",
        "jobs",
        "numbers",
        "buy-form",
        "dead-jobs",
        "figures",
    ] {
        assert!(
            page.eval(&format!(
                "return document.querySelector('[data-testid={id}]') !== null;"
            ))
            .await
                == Value::Bool(true),
            "no {id} on /admin"
        );
    }
    page.screenshot("dashboard-admin").await;

    // Buy two numbers in 415 through the pool form.
    let available: i64 = page
        .attr("[data-testid=pool-available]", "data-value")
        .await
        .unwrap()
        .parse()
        .unwrap();
    let before_415 = page.eval(IN_415).await.as_i64().unwrap();
    fill(&page, "#buy-count", "2").await;
    fill(&page, "#buy-area", "415").await;
    page.click("[data-testid=buy-submit]").await;
    page.wait_until(
        "the pool after buying",
        &format!(
            "new URLSearchParams(location.search).get('notice') === 'bought' \
             && document.querySelector('[data-testid=pool-available]').getAttribute('data-value') === '{}'",
            available + 2
        ),
    )
    .await;
    assert!(!page.text("[data-testid=notice]").await.is_empty());
    let after_415 = page.eval(IN_415).await.as_i64().unwrap();
    assert_eq!(after_415, before_415 + 2);

    // Retry the dead job.
    let id = page
        .attr(
            "[data-testid=dead-jobs] tbody tr[data-job-id]",
            "data-job-id",
        )
        .await
        .unwrap();
    page.click(&format!("[data-testid=retry-{id}]")).await;
    page.wait_until(
        "the job to be pending again",
        &format!(
            "new URLSearchParams(location.search).get('notice') === 'retried' \
             && !document.querySelector('[data-testid=retry-{id}]') \
             && document.querySelector('[data-testid=pending-jobs] tr[data-job-id=\"{id}\"]')"
        ),
    )
    .await;
    page.screenshot("dashboard-admin-after-forms").await;
    page.close().await;
}
