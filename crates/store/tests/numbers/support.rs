//! Fixed data and small helpers shared by the number stories.

use djcalls_domain::voice::VoiceEvent;
use djcalls_domain::{Actor, DjProfileId};
use djcalls_store::numbers::{BoughtNumber, Claim};
use djcalls_store::profiles::ProfileFields;
use djcalls_store::voice::{IncomingProjected, IncomingRecorded};
use djcalls_store::{DbTime, Store};
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use uuid::Uuid;

pub fn ts(s: &str) -> DbTime {
    DbTime(s.parse::<Timestamp>().unwrap())
}

pub fn now() -> DbTime {
    ts("2026-06-15T12:00:00Z")
}

pub fn later(t: DbTime, days: i64) -> DbTime {
    DbTime(
        t.0.checked_add(SignedDuration::from_hours(24 * days))
            .unwrap(),
    )
}

pub fn profile(n: u128) -> DjProfileId {
    DjProfileId(Uuid::from_u128(0x0d1_5000_0000_0000_0000_0000_0000 + n))
}

pub const SYSTEM: Actor = Actor::System;

pub async fn create_profiles(store: &Store, count: u128) -> Vec<DjProfileId> {
    let mut ids = Vec::new();
    for n in 1..=count {
        let id = profile(n);
        let fields = ProfileFields {
            dj_name: format!("DJ {n}"),
            dj_slug: format!("dj-{n}"),
            is_published: true,
            timezone: "America/New_York".into(),
            real_phone_number: Some(format!("+1415555{n:04}")),
        };
        store
            .upsert_profile(&Actor::Service, id, &fields, now())
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

pub fn number(e164: &str) -> BoughtNumber {
    BoughtNumber {
        virtual_number: e164.to_string(),
        twilio_phone_number_sid: Some(format!("PN{}", Uuid::new_v4().simple())),
        area_code: Some(e164[2..5].to_string()),
    }
}

pub async fn stock(store: &Store, numbers: &[&str]) {
    let bought: Vec<BoughtNumber> = numbers.iter().map(|n| number(n)).collect();
    let added = store
        .add_pool_numbers(&SYSTEM, &bought, now())
        .await
        .unwrap();
    assert_eq!(added.len(), numbers.len());
    assert!(added.iter().all(|n| n.state == "available"));
}

pub fn assigned(claim: Claim) -> djcalls_store::numbers::NumberRecord {
    match claim {
        Claim::Assigned(n) => n,
        other => panic!("expected a new assignment, got {other:?}"),
    }
}

/// Everything accepted and waiting, projected (PostgreSQL; nothing on SQLite), by call SID.
pub async fn project_all(store: &Store) -> HashMap<String, IncomingProjected> {
    let mut projected = HashMap::new();
    loop {
        let batch = store
            .project_incoming_jobs(256, |_, _, _| Vec::new())
            .await
            .unwrap();
        assert_eq!(batch.failed, 0);
        if batch.claimed == 0 {
            return projected;
        }
        for call in batch.projected {
            let sid = call.call_sid.clone();
            assert!(projected.insert(sid, call).is_none(), "projected twice");
        }
    }
}

/// `recorded` as the app sees it once its call is projected: on PostgreSQL the call, contact
/// and enqueued job come from `projected`, on SQLite they came with the delivery.
pub fn as_projected(
    mut recorded: IncomingRecorded,
    call_sid: &str,
    projected: &HashMap<String, IncomingProjected>,
) -> IncomingRecorded {
    if recorded.projection_pending {
        let call = projected
            .get(call_sid)
            .expect("the accepted call was projected");
        recorded.call = call.call;
        recorded.contact = call.contact;
        recorded.followup_enqueued = call.followup_enqueued;
    }
    recorded
}

/// `record_incoming` arriving at `at`, then the projection of its call (see [`as_projected`]).
pub async fn record_incoming_projected(
    store: &Store,
    call_sid: &str,
    key: &str,
    event: &VoiceEvent,
    at: DbTime,
) -> IncomingRecorded {
    let recorded = store
        .record_incoming(call_sid, key, event, at, |_, _| None)
        .await
        .unwrap();
    assert_eq!(
        recorded.projection_pending,
        recorded.new_event && store.projects_incoming()
    );
    let projected = project_all(store).await;
    as_projected(recorded, call_sid, &projected)
}
