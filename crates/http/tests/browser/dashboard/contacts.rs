//! A DJ finds their contacts from the dashboard's navigation, searches one by number, and
//! opens it: the contact's calls, each linking to its call page, whose caller history links back.

use super::support::*;
use djcalls_testkit::browser::{Browser, Viewport};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dj_finds_a_contact_from_the_nav_and_opens_its_calls() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, SPARKLE, "dashboard").await;

    page.click("[data-testid=nav-contacts]").await;
    page.wait_until(
        "the contacts list",
        "location.pathname === '/dashboard/contacts' && document.querySelector('[data-testid=contact-row]')",
    )
    .await;
    page.screenshot("dashboard-contacts").await;
    let phone = page
        .text("[data-testid=contact-row] td.mono")
        .await
        .trim()
        .to_string();
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();

    // Search by the last digits, as a person would type them.
    fill(
        &page,
        "[data-testid=contact-search-phone]",
        &digits[digits.len() - 7..],
    )
    .await;
    type_keys(&page, ENTER).await;
    page.wait_until(
        "the search result",
        &format!(
            "new URLSearchParams(location.search).get('phone') === '{}' \
             && [...document.querySelectorAll('[data-testid=contact-row] td.mono')].every(td => td.textContent.includes('{}'))",
            &digits[digits.len() - 7..],
            &digits[digits.len() - 7..]
        ),
    )
    .await;

    page.click("[data-testid=contact-row] a").await;
    page.wait_until(
        "the contact page with its calls",
        "document.querySelector('[data-testid=contact-page]') && document.querySelector('[data-testid=call-row]')",
    )
    .await;
    assert_eq!(page.text("[data-testid=contact-phone]").await.trim(), phone);
    page.screenshot("dashboard-contact").await;

    page.click("[data-testid=call-row] a").await;
    page.wait_until(
        "the call page with the caller's history",
        "document.querySelector('[data-testid=call-page]') && document.querySelector('[data-testid=contact-link]')",
    )
    .await;
    page.click("[data-testid=contact-link]").await;
    page.wait_until(
        "back on the contact",
        "location.pathname.startsWith('/dashboard/contacts/') && document.querySelector('[data-testid=contact-page]')",
    )
    .await;
    page.close().await;
}

/// The contacts page's "Download contacts (CSV)" link, followed by the page itself with its
/// session (a same-origin `fetch` of the link's own `href`): a CSV answer with the header row
/// and the contact the page lists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contacts_pages_csv_link_downloads_its_contacts() {
    let Some(browser) = Browser::launch().await else {
        return;
    };
    let t = seeded().await;
    let page = browser.page(Viewport::Desktop).await;
    sign_in(&page, &t, SPARKLE, "dashboard").await;
    page.goto(&t.url("/dashboard/contacts")).await;
    page.wait_until(
        "the contacts list and its CSV link",
        "document.querySelector('[data-testid=contact-row]') \
         && document.querySelector('[data-testid=export-contacts-csv]')",
    )
    .await;
    let listed = page
        .text("[data-testid=contact-row] td.mono")
        .await
        .trim()
        .to_string();
    let answer = page
        .eval(
            "const link = document.querySelector('[data-testid=export-contacts-csv]');
             const response = await fetch(link.href, {credentials: 'same-origin'});
             return {status: response.status, type: response.headers.get('content-type'),
                     disposition: response.headers.get('content-disposition'),
                     body: await response.text(), href: link.getAttribute('href')};",
        )
        .await;
    assert!(
        answer["href"]
            .as_str()
            .unwrap()
            .starts_with("/api/djdash/contacts/export.csv"),
        "{answer}"
    );
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(answer["type"], "text/csv; charset=utf-8");
    assert!(
        answer["disposition"]
            .as_str()
            .is_some_and(|d| d.starts_with("attachment")),
        "{answer}"
    );
    let body = answer["body"].as_str().unwrap();
    let mut lines = body.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("id,dj_profile_id,phone,name,"),
        "{body}"
    );
    let digits: String = listed.chars().filter(char::is_ascii_digit).collect();
    assert!(
        lines.any(|row| row.contains(SPARKLE_ID) && row.contains(&digits[digits.len() - 7..])),
        "the listed contact {listed} is in the download:\n{body}"
    );
    page.close().await;
}
