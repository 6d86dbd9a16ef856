//! The dashboards' "Download these calls (CSV)" links (SPEC §14): each carries the page's
//! range and filters, and the session cookie alone authorises the download.

use super::support::{attr_after, client, get, login};
use djcalls_domain::{DjProfileId, Role};
use djcalls_testkit::TestApp;
use reqwest::Client;
use serde_json::json;
use uuid::Uuid;

const DJ: DjProfileId = DjProfileId(Uuid::from_u128(0x0c5a_0000_0000_4000_8000_0000_0000_0001));
const OTHER: DjProfileId = DjProfileId(Uuid::from_u128(0x0c5a_0000_0000_4000_8000_0000_0000_0002));
const PASSWORD: &str = "a-long-password";

async fn log(t: &TestApp, dj: DjProfileId, at: &str, status: &str) -> String {
    let response = t
        .client
        .post(t.url("/api/djdash/calls"))
        .bearer_auth(t.service_key())
        .json(&json!({"dj_profile_id": dj.to_string(), "timestamp": at, "call_status": status}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    body["call"]["id"].as_str().unwrap().to_string()
}

/// The export link of `page` (as the browser reads the attribute).
async fn export_link(client: &Client, t: &TestApp, page: &str) -> String {
    let (status, html) = get(client, t, page).await;
    assert_eq!(status, 200, "{page}");
    let href = attr_after(&html, "data-testid=\"export-csv\"", "href");
    // As the browser decodes the attribute: askama writes `&` as `&#38;`.
    let href = ["&#38;", "&amp;"]
        .iter()
        .fold(href, |h, entity| h.replace(entity, "&"));
    assert!(href.starts_with("/api/djdash/calls/export.csv?"), "{href}");
    href
}

/// Follows `href` with `client`'s cookies only; returns the exported ids, newest first.
async fn download(client: &Client, t: &TestApp, href: &str) -> Vec<String> {
    let response = client.get(t.url(href)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{href}");
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let bytes = response.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let id = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "id")
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[id].to_string())
        .collect()
}

async fn the_dashboards_link_to_what_they_show(t: TestApp) {
    t.profile(DJ, "csv-dj").await;
    t.profile(OTHER, "csv-other").await;
    t.user_token("csv@example.com", Role::Dj, &[DJ]).await;
    t.user_token("csv-admin@example.com", Role::Admin, &[])
        .await;
    // The test clock reads 2026-06-15T12:00:00Z.
    let recent = log(&t, DJ, "2026-06-14T15:00:00Z", "completed").await;
    let busy = log(&t, DJ, "2026-06-10T15:00:00Z", "busy").await;
    let old = log(&t, DJ, "2026-03-01T15:00:00Z", "completed").await;
    let others = log(&t, OTHER, "2026-06-13T15:00:00Z", "completed").await;

    let dj = login(&t, ("csv@example.com", PASSWORD)).await;
    let href = export_link(&dj, &t, "/dashboard?range=30d").await;
    assert!(href.contains(&format!("dj_profile_id={DJ}")), "{href}");
    assert_eq!(
        download(&dj, &t, &href).await,
        [recent.as_str(), busy.as_str()]
    );
    let href = export_link(&dj, &t, "/dashboard?range=all").await;
    assert_eq!(
        download(&dj, &t, &href).await,
        [recent.as_str(), busy.as_str(), old.as_str()]
    );
    let href = export_link(&dj, &t, "/dashboard?range=30d&status=busy").await;
    assert_eq!(download(&dj, &t, &href).await, [busy.as_str()]);

    // Without the cookie the same link is refused; a DJ's cookie never reaches other calls.
    let anonymous = client().get(t.url(&href)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let theirs = format!("/api/djdash/calls/export.csv?dj_profile_id={OTHER}");
    let refused = dj.get(t.url(&theirs)).send().await.unwrap();
    assert_eq!(refused.status(), 403);

    let admin = login(&t, ("csv-admin@example.com", PASSWORD)).await;
    let href = export_link(&admin, &t, "/admin?range=30d").await;
    assert_eq!(
        download(&admin, &t, &href).await,
        [recent.as_str(), others.as_str(), busy.as_str()]
    );
    let href = export_link(&admin, &t, &format!("/admin?range=all&dj_profile_id={DJ}")).await;
    assert_eq!(
        download(&admin, &t, &href).await,
        [recent.as_str(), busy.as_str(), old.as_str()]
    );
}

djcalls_testkit::on_both_backends! { TestApp:
    dashboards_link_to_a_csv_of_what_they_show => the_dashboards_link_to_what_they_show;
}
