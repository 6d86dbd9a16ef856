//! Fixed data and small helpers shared by the stories.

use djcalls_domain::analytics::Analytics;
use djcalls_domain::range::DateRange;
use djcalls_domain::refund::RefundAmount;
use djcalls_domain::{
    Actor, CallId, CallSource, CallStatus, Cents, CutRate, DjProfileId, LeadScore, UserId,
};
use djcalls_store::calls::{CallRecord, NewCall};
use djcalls_store::payments::{NewPayment, NewRefund, RefundOutcome};
use djcalls_store::profiles::ProfileFields;
use djcalls_store::{DbTime, Store};
use djcalls_testkit::TestDb;
use jiff::Timestamp;
use sqlx::{PgPool, SqlitePool};
use uuid::Uuid;

pub fn ts(s: &str) -> Timestamp {
    s.parse()
        .unwrap_or_else(|e| panic!("bad timestamp {s}: {e}"))
}

pub fn at(s: &str) -> DbTime {
    DbTime(ts(s))
}

/// The instant every "now" argument uses.
pub fn now() -> DbTime {
    at("2026-06-15T12:00:00Z")
}

/// A fixed profile id: `profile(1)`, `profile(2)`, …
pub fn profile(n: u128) -> DjProfileId {
    DjProfileId(Uuid::from_u128(0x0d1_0000_0000_0000_0000_0000_0000 + n))
}

pub fn dj(profiles: &[DjProfileId]) -> Actor {
    Actor::Dj {
        user: UserId(Uuid::from_u128(0x05e4_0000_0000_0000_0000_0000_0000_0001)),
        profiles: profiles.to_vec(),
    }
}

pub fn admin() -> Actor {
    Actor::Admin {
        user: UserId(Uuid::from_u128(0x0ad0_0000_0000_0000_0000_0000_0000_0001)),
    }
}

pub async fn create_profile(store: &Store, id: DjProfileId, slug: &str, name: &str) {
    let (_, created) = store
        .upsert_profile(
            &Actor::Service,
            id,
            &ProfileFields {
                dj_name: name.to_string(),
                dj_slug: slug.to_string(),
                is_published: true,
                timezone: "America/New_York".to_string(),
                real_phone_number: Some("+15125550100".to_string()),
            },
            now(),
        )
        .await
        .expect("create profile");
    assert!(created, "profile {slug} was new");
}

/// A plain missed call of `profile` at `when`; stories override what they need with
/// `NewCall { …, ..call(p, t) }`.
pub fn call(profile: DjProfileId, when: &str) -> NewCall {
    NewCall {
        id: CallId::new_v7(),
        dj_profile_id: profile,
        virtual_number: Some("+15125550199".to_string()),
        caller_number: Some("+13125550123".to_string()),
        caller_name: None,
        timestamp: at(when),
        page_url: None,
        event_type: None,
        lead_score: LeadScore::Hot,
        is_booked: false,
        call_duration_seconds: None,
        call_status: CallStatus::NoAnswer,
        call_sid: None,
        notes: None,
        source: CallSource::Api,
        answered: false,
        talk_seconds: None,
        voicemail_left: false,
        recording_sid: None,
        transcription_status: None,
        transcription_text: None,
        tipjar_link_sent: false,
    }
}

/// An answered call (`completed`) lasting `seconds`.
pub fn answered(profile: DjProfileId, when: &str, seconds: i32) -> NewCall {
    NewCall {
        call_status: CallStatus::Completed,
        answered: true,
        call_duration_seconds: Some(seconds),
        talk_seconds: Some(seconds),
        ..call(profile, when)
    }
}

/// A voicemail left after `seconds` of call.
pub fn voicemail(profile: DjProfileId, when: &str, seconds: i32) -> NewCall {
    NewCall {
        call_status: CallStatus::Voicemail,
        voicemail_left: true,
        call_duration_seconds: Some(seconds),
        ..call(profile, when)
    }
}

pub async fn insert(store: &Store, call: NewCall) -> CallRecord {
    store
        .insert_call(&Actor::Service, &call, now())
        .await
        .expect("insert call")
}

pub fn entry(call: &CallRecord, entry_id: &str, cents: i64) -> NewPayment {
    NewPayment {
        call_id: call.id,
        dj_profile_id: call.dj_profile_id,
        provider: "stripe".to_string(),
        provider_entry_id: entry_id.to_string(),
        provider_payment_id: entry_id.to_string(),
        amount: Cents(cents),
        currency: "usd".to_string(),
        at: now(),
    }
}

/// Records a payment at the default 15 % cut; returns whether it was new.
pub async fn pay(store: &Store, call: &CallRecord, entry_id: &str, cents: i64) -> bool {
    store
        .record_payment(
            &Actor::System,
            &entry(call, entry_id, cents),
            CutRate::DEFAULT,
        )
        .await
        .expect("record payment")
}

/// Refunds `cents` of the Stripe payment `payment_id` (as [`pay`] recorded it) through the
/// production path, as a single refund step keyed `refund_key`.
pub async fn refund(
    store: &Store,
    payment_id: &str,
    refund_key: &str,
    cents: i64,
) -> RefundOutcome {
    store
        .record_refund(&NewRefund {
            provider: "stripe".to_string(),
            provider_payment_id: payment_id.to_string(),
            refund_key: refund_key.to_string(),
            size: RefundAmount::Single {
                amount_cents: Cents(cents),
            },
            currency: "usd".to_string(),
            at: now(),
        })
        .await
        .expect("record refund")
}

/// What [`refund`] answers when it records `cents` back on `call`'s payment.
pub fn recorded(call: &CallRecord, cents: i64) -> RefundOutcome {
    RefundOutcome::Recorded {
        call_id: call.id,
        amount: Cents(cents),
    }
}

pub fn range(start: Option<&str>, end: Option<&str>, tz: Option<&str>) -> DateRange {
    DateRange::parse(start, end, tz).expect("valid range")
}

pub async fn analytics(
    store: &Store,
    actor: &Actor,
    profile: Option<DjProfileId>,
    range: &DateRange,
) -> Analytics {
    Analytics::from(
        store
            .call_figures(actor, profile, range)
            .await
            .expect("call figures"),
    )
}

pub async fn fetch_call(store: &Store, id: CallId) -> CallRecord {
    store
        .call(&Actor::Service, id)
        .await
        .expect("read call")
        .expect("call exists")
}

/// A raw connection pool on the same database as the store, for what the store has no API
/// for (bulk loads, revoking a token, checking the schema's own constraints).
pub enum Raw {
    Pg(PgPool),
    Lite(SqlitePool),
}

pub async fn raw(db: &TestDb) -> Raw {
    match db.store.pg_pool() {
        Some(pool) => Raw::Pg(pool.clone()),
        None => Raw::Lite(
            SqlitePool::connect(&db.url)
                .await
                .expect("open the sqlite file a second time"),
        ),
    }
}

/// In-place tweaks, so a call that differs from a helper's defaults reads as one expression.
pub trait With: Sized {
    fn with(self, f: impl FnOnce(&mut Self)) -> Self;
}

impl With for NewCall {
    fn with(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

/// A seeded SplitMix64: the same numbers on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform enough in `0..n` for test data.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn uuid(&mut self) -> Uuid {
        Uuid::from_u64_pair(self.next_u64(), self.next_u64())
    }
}
