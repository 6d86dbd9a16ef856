//! `djcalls fallback export` and `djcalls reconcile` as an operator runs them: the static
//! TwiML files (parsed as XML), their upkeep, the call log read from a fake Twilio over HTTP,
//! and clear errors for a bad `--since`.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod support;
use support::{djcalls, sqlite_url};

use djcalls_domain::{Actor, CallSource, DjProfileId};
use djcalls_store::calls::CallFilter;
use djcalls_store::numbers::{BoughtNumber, Claim};
use djcalls_store::profiles::ProfileFields;
use djcalls_store::{DbTime, Store};
use quick_xml::events::Event;
use std::collections::BTreeMap;
use std::path::Path;
use uuid::Uuid;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

fn at(s: &str) -> DbTime {
    DbTime(s.parse().unwrap())
}

/// DJs 1..=`count` ("DJ 1", real number +1512555000n), each with a pool number
/// +1415555010n assigned on 2024-01-01.
async fn database_with_djs(url: &str, count: u128) -> (Store, Vec<(DjProfileId, String)>) {
    let store = Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    let now = at("2024-01-01T00:00:00Z");
    let mut djs = Vec::new();
    for n in 1..=count {
        let id = DjProfileId(Uuid::from_u128(n));
        let fields = ProfileFields {
            dj_name: format!("DJ {n}"),
            dj_slug: format!("dj-{n}"),
            is_published: true,
            timezone: "America/Chicago".into(),
            real_phone_number: Some(format!("+1512555000{n}")),
        };
        store
            .upsert_profile(&Actor::Service, id, &fields, now)
            .await
            .unwrap();
        let number = BoughtNumber {
            virtual_number: format!("+1415555010{n}"),
            twilio_phone_number_sid: Some(format!("PN{n:032x}")),
            area_code: Some("415".into()),
        };
        store
            .add_pool_numbers(&Actor::System, &[number], now)
            .await
            .unwrap();
        let real = format!("+1512555000{n}");
        let Claim::Assigned(assigned) = store
            .claim_pool_number(&Actor::System, id, &real, Some("415"), now)
            .await
            .unwrap()
        else {
            panic!("DJ {n} got no number");
        };
        djs.push((id, assigned.virtual_number));
    }
    (store, djs)
}

/// The elements of an XML document in order: name, attributes, text.
fn elements(xml: &str) -> Vec<(String, BTreeMap<String, String>, String)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out: Vec<(String, BTreeMap<String, String>, String)> = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                        let value = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap();
                        (key, value.into_owned())
                    })
                    .collect();
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                out.push((name, attrs, String::new()));
            }
            Event::Text(text) => {
                if let Some(last) = out.last_mut() {
                    last.2.push_str(&text.xml10_content().unwrap());
                }
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn export(url: &str, dir: &Path) -> String {
    let output = djcalls()
        .args(["fallback", "export", "--dir"])
        .arg(dir)
        .env("DATABASE_URL", url)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn the_export_writes_one_dial_per_assigned_number_and_keeps_the_directory_tidy() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let (store, djs) = database_with_djs(&url, 2).await;
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(site.join("15550001111.xml"), "<Response/>").unwrap();
    std::fs::write(site.join("index.html"), "not ours").unwrap();

    let printed = export(&url, &site);
    assert!(
        printed.contains("assigned numbers 2; files written 2, unchanged 0, removed 1"),
        "{printed}"
    );
    let (dj1, virtual1) = &djs[0];
    let (_, virtual2) = &djs[1];
    let file1 = format!("{}.xml", &virtual1[1..]);
    let file2 = format!("{}.xml", &virtual2[1..]);
    assert_eq!(
        files_in(&site),
        [file1.clone(), file2.clone(), "index.html".into()]
    );

    let xml = std::fs::read_to_string(site.join(&file1)).unwrap();
    let parsed = elements(&xml);
    let names: Vec<&str> = parsed.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["Response", "Say", "Dial", "Number"], "{xml}");
    assert!(
        parsed[1].2.contains("DJ 1"),
        "the greeting names the DJ: {xml}"
    );
    let dial = &parsed[2].1;
    assert_eq!(dial.get("callerId"), Some(virtual1));
    assert_eq!(dial.get("timeout").map(String::as_str), Some("20"));
    assert!(
        !dial.contains_key("action") && !dial.contains_key("record"),
        "nothing calls back into the service: {xml}"
    );
    assert_eq!(parsed[3].2, "+15125550001", "rings DJ 1's real number");
    assert!(parsed[3].1.is_empty(), "no whisper URL: {xml}");

    // Nothing changed: nothing is rewritten.
    let printed = export(&url, &site);
    assert!(
        printed.contains("assigned numbers 2; files written 0, unchanged 2, removed 0"),
        "{printed}"
    );
    // DJ 1 lets the number go: its file goes too.
    let cooling = at("2099-01-01T00:00:00Z");
    store
        .release_to_cooling(&Actor::System, *dj1, cooling, at("2024-02-01T00:00:00Z"))
        .await
        .unwrap();
    store.close().await;
    let printed = export(&url, &site);
    assert!(
        printed.contains("assigned numbers 1; files written 0, unchanged 1, removed 1"),
        "{printed}"
    );
    assert_eq!(files_in(&site), [file2, "index.html".into()]);
}

#[test]
fn a_bad_since_or_missing_credentials_stop_reconcile_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, bool, &str); 4] = [
        ("yesterday", true, "such as 2024-05-01T00:00:00Z"),
        ("2024-05-01", true, "such as 2024-05-01T00:00:00Z"),
        ("2999-01-01T00:00:00Z", true, "is in the future"),
        (
            "2024-05-01T00:00:00Z",
            false,
            "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
        ),
    ];
    for (since, credentials, expected) in cases {
        let mut command = djcalls();
        command
            .args(["reconcile", "--since", since])
            .env("DATABASE_URL", sqlite_url(&dir));
        if credentials {
            command
                .env("TWILIO_ACCOUNT_SID", ACCOUNT)
                .env("TWILIO_AUTH_TOKEN", "secret-token-value");
        }
        let output = command.output().unwrap();
        assert!(!output.status.success(), "--since {since} should fail");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "--since {since}: {stderr}");
        assert!(!stderr.contains("secret-token-value"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_records_a_call_from_twilios_log_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let (store, djs) = database_with_djs(&url, 1).await;
    store.close().await;
    let (dj, virtual_number) = djs[0].clone();
    let twilio = MockServer::start().await;
    let sid = format!("CA{:032x}", 42);
    Mock::given(method("GET"))
        .and(path(format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json")))
        .and(query_param("To", virtual_number.as_str()))
        .and(query_param("StartTime>", "2024-05-01"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "calls": [{
                "sid": sid, "parent_call_sid": null, "from": "+13105550123",
                "to": virtual_number, "status": "busy",
                "start_time": "Wed, 01 May 2024 10:00:00 +0000", "duration": "0",
            }],
            "next_page_uri": null,
        })))
        .expect(2)
        .mount(&twilio)
        .await;
    let run = || {
        let output = djcalls()
            .args(["reconcile", "--since", "2024-05-01T00:00:00Z"])
            .env("DATABASE_URL", &url)
            .env("TWILIO_ACCOUNT_SID", ACCOUNT)
            .env("TWILIO_AUTH_TOKEN", "fake-auth-token")
            .env("TWILIO_API_BASE_URL", twilio.uri())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(output.status.success(), "{stderr}");
        String::from_utf8(output.stdout).unwrap()
    };
    let first = tokio::task::block_in_place(run);
    assert!(first.contains("recorded now 1, known already 0"), "{first}");
    let second = tokio::task::block_in_place(run);
    assert!(
        second.contains("recorded now 0, known already 1"),
        "{second}"
    );

    let store = Store::connect(&url).await.unwrap();
    let calls = store
        .list_calls(&Actor::System, &CallFilter::default(), None, 10)
        .await
        .unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].source, CallSource::Fallback);
    assert_eq!(calls[0].dj_profile_id, dj);
    assert_eq!(calls[0].call_sid.as_deref(), Some(sid.as_str()));
    assert_eq!(calls[0].timestamp, at("2024-05-01T10:00:00Z"));
    store.close().await;
    twilio.verify().await;
}
