//! Story 2: date ranges read in a time zone, and day buckets in that zone — across DST
//! changes and local midnight, the same on both backends.

use crate::common::*;
use djcalls_domain::analytics::DayFigures;
use djcalls_domain::range::DateRange;
use djcalls_domain::{Actor, DjProfileId};
use djcalls_store::calls::CallFilter;
use djcalls_store::{DbTime, Store};
use djcalls_testkit::TestDb;

djcalls_testkit::on_both_backends! { &TestDb:
    a_date_only_end_date_includes_the_whole_local_day_and_nothing_after => chicago_bounds;
    calls_are_bucketed_by_local_day_across_dst_changes_and_midnight => new_york_days;
}

fn day(date: &str, calls: i64, answered: i64, booked: i64, revenue_cents: i64) -> DayFigures {
    DayFigures {
        date: date.to_string(),
        calls,
        answered,
        booked,
        revenue_cents,
    }
}

fn days(entries: &[(&str, i64)]) -> Vec<DayFigures> {
    entries.iter().map(|(d, n)| day(d, *n, 0, 0, 0)).collect()
}

async fn listed(store: &Store, profile: DjProfileId, r: &DateRange) -> Vec<String> {
    store
        .list_calls(
            &Actor::Service,
            &CallFilter {
                profile: Some(profile),
                start: r.start.map(DbTime),
                end: r.end.map(DbTime),
                status: None,
            },
            None,
            100,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.timestamp.0.to_string())
        .collect()
}

async fn chicago_bounds(db: &TestDb) {
    let store = &db.store;
    let p = profile(1);
    create_profile(store, p, "chi-town", "Chi Town").await;
    // Chicago is on CST (UTC−6) all week: local 2026-03-01 00:00 = 06:00Z, and local
    // 2026-03-08 00:00 (the exclusive end of "through 03-07") = 2026-03-08T06:00Z, two hours
    // before that morning's DST change.
    for when in [
        "2026-03-01T05:59:59.999999Z", // local 02-28 23:59:59.999999: before
        "2026-03-01T06:00:00Z",        // local 03-01 00:00: first instant inside
        "2026-03-08T05:59:59.999999Z", // local 03-07 23:59:59.999999: last instant inside
        "2026-03-08T06:00:00Z",        // local 03-08 00:00: after
    ] {
        insert(store, call(p, when)).await;
    }

    let chicago = range(
        Some("2026-03-01"),
        Some("2026-03-07"),
        Some("America/Chicago"),
    );
    let a = analytics(store, &Actor::Service, Some(p), &chicago).await;
    assert_eq!(a.total_calls, 2);
    assert_eq!(
        a.calls_by_day,
        days(&[("2026-03-01", 1), ("2026-03-07", 1)])
    );
    assert_eq!(
        listed(store, p, &chicago).await,
        ["2026-03-08T05:59:59.999999Z", "2026-03-01T06:00:00Z"]
    );

    // The same instants as RFC 3339 bounds: an end_date timestamp is itself included.
    let exact = range(
        Some("2026-03-01T06:00:00Z"),
        Some("2026-03-08T05:59:59.999999Z"),
        Some("America/Chicago"),
    );
    assert_eq!(
        listed(store, p, &exact).await,
        ["2026-03-08T05:59:59.999999Z", "2026-03-01T06:00:00Z"]
    );
    assert_eq!(
        analytics(store, &Actor::Service, Some(p), &exact)
            .await
            .total_calls,
        2
    );

    // The same dates read in UTC select a different pair.
    let utc = range(Some("2026-03-01"), Some("2026-03-07"), None);
    let a = analytics(store, &Actor::Service, Some(p), &utc).await;
    assert_eq!(a.total_calls, 2);
    assert_eq!(a.calls_by_day, days(&[("2026-03-01", 2)]));
    assert_eq!(
        listed(store, p, &utc).await,
        ["2026-03-01T06:00:00Z", "2026-03-01T05:59:59.999999Z"]
    );

    // One local day: 03-07 alone.
    let one_day = range(
        Some("2026-03-07"),
        Some("2026-03-07"),
        Some("America/Chicago"),
    );
    assert_eq!(
        listed(store, p, &one_day).await,
        ["2026-03-08T05:59:59.999999Z"]
    );
}

async fn new_york_days(db: &TestDb) {
    let store = &db.store;
    let ny = profile(1);
    let ktm = profile(2);
    create_profile(store, ny, "big-apple", "Big Apple").await;
    create_profile(store, ktm, "kathmandu", "Kathmandu").await;

    // New York springs forward on 2026-03-08 at 02:00 EST = 07:00Z (to 03:00 EDT) and falls
    // back on 2026-11-01 at 02:00 EDT = 06:00Z (to 01:00 EST).
    //   instant (UTC)                   New York local           NY day   UTC day
    //   2026-03-08T04:59:59Z            03-07 23:59:59 EST       03-07    03-08
    //   2026-03-08T05:00:00Z            03-08 00:00 EST          03-08    03-08
    //   2026-03-08T06:59:59.999999Z     03-08 01:59:59.999 EST   03-08    03-08
    //   2026-03-08T07:00:00Z            03-08 03:00 EDT          03-08    03-08
    //   2026-03-09T03:59:59.999999Z     03-08 23:59:59.999 EDT   03-08    03-09   answered, paid 25.00
    //   2026-03-09T04:00:00Z            03-09 00:00 EDT          03-09    03-09   (EST would say 03-08)
    //   2026-03-09T04:30:00Z            03-09 00:30 EDT          03-09    03-09
    //   2026-11-01T03:59:59Z            10-31 23:59:59 EDT       10-31    11-01
    //   2026-11-01T04:00:00Z            11-01 00:00 EDT          11-01    11-01
    //   2026-11-01T06:30:00Z            11-01 01:30 EST (2nd)    11-01    11-01
    //   2026-11-02T04:59:59Z            11-01 23:59:59 EST       11-01    11-02
    //   2026-11-02T05:00:00Z            11-02 00:00 EST          11-02    11-02
    for when in [
        "2026-03-08T04:59:59Z",
        "2026-03-08T05:00:00Z",
        "2026-03-08T06:59:59.999999Z",
        "2026-03-08T07:00:00Z",
        "2026-03-09T04:00:00Z",
        "2026-03-09T04:30:00Z",
        "2026-11-01T03:59:59Z",
        "2026-11-01T04:00:00Z",
        "2026-11-01T06:30:00Z",
        "2026-11-02T04:59:59Z",
        "2026-11-02T05:00:00Z",
    ] {
        insert(store, call(ny, when)).await;
    }
    let late = insert(store, answered(ny, "2026-03-09T03:59:59.999999Z", 90)).await;
    assert!(pay(store, &late, "pi_late", 2_500).await);

    let all_ny = range(None, None, Some("America/New_York"));
    let a = analytics(store, &Actor::Service, Some(ny), &all_ny).await;
    assert_eq!(a.total_calls, 12);
    assert_eq!(
        a.calls_by_day,
        vec![
            day("2026-03-07", 1, 0, 0, 0),
            day("2026-03-08", 4, 1, 1, 2_500),
            day("2026-03-09", 2, 0, 0, 0),
            day("2026-10-31", 1, 0, 0, 0),
            day("2026-11-01", 3, 0, 0, 0),
            day("2026-11-02", 1, 0, 0, 0),
        ]
    );
    let all_utc = range(None, None, None);
    assert_eq!(
        analytics(store, &Actor::Service, Some(ny), &all_utc)
            .await
            .calls_by_day,
        vec![
            day("2026-03-08", 4, 0, 0, 0),
            day("2026-03-09", 3, 1, 1, 2_500),
            day("2026-11-01", 3, 0, 0, 0),
            day("2026-11-02", 2, 0, 0, 0),
        ]
    );

    // The 23-hour local day 2026-03-08: [05:00Z, 04:00Z next day).
    let spring = range(
        Some("2026-03-08"),
        Some("2026-03-08"),
        Some("America/New_York"),
    );
    assert_eq!(spring.start, Some(ts("2026-03-08T05:00:00Z")));
    assert_eq!(spring.end, Some(ts("2026-03-09T04:00:00Z")));
    let a = analytics(store, &Actor::Service, Some(ny), &spring).await;
    assert_eq!(a.total_calls, 4);
    assert_eq!(a.total_revenue_cents, 2_500);
    assert_eq!(a.calls_by_day, vec![day("2026-03-08", 4, 1, 1, 2_500)]);

    // The 25-hour local day 2026-11-01: [04:00Z, 05:00Z next day).
    let fall = range(
        Some("2026-11-01"),
        Some("2026-11-01"),
        Some("America/New_York"),
    );
    let a = analytics(store, &Actor::Service, Some(ny), &fall).await;
    assert_eq!(a.total_calls, 3);
    assert_eq!(a.calls_by_day, days(&[("2026-11-01", 3)]));

    // A range spanning both changes, read in New York: local 03-08 00:00 EST through the end
    // of local 11-01 (01:00 EST on 11-02 … 00:00 EST = 05:00Z).
    let season = range(
        Some("2026-03-08"),
        Some("2026-11-01"),
        Some("America/New_York"),
    );
    let a = analytics(store, &Actor::Service, Some(ny), &season).await;
    assert_eq!(a.total_calls, 10);
    assert_eq!(
        a.calls_by_day,
        vec![
            day("2026-03-08", 4, 1, 1, 2_500),
            day("2026-03-09", 2, 0, 0, 0),
            day("2026-10-31", 1, 0, 0, 0),
            day("2026-11-01", 3, 0, 0, 0),
        ]
    );

    // A zone 5 h 45 min ahead of UTC: midnight is at 18:15Z.
    insert(store, call(ktm, "2026-03-08T18:14:59.999999Z")).await;
    insert(store, call(ktm, "2026-03-08T18:15:00Z")).await;
    let kathmandu = range(None, None, Some("Asia/Kathmandu"));
    assert_eq!(
        analytics(store, &Actor::Service, Some(ktm), &kathmandu)
            .await
            .calls_by_day,
        days(&[("2026-03-08", 1), ("2026-03-09", 1)])
    );
}
