//! The DNI answer from memory (issue 9 part 5) is exact: every change to a DJ's number shows
//! in the very next answer — of this process, and (PostgreSQL) of every other process whose
//! relay listens, including changes made by a process with no relay (the CLI's situation).
//! A process whose changes go unheard reads the database instead.

use super::support::*;
use djcalls_domain::DjProfileId;
use djcalls_testkit::TestApp;
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

djcalls_testkit::on_both_backends! { TestApp:
    the_next_dni_answer_shows_every_change => the_next_answer_shows_every_change;
    an_unpublished_profiles_number_is_not_shown => an_unpublished_profile_is_not_shown;
}

/// The numbers `base` shows for DJs 1–3, by DJ number.
async fn shown(base: &str) -> Vec<(u128, String)> {
    let ids: Vec<String> = (1..=3).map(|n| dj(n).to_string()).collect();
    let reply = send(
        base,
        Method::GET,
        &format!("/api/djdash/dni?ids={}", ids.join(",")),
        None,
        None,
    )
    .await;
    let numbers = reply.ok(200)["numbers"].clone();
    let mut out: Vec<(u128, String)> = (1..=3)
        .filter_map(|n| {
            let number = numbers[dj(n).to_string()]["virtual_number"].as_str()?;
            Some((n, number.to_string()))
        })
        .collect();
    out.sort();
    out
}

async fn release(base: &str, id: DjProfileId) {
    send(
        base,
        Method::PATCH,
        "/api/djdash/virtual-numbers",
        Some(KEY),
        Some(json!({"dj_profile_id": id.to_string(), "is_active": false})),
    )
    .await
    .ok(200);
}

/// Assigns DJ `id` a number through `base` and publishes the profile (only published profiles'
/// numbers are shown); the number.
async fn assign_published(base: &str, id: DjProfileId) -> String {
    let number = vn(assign(base, KEY, id, None).await.ok_ref(201));
    put_profile(base, id, None, true).await.ok(200);
    number
}

async fn profiles(base: &str) {
    for n in 1..=3 {
        put_profile(base, dj(n), Some("+14155552100"), false)
            .await
            .ok(201);
    }
}

async fn the_next_answer_shows_every_change(t: TestApp) {
    let base = t.base_url.as_str();
    buy(base, 3, "415").await;
    profiles(base).await;
    assert_eq!(shown(base).await, vec![]);
    let one = assign_published(base, dj(1)).await;
    assert_eq!(shown(base).await, vec![(1, one.clone())]);
    assert_eq!(shown(base).await, vec![(1, one.clone())], "asked again");
    let two = assign_published(base, dj(2)).await;
    assert_eq!(shown(base).await, vec![(1, one.clone()), (2, two.clone())]);
    release(base, dj(1)).await;
    assert_eq!(shown(base).await, vec![(2, two)]);
    release(base, dj(2)).await;
    assert_eq!(shown(base).await, vec![]);
}

/// An unpublished profile keeps its number (calls still reach the DJ) but the widget does not
/// show it; publishing it again shows it in the next answer.
async fn an_unpublished_profile_is_not_shown(t: TestApp) {
    let base = t.base_url.as_str();
    buy(base, 1, "415").await;
    profiles(base).await;
    let one = vn(assign(base, KEY, dj(1), None).await.ok_ref(201));
    assert_eq!(shown(base).await, vec![], "assigned but never published");
    put_profile(base, dj(1), None, true).await.ok(200);
    assert_eq!(shown(base).await, vec![(1, one.clone())]);
    put_profile(base, dj(1), None, false).await.ok(200);
    assert_eq!(shown(base).await, vec![], "unpublished");
    put_profile(base, dj(1), None, true).await.ok(200);
    assert_eq!(shown(base).await, vec![(1, one)], "published again");
}

/// Asks `base` until it shows `expected`, for at most 5 s (a notification's way between
/// processes); panics with what it showed last.
async fn until_shown(base: &str, expected: &[(u128, String)], what: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = shown(base).await;
        if now == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: shows {now:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Backends of the test database that listen for notifications (the relays).
async fn listening(url: &str) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_process_shows_a_change_made_through_another() {
    let Some(a) = TestApp::postgres().await else {
        return;
    };
    let b = TestApp::builder().serve_beside(&a).await;
    // C has no relay, as `djcalls` commands have none: it reads the database on every request
    // and tells the others of its own changes directly.
    let c = TestApp::builder().serve_beside(&a).await;
    let _relay_a = a.app.start_relay();
    let _relay_b = b.app.start_relay();
    let deadline = Instant::now() + Duration::from_secs(10);
    while listening(&a.db.url).await < 2 {
        assert!(Instant::now() < deadline, "the relays never listened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (a_url, b_url, c_url) = (
        a.base_url.as_str(),
        b.base_url.as_str(),
        c.base_url.as_str(),
    );
    buy(a_url, 3, "415").await;
    profiles(a_url).await;
    assert_eq!(shown(a_url).await, vec![], "A has loaded its map");

    let one = assign_published(b_url, dj(1)).await;
    until_shown(a_url, &[(1, one.clone())], "A after B assigned").await;
    let two = assign_published(c_url, dj(2)).await;
    let both = [(1, one.clone()), (2, two.clone())];
    until_shown(a_url, &both, "A after C (no relay) assigned").await;
    until_shown(b_url, &both, "B after C (no relay) assigned").await;
    assert_eq!(shown(c_url).await, both.to_vec());

    // Served from memory: a change written behind every process's back (no notification) is
    // not seen by A, until a notification on the numbers channel says something changed.
    use sqlx::Connection;
    let superuser = a.db.superuser_url().unwrap();
    let mut db = sqlx::PgConnection::connect(&superuser).await.unwrap();
    heard_everything_before(&a, &mut db).await;
    sqlx::query("UPDATE dj_virtual_numbers SET state = 'cooling', is_active = FALSE WHERE dj_profile_id = $1")
        .bind(dj(2).0)
        .execute(&mut db)
        .await
        .unwrap();
    assert_eq!(shown(a_url).await, both.to_vec(), "A answers from memory");
    assert_eq!(
        shown(c_url).await,
        vec![(1, one.clone())],
        "C reads the database"
    );
    sqlx::query("SELECT pg_notify('djcalls_numbers', 'by-hand')")
        .execute(&mut db)
        .await
        .unwrap();
    until_shown(a_url, &[(1, one.clone())], "A after a notification").await;

    release(a_url, dj(1)).await;
    until_shown(b_url, &[], "B after A released").await;
}

/// Returns once A's relay has handled every notification committed before now: a marker on
/// the live channel, which A's listener hears after everything committed before it (one
/// session hears notifications in commit order, and handles them one by one), reaches A's
/// live subscribers. Without it a late notification of an earlier change could drop A's map
/// after the check that it answers from memory.
async fn heard_everything_before(a: &TestApp, db: &mut sqlx::PgConnection) {
    let mut live = a.app.subscribe_live();
    let marker = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    sqlx::query("SELECT pg_notify('djcalls_live', $1)")
        .bind(format!("the-test {}:{}", marker.0, marker.1))
        .execute(&mut *db)
        .await
        .unwrap();
    let heard = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match live.recv().await {
                Ok(djcalls_app::live::LiveEvent::Call(change)) if change.call_id.0 == marker.0 => {
                    return;
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("A's live events ended: {e}"),
            }
        }
    })
    .await;
    assert!(heard.is_ok(), "A's relay never heard the marker");
}
