//! `djcalls bench --case export` / `--case contacts-export`: the calls (or contacts) CSV
//! export over HTTP against the in-process server, for a fresh DJ seeded with N calls per run
//! (`--export-rows`; for contacts each call from another caller, so N contacts): rows, bytes,
//! time, and this process's resident memory after seeding and at its peak during the export.
//!
//! The peak is Linux's `VmHWM` (`/proc/self/status`), reset right before each export by
//! writing `5` to `/proc/self/clear_refs`, so it is the export's own peak and not the seeding's.
//! A streamed export shows about the same peak for 10,000 rows as for 100,000; one that
//! collected its rows would grow with them. The client reading the download runs in the same
//! process and keeps nothing but counts. The planner's statistics are refreshed after seeding
//! (`analyze`).

use anyhow::{Context, bail};
use djcalls_domain::{Actor, CallId, CallSource, CallStatus, ContactId, DjProfileId, LeadScore};
use djcalls_store::calls::NewCall;
use djcalls_store::contacts::NewContact;
use djcalls_store::{DbTime, Store};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use std::time::Instant;

/// Calls inserted per transaction while seeding: the seeding's own memory stays small.
const SEED_CHUNK: u64 = 2_000;

/// Which export a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exported {
    Calls,
    Contacts,
}

impl Exported {
    fn name(self) -> &'static str {
        match self {
            Exported::Calls => "calls",
            Exported::Contacts => "contacts",
        }
    }
}

pub async fn run(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    (store, url): (&Store, &str),
    rows: &[u64],
    exported: Exported,
) -> anyhow::Result<()> {
    for &count in rows {
        let dj = DjProfileId(uuid::Uuid::new_v4());
        let slug = format!("bench-export-{}", &dj.0.simple().to_string()[..8]);
        let put = client
            .put(format!("{base}/api/djdash/profiles/{dj}"))
            .bearer_auth(key)
            .json(&json!({"dj_name": "Export Bench DJ", "dj_slug": slug}))
            .send()
            .await?;
        if !put.status().is_success() {
            bail!("profile: {}", put.status());
        }
        let seeding = Instant::now();
        seed(store, dj, count).await?;
        if exported == Exported::Contacts {
            seed_contacts(store, dj, count).await?;
        }
        analyze(url).await?;
        let seeded_in = seeding.elapsed();
        let rss_after_seeding = memory("VmRSS")?;
        let peak_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();

        let started = Instant::now();
        let mut response = client
            .get(format!(
                "{base}/api/djdash/{}/export.csv?dj_profile_id={dj}",
                exported.name()
            ))
            .bearer_auth(key)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("export: {}", response.status());
        }
        let (mut bytes, mut lines) = (0_u64, 0_u64);
        while let Some(chunk) = response.chunk().await.context("export body")? {
            bytes += chunk.len() as u64;
            // The seeded cells hold no line breaks: one per record, the header's included.
            lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        }
        let elapsed = started.elapsed();
        let peak = memory("VmHWM")?;
        let exported_rows = lines.saturating_sub(1);
        if exported_rows != count {
            bail!("the export had {exported_rows} rows, {count} were seeded");
        }
        println!(
            "  export {exported_rows} {} (seeded in {:.1} s): {:.1} MiB of CSV in {:.2} s \
             ({:.0} rows/s); process RSS after seeding {:.1} MiB, peak RSS during the export \
             {:.1} MiB{}",
            exported.name(),
            seeded_in.as_secs_f64(),
            mib(bytes),
            elapsed.as_secs_f64(),
            exported_rows as f64 / elapsed.as_secs_f64(),
            mib(rss_after_seeding),
            mib(peak),
            if peak_reset {
                ""
            } else {
                " (peak since start: /proc/self/clear_refs could not be written)"
            },
        );
    }
    Ok(())
}

/// `count` calls for `dj`, one a minute back from now, a quarter each completed, busy,
/// missed and voicemail, with text that needs quoting.
async fn seed(store: &Store, dj: DjProfileId, count: u64) -> anyhow::Result<()> {
    let now = Timestamp::now();
    let statuses = [
        CallStatus::Completed,
        CallStatus::Busy,
        CallStatus::NoAnswer,
        CallStatus::Voicemail,
    ];
    let mut start = 0;
    while start < count {
        let end = (start + SEED_CHUNK).min(count);
        let calls: Vec<NewCall> = (start..end)
            .map(|i| {
                let status = statuses[(i % 4) as usize];
                NewCall {
                    id: CallId::new_v7(),
                    dj_profile_id: dj,
                    virtual_number: Some("+16465553890".into()),
                    caller_number: Some(format!("+1415{:07}", i % 10_000_000)),
                    caller_name: Some(format!("Caller {i}, \"bench\"")),
                    timestamp: DbTime(now - SignedDuration::from_mins(i as i64)),
                    page_url: Some("https://djdash.example/bench?utm_source=bench".into()),
                    event_type: Some("wedding".into()),
                    lead_score: LeadScore::Warm,
                    is_booked: i % 10 == 0,
                    call_duration_seconds: Some(95),
                    call_status: status,
                    call_sid: Some(format!("CA{:032x}", u128::from(i) ^ dj.0.as_u128())),
                    notes: Some("asked about a June wedding; =would be neutralised".into()),
                    source: CallSource::Twilio,
                    answered: status == CallStatus::Completed,
                    talk_seconds: (status == CallStatus::Completed).then_some(80),
                    voicemail_left: status == CallStatus::Voicemail,
                    recording_sid: None,
                    transcription_status: None,
                    transcription_text: None,
                    tipjar_link_sent: false,
                }
            })
            .collect();
        store
            .insert_calls_bulk(&Actor::System, &calls, DbTime(now))
            .await
            .context("seeding calls")?;
        start = end;
    }
    Ok(())
}

/// The contacts of `seed`'s callers (one call each), made a second apart, as the calls would
/// have made them one by one.
async fn seed_contacts(store: &Store, dj: DjProfileId, count: u64) -> anyhow::Result<()> {
    let now = Timestamp::now();
    let mut start = 0;
    while start < count {
        let end = (start + SEED_CHUNK).min(count);
        let contacts: Vec<NewContact> = (start..end)
            .map(|i| NewContact {
                id: ContactId(uuid::Uuid::now_v7()),
                dj_profile_id: dj,
                phone: format!("+1415{:07}", i % 10_000_000),
                name: Some(format!("Caller {i}, \"bench\"")),
                created_at: DbTime(now - SignedDuration::from_secs(i as i64)),
            })
            .collect();
        store
            .insert_contacts_bulk(&Actor::System, &contacts)
            .await
            .context("seeding contacts")?;
        start = end;
    }
    Ok(())
}

/// Refreshes the planner's statistics after seeding, as autovacuum (PostgreSQL) or an
/// application's periodic `ANALYZE` would have over the months those calls took to arrive:
/// without it PostgreSQL plans a brand-new DJ's 100,000 rows as a handful.
async fn analyze(url: &str) -> anyhow::Result<()> {
    use sqlx::{Connection, Executor};
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        conn.execute("ANALYZE dj_calls").await?;
        conn.execute("ANALYZE contacts").await?;
        conn.close().await?;
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        conn.execute("ANALYZE dj_calls").await?;
        conn.execute("ANALYZE contacts").await?;
        conn.close().await?;
    }
    Ok(())
}

/// A `/proc/self/status` figure (`VmRSS`, `VmHWM`), in bytes.
fn memory(field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status").context("/proc/self/status")?;
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .with_context(|| format!("no {field} in /proc/self/status"))?;
    Ok(kib * 1024)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
