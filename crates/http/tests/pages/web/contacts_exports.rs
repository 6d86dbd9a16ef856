//! The dashboards' "Download … contacts (CSV)" links (SPEC §14): the DJ dashboard's and the
//! admin console's carry the page's range and DJ, the contacts page's its number search, and
//! the session cookie alone authorises the download.

use super::support::{attr_after, client, get, login};
use djcalls_domain::{DjProfileId, Role};
use djcalls_testkit::TestApp;
use reqwest::Client;
use serde_json::json;
use uuid::Uuid;

const DJ: DjProfileId = DjProfileId(Uuid::from_u128(0x0c5b_0000_0000_4000_8000_0000_0000_0001));
const OTHER: DjProfileId = DjProfileId(Uuid::from_u128(0x0c5b_0000_0000_4000_8000_0000_0000_0002));
const PASSWORD: &str = "a-long-password";

async fn log(t: &TestApp, dj: DjProfileId, caller: &str, at: &str) {
    let response = t
        .client
        .post(t.url("/api/djdash/calls"))
        .bearer_auth(t.service_key())
        .json(
            &json!({"dj_profile_id": dj.to_string(), "caller_number": caller,
                      "timestamp": at, "call_status": "completed"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

/// The contacts export link of `page` (as the browser reads the attribute).
async fn export_link(client: &Client, t: &TestApp, page: &str) -> String {
    let (status, html) = get(client, t, page).await;
    assert_eq!(status, 200, "{page}");
    let href = attr_after(&html, "data-testid=\"export-contacts-csv\"", "href");
    let href = ["&#38;", "&amp;"]
        .iter()
        .fold(href, |h, entity| h.replace(entity, "&"));
    assert!(
        href.starts_with("/api/djdash/contacts/export.csv?"),
        "{href}"
    );
    href
}

/// Follows `href` with `client`'s cookies only; returns the exported phones, newest first.
async fn download(client: &Client, t: &TestApp, href: &str) -> Vec<String> {
    let response = client.get(t.url(href)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{href}");
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let bytes = response.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let phone = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "phone")
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[phone].trim_start_matches('\'').to_string())
        .collect()
}

async fn the_dashboards_link_to_their_contacts(t: TestApp) {
    t.profile(DJ, "csv-contacts-dj").await;
    t.profile(OTHER, "csv-contacts-other").await;
    t.user_token("contacts-csv@example.com", Role::Dj, &[DJ])
        .await;
    t.user_token("contacts-csv-admin@example.com", Role::Admin, &[])
        .await;
    // The test clock reads 2026-06-15T12:00:00Z; contacts are made in this order.
    log(&t, DJ, "+14155550101", "2026-03-01T15:00:00Z").await;
    log(&t, DJ, "+14155550102", "2026-06-10T15:00:00Z").await;
    log(&t, OTHER, "+14155550103", "2026-06-13T15:00:00Z").await;

    let dj = login(&t, ("contacts-csv@example.com", PASSWORD)).await;
    let href = export_link(&dj, &t, "/dashboard?range=30d").await;
    assert!(href.contains(&format!("dj_profile_id={DJ}")), "{href}");
    assert_eq!(download(&dj, &t, &href).await, ["+14155550102"]);
    let href = export_link(&dj, &t, "/dashboard?range=all").await;
    assert_eq!(
        download(&dj, &t, &href).await,
        ["+14155550102", "+14155550101"]
    );
    let href = export_link(&dj, &t, "/dashboard/contacts?phone=0101").await;
    assert_eq!(download(&dj, &t, &href).await, ["+14155550101"]);

    // Without the cookie the same link is refused; a DJ's cookie never reaches other contacts.
    let anonymous = client().get(t.url(&href)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let theirs = format!("/api/djdash/contacts/export.csv?dj_profile_id={OTHER}");
    assert_eq!(dj.get(t.url(&theirs)).send().await.unwrap().status(), 403);

    let admin = login(&t, ("contacts-csv-admin@example.com", PASSWORD)).await;
    let href = export_link(&admin, &t, "/admin?range=30d").await;
    assert_eq!(
        download(&admin, &t, &href).await,
        ["+14155550103", "+14155550102"]
    );
    let href = export_link(&admin, &t, "/dashboard/contacts").await;
    assert_eq!(
        download(&admin, &t, &href).await,
        ["+14155550103", "+14155550102", "+14155550101"]
    );
}

djcalls_testkit::on_both_backends! { TestApp:
    dashboards_link_to_a_csv_of_their_contacts => the_dashboards_link_to_their_contacts;
}
