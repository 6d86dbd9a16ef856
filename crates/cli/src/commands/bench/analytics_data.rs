//! The analytics benchmark's data set, and the seed's approach to the same figures.
//!
//! Calls go in through the store's bulk insert (the same columns a real call fills); three in
//! five carry an attribution to a widget click on the same DJ a few minutes before
//! (`analytics_clicks.rs`: a handful of sources, some with only a `gclid`), and one in ten
//! calls has a click that led to no call; each click's quarter-hour counts the DJ's number as
//! shown. The payments of the paid quarter are then written by one `INSERT … SELECT` per
//! backend, as the ledger would have written them one by one (a platform cut of 15 %), with
//! the payment links they were paid through (opened). The seed's approach (`Reference`) reads
//! every row of a filter with its payments and adds them up in the application, streaming so
//! its memory stays flat (the reports' figures: `analytics_reports.rs`).

use super::analytics_clicks::Clicks;
use anyhow::{Context, bail};
use djcalls_domain::{Actor, CallId, CallSource, CallStatus, DjProfileId, LeadScore};
use djcalls_store::calls::NewCall;
use djcalls_store::profiles::ProfileFields;
use djcalls_store::{DbTime, Store};
use futures::TryStreamExt;
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use uuid::Uuid;

/// DJs with 1,000 calls each at scale 1, and the busiest DJ's calls.
const DJS: f64 = 2_000.0;
const CALLS_PER_DJ: u64 = 1_000;
const BIG_DJ_CALLS: f64 = 100_000.0;
/// The calls are spread evenly over this many days back from now.
const SPAN_DAYS: i64 = 730;
/// Calls per transaction while seeding.
const CHUNK: usize = 5_000;
/// What each paid call paid, and the platform's 15 %.
const PAYMENT_CENTS: i64 = 50_000;
const CUT_CENTS: i64 = 7_500;

pub struct DataSet {
    pub djs: u64,
    pub calls: u64,
    pub big_dj: Uuid,
    pub big_dj_calls: u64,
    pub typical_dj: Uuid,
    pub payments: u64,
    /// Widget clicks, and the calls attributed to one.
    pub clicks: u64,
    pub attributed: u64,
}

fn dj_id(n: u64) -> Uuid {
    Uuid::from_u128(0x0be0_0000_0000_4000_8000_0000_0000_0000 | u128::from(n))
}

/// Builds the data set on `store` (an empty database: it refuses one with profiles).
pub async fn seed(store: &Store, url: &str, scale: f64) -> anyhow::Result<DataSet> {
    let djs = ((DJS * scale).round() as u64).max(1);
    let big_calls = ((BIG_DJ_CALLS * scale).round() as u64).max(1);
    if !store.profile_names(&Actor::System, 1).await?.is_empty() {
        // A database this benchmark seeded before is measured again as it is.
        if let Some(data) = Reference::open(url)
            .await?
            .existing(dj_id(0), dj_id(1))
            .await?
        {
            return Ok(data);
        }
        bail!("the analytics benchmark needs an empty database (this one has DJ profiles)");
    }
    let now = Timestamp::now();
    for n in 0..=djs {
        let fields = ProfileFields {
            dj_name: format!("Bench DJ {n}"),
            dj_slug: format!("bench-dj-{n}"),
            is_published: true,
            timezone: "America/New_York".into(),
            real_phone_number: None,
        };
        store
            .upsert_profile(&Actor::System, DjProfileId(dj_id(n)), &fields, DbTime(now))
            .await?;
    }
    // DJ 0 is the busiest; the others have 1,000 calls each.
    let (mut calls, mut clicks) = (0, Clicks::default());
    for n in 0..=djs {
        let count = if n == 0 { big_calls } else { CALLS_PER_DJ };
        insert_calls(store, DjProfileId(dj_id(n)), count, now, &mut clicks).await?;
        calls += count;
    }
    let reference = Reference::open(url).await?;
    let payments = reference.pay_the_paid_quarter().await?;
    Ok(DataSet {
        djs: djs + 1,
        calls,
        big_dj: dj_id(0),
        big_dj_calls: big_calls,
        typical_dj: dj_id(1),
        payments,
        clicks: clicks.clicks,
        attributed: clicks.attributed,
    })
}

async fn insert_calls(
    store: &Store,
    dj: DjProfileId,
    count: u64,
    now: Timestamp,
    clicks: &mut Clicks,
) -> anyhow::Result<()> {
    let step = SignedDuration::from_hours(24 * SPAN_DAYS) / i32::try_from(count.max(1))?;
    let statuses = [
        CallStatus::Completed,
        CallStatus::Voicemail,
        CallStatus::NoAnswer,
        CallStatus::Busy,
    ];
    let events = [
        Some("wedding"),
        Some("birthday"),
        Some("corporate"),
        Some("quinceanera"),
        None,
    ];
    let leads = [LeadScore::Hot, LeadScore::Warm, LeadScore::Cold];
    let all: Vec<u64> = (0..count).collect();
    for chunk in all.chunks(CHUNK) {
        let rows: Vec<(NewCall, Option<String>)> = chunk
            .iter()
            .map(|&i| {
                let status = statuses[(i % 4) as usize];
                let answered = status == CallStatus::Completed;
                let call = NewCall {
                    id: CallId::new_v7(),
                    dj_profile_id: dj,
                    virtual_number: Some("+12125550100".into()),
                    caller_number: Some(format!("+1415{:07}", i % 10_000_000)),
                    caller_name: None,
                    timestamp: DbTime(now - step * i32::try_from(i).unwrap_or(i32::MAX)),
                    page_url: None,
                    event_type: events[(i % 5) as usize].map(str::to_string),
                    lead_score: leads[(i % 3) as usize],
                    is_booked: i % 8 == 0,
                    call_duration_seconds: Some(30 + (i % 600) as i32),
                    call_status: status,
                    call_sid: Some(format!("CA{:016x}{i:016x}", dj.0.as_u128() as u64)),
                    notes: None,
                    source: CallSource::Twilio,
                    answered,
                    talk_seconds: answered.then_some(20 + (i % 580) as i32),
                    voicemail_left: status == CallStatus::Voicemail,
                    recording_sid: None,
                    transcription_status: None,
                    transcription_text: None,
                    // The paid quarter (every answered call): `pay_the_paid_quarter`.
                    tipjar_link_sent: answered,
                };
                clicks.before(call, i)
            })
            .collect();
        // The clicks first, as they came before their calls.
        let (new_clicks, shown) = clicks.take();
        store
            .insert_clicks_bulk(&new_clicks)
            .await
            .context("seeding widget clicks")?;
        store
            .insert_attributed_calls_bulk(&Actor::System, &rows, DbTime(now))
            .await
            .context("seeding calls")?;
        store
            .add_numbers_shown_bulk(&shown)
            .await
            .context("seeding numbers shown")?;
    }
    Ok(())
}

/// A plain connection to the benchmark's database, as the platform (`app.role = system`).
pub struct Reference {
    pub(super) pool: Pool,
}

pub(super) enum Pool {
    Pg(sqlx::PgPool),
    Lite(sqlx::SqlitePool),
}

impl Reference {
    pub async fn open(url: &str) -> anyhow::Result<Reference> {
        let pool = if url.starts_with("postgres") {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::query("SELECT set_config('app.role', 'system', false)")
                            .execute(conn)
                            .await
                            .map(|_| ())
                    })
                })
                .connect(url)
                .await?;
            Pool::Pg(pool)
        } else {
            Pool::Lite(sqlx::SqlitePool::connect(url).await?)
        };
        Ok(Reference { pool })
    }

    /// The data set this benchmark seeded here before (its busiest DJ exists), if any; an
    /// error when it is the older data set without widget clicks, whose reports would be
    /// measured on no attribution at all.
    pub async fn existing(&self, big: Uuid, typical: Uuid) -> anyhow::Result<Option<DataSet>> {
        let sql = "SELECT (SELECT count(*) FROM dj_profiles), (SELECT count(*) FROM dj_calls), \
                   (SELECT count(*) FROM dj_calls WHERE dj_profile_id = $1), \
                   (SELECT count(*) FROM payments), (SELECT count(*) FROM widget_clicks), \
                   (SELECT count(*) FROM dj_calls WHERE attribution IS NOT NULL)";
        type Counts = (i64, i64, i64, i64, i64, i64);
        let (djs, calls, big_calls, payments, clicks, attributed): Counts = match &self.pool {
            Pool::Pg(p) => sqlx::query_as(sql).bind(big).fetch_one(p).await?,
            Pool::Lite(p) => sqlx::query_as(sql).bind(big).fetch_one(p).await?,
        };
        if big_calls > 0 && (clicks == 0 || attributed == 0) {
            bail!(
                "this database holds the analytics data set of an older djcalls bench ({calls} calls, \
                 no widget clicks or attributed calls), so the sources and funnel reports would be \
                 measured on the wrong data: drop it and run the bench on an empty database (a new \
                 PostgreSQL database, or no --database-url for a fresh SQLite file)"
            );
        }
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok((big_calls > 0).then_some(DataSet {
            djs: count(djs),
            calls: count(calls),
            big_dj: big,
            big_dj_calls: count(big_calls),
            typical_dj: typical,
            payments: count(payments),
            clicks: count(clicks),
            attributed: count(attributed),
        }))
    }

    /// Pays every call with a link sent (a quarter) through its payment link (opened once or
    /// twice, an hour after the call), marks them paid, refreshes statistics; the number of
    /// payments.
    async fn pay_the_paid_quarter(&self) -> anyhow::Result<u64> {
        let (links, insert, update) = match self.pool {
            Pool::Pg(_) => (
                "INSERT INTO payment_links (id, call_id, dj_profile_id, token, reference, opens, \
                 last_opened_at, created_at) SELECT gen_random_uuid(), id, dj_profile_id, \
                 'bench-' || id::text, 'bench-' || id::text, 1 + CAST(is_booked AS integer), \
                 \"timestamp\" + interval '1 hour', \"timestamp\" FROM dj_calls WHERE tipjar_link_sent",
                "INSERT INTO payments (id, call_id, dj_profile_id, provider, kind, provider_entry_id, \
                 provider_payment_id, amount_cents, platform_cut_cents, dj_share_cents, currency, created_at) \
                 SELECT gen_random_uuid(), id, dj_profile_id, 'bench', 'payment', id::text, id::text, \
                 $1, $2, $1 - $2, 'usd', \"timestamp\" FROM dj_calls WHERE tipjar_link_sent",
                "UPDATE dj_calls SET tipjar_payment_received = TRUE, tipjar_payment_amount_cents = $1 \
                 WHERE tipjar_link_sent",
            ),
            Pool::Lite(_) => (
                "INSERT INTO payment_links (id, call_id, dj_profile_id, token, reference, opens, \
                 last_opened_at, created_at) SELECT randomblob(16), id, dj_profile_id, \
                 'bench-' || hex(id), 'bench-' || hex(id), 1 + is_booked, \
                 \"timestamp\" + 3600000000, \"timestamp\" FROM dj_calls WHERE tipjar_link_sent",
                "INSERT INTO payments (id, call_id, dj_profile_id, provider, kind, provider_entry_id, \
                 provider_payment_id, amount_cents, platform_cut_cents, dj_share_cents, currency, created_at) \
                 SELECT randomblob(16), id, dj_profile_id, 'bench', 'payment', hex(id), hex(id), \
                 $1, $2, $1 - $2, 'usd', \"timestamp\" FROM dj_calls WHERE tipjar_link_sent",
                "UPDATE dj_calls SET tipjar_payment_received = 1, tipjar_payment_amount_cents = $1 \
                 WHERE tipjar_link_sent",
            ),
        };
        let paid = match &self.pool {
            Pool::Pg(p) => {
                sqlx::query(links).execute(p).await?;
                let n = sqlx::query(insert)
                    .bind(PAYMENT_CENTS)
                    .bind(CUT_CENTS)
                    .execute(p)
                    .await?;
                sqlx::query(update).bind(PAYMENT_CENTS).execute(p).await?;
                sqlx::query("ANALYZE").execute(p).await?;
                n.rows_affected()
            }
            Pool::Lite(p) => {
                sqlx::query(links).execute(p).await?;
                let n = sqlx::query(insert)
                    .bind(PAYMENT_CENTS)
                    .bind(CUT_CENTS)
                    .execute(p)
                    .await?;
                sqlx::query(update).bind(PAYMENT_CENTS).execute(p).await?;
                sqlx::query("ANALYZE").execute(p).await?;
                n.rows_affected()
            }
        };
        Ok(paid)
    }

    /// The seed's approach: every call row of the filter (`SELECT *`) and its payments,
    /// added up here. (calls, booked, revenue cents).
    pub async fn seed_style_figures(
        &self,
        dj: Option<Uuid>,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> anyhow::Result<(u64, u64, i64)> {
        let calls_sql = "SELECT * FROM dj_calls WHERE ($1 IS NULL OR dj_profile_id = $1) \
                         AND ($2 IS NULL OR \"timestamp\" >= $2) AND ($3 IS NULL OR \"timestamp\" < $3)";
        let payments_sql = "SELECT p.* FROM payments p JOIN dj_calls c ON c.id = p.call_id \
                            WHERE ($1 IS NULL OR c.dj_profile_id = $1) AND ($2 IS NULL OR c.\"timestamp\" >= $2) \
                            AND ($3 IS NULL OR c.\"timestamp\" < $3)";
        let (mut calls, mut booked, mut revenue) = (0, 0, 0);
        match &self.pool {
            Pool::Pg(p) => {
                let (from, to) = (from.map(DbTime), to.map(DbTime));
                let pg = |sql: &str| {
                    sql.replace("$1 IS NULL", "$1::uuid IS NULL")
                        .replace("$2 IS NULL", "$2::timestamptz IS NULL")
                        .replace("$3 IS NULL", "$3::timestamptz IS NULL")
                };
                let sql = pg(calls_sql);
                let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(dj)
                    .bind(from)
                    .bind(to)
                    .fetch(p);
                while let Some(row) = rows.try_next().await? {
                    calls += 1;
                    booked += u64::from(row.try_get::<bool, _>("is_booked")?);
                }
                drop(rows);
                let sql = pg(payments_sql);
                let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(dj)
                    .bind(from)
                    .bind(to)
                    .fetch(p);
                while let Some(row) = rows.try_next().await? {
                    revenue += row.try_get::<i64, _>("amount_cents")?;
                }
            }
            Pool::Lite(p) => {
                let (from, to) = (from.map(DbTime), to.map(DbTime));
                let mut rows = sqlx::query(calls_sql).bind(dj).bind(from).bind(to).fetch(p);
                while let Some(row) = rows.try_next().await? {
                    calls += 1;
                    booked += u64::from(row.try_get::<bool, _>("is_booked")?);
                }
                drop(rows);
                let mut rows = sqlx::query(payments_sql)
                    .bind(dj)
                    .bind(from)
                    .bind(to)
                    .fetch(p);
                while let Some(row) = rows.try_next().await? {
                    revenue += row.try_get::<i64, _>("amount_cents")?;
                }
            }
        }
        Ok((calls, booked, revenue))
    }
}
