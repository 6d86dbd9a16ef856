//! `djcalls bench --case analytics` (issue 9 part 3): the analytics answers at marketplace
//! scale, beside the seed's approach on the same data in the same run.
//!
//! The data set (`analytics_data.rs`): `2000 × scale` DJs with 1,000 calls each plus one DJ
//! with `100,000 × scale`, spread over two years, a quarter of them paid. Then each request is
//! asked one at a time over HTTP (`--analytics-runs` times; median and p95), and beside it the
//! seed's approach — fetch every row of the same filter with its payments and add them up in
//! the application — with the ratio between the two. The answers come from the analytics
//! summaries (`store/src/analytics/`); the deltas the seeding wrote are folded first, and the
//! time that takes is printed too.

use super::analytics_data::{self, DataSet, Reference};
use super::analytics_reports::{FunnelCounts, SourceCounts, SourceKey};
use super::percentile;
use anyhow::{Context, bail};
use djcalls_domain::range::day_start;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Which answer a case asks for.
#[derive(Clone, Copy)]
enum Report {
    /// SPEC §6.
    Analytics,
    /// SPEC §15, by source.
    Sources,
    /// SPEC §15, the funnel.
    Funnel,
}

/// One measured request.
struct Case {
    name: String,
    path: String,
    report: Report,
    /// The same figures by the seed's approach: whose rows (None: every DJ's), in `[from, to)`.
    dj: Option<uuid::Uuid>,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
}

/// A case's figures, by either approach, compared before anything is printed.
#[derive(Debug, PartialEq)]
enum Figures {
    /// calls, booked, revenue cents.
    Totals(u64, u64, i64),
    Sources(BTreeMap<SourceKey, SourceCounts>),
    Funnel(FunnelCounts),
}

pub async fn run(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    store: &djcalls_store::Store,
    url: &str,
    scale: f64,
    runs: usize,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let data = analytics_data::seed(store, url, scale).await?;
    println!(
        "analytics: {} DJs, {} calls ({} for the busiest DJ), {} payments, {} widget clicks \
         ({} calls attributed to one); seeded in {:.0} s",
        data.djs,
        data.calls,
        data.big_dj_calls,
        data.payments,
        data.clicks,
        data.attributed,
        started.elapsed().as_secs_f64()
    );
    // The triggers wrote every call's, payment's and update's contribution as deltas; the
    // serving process folds them every second, this folds them all before measuring.
    let started = Instant::now();
    let folded = store
        .fold_analytics()
        .await
        .context("folding the seeded deltas")?;
    println!(
        "  folded {folded} deltas into the summaries in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let reference = Reference::open(url).await?;
    // A request that fails (a server timeout on a slow query) is reported and the others still
    // measured; the run fails at the end. Differing figures fail at once.
    let mut failed = Vec::new();
    for case in cases(&data) {
        let measured = time(runs, || async {
            let r = client
                .get(format!("{base}{}", case.path))
                .bearer_auth(key)
                .send()
                .await?;
            if r.status() != 200 {
                bail!("{} answered {}", case.path, r.status());
            }
            Ok(r.bytes().await?)
        })
        .await;
        let (ours, answer) = match measured {
            Ok(measured) => measured,
            Err(e) => {
                println!("  {:<44} FAILED: {e:#}", case.name);
                failed.push(case.name);
                continue;
            }
        };
        let (seeds, expected) =
            time(runs.clamp(1, 3), || reference_figures(&reference, &case)).await?;
        let got = answered_figures(case.report, &serde_json::from_slice(&answer)?)
            .with_context(|| format!("reading the answer of {}", case.path))?;
        if got != expected {
            bail!(
                "{}: {} answered figures that differ from the seed's approach on the same rows\n  \
                 djcalls:         {got:?}\n  the seed's way:  {expected:?}",
                case.name,
                case.path
            );
        }
        println!(
            "  {:<44} djcalls p50 {:>9.2} ms, p95 {:>9.2} ms | the seed's approach p50 {:>9.2} ms | seed/djcalls {:>7.1}× | same figures",
            case.name,
            ms(percentile(&ours, 50)),
            ms(percentile(&ours, 95)),
            ms(percentile(&seeds, 50)),
            ms(percentile(&seeds, 50)) / ms(percentile(&ours, 50)).max(f64::MIN_POSITIVE),
        );
    }
    if !failed.is_empty() {
        bail!("{} case(s) failed: {}", failed.len(), failed.join("; "));
    }
    Ok(())
}

async fn reference_figures(reference: &Reference, case: &Case) -> anyhow::Result<Figures> {
    let (dj, from, to) = (case.dj, case.from, case.to);
    Ok(match case.report {
        Report::Analytics => {
            let (calls, booked, revenue) = reference.seed_style_figures(dj, from, to).await?;
            Figures::Totals(calls, booked, revenue)
        }
        Report::Sources => Figures::Sources(reference.source_figures(dj, from, to).await?),
        Report::Funnel => Figures::Funnel(reference.funnel_figures(dj, from, to).await?),
    })
}

/// The figures of an answer, shaped as the reference's.
fn answered_figures(report: Report, answer: &Value) -> anyhow::Result<Figures> {
    let int = |v: &Value, field: &str| {
        v[field]
            .as_i64()
            .with_context(|| format!("no integer {field} in {v}"))
    };
    Ok(match report {
        Report::Analytics => {
            let a = &answer["analytics"];
            Figures::Totals(
                u64::try_from(int(a, "totalCalls")?)?,
                u64::try_from(int(a, "bookedCalls")?)?,
                int(a, "totalRevenueCents")?,
            )
        }
        Report::Sources => {
            let mut out = BTreeMap::new();
            for row in answer["sources"].as_array().context("no sources")? {
                let text = |field: &str| row[field].as_str().map(str::to_string);
                let key = (text("source"), text("medium"), text("campaign"));
                let counts = [
                    int(row, "calls")?,
                    int(row, "answered")?,
                    int(row, "booked")?,
                    int(row, "paid")?,
                    int(row, "revenueCents")?,
                ];
                out.insert(key, counts);
            }
            Figures::Sources(out)
        }
        Report::Funnel => {
            let f = &answer["funnel"];
            let mut out = [0; 9];
            let fields = [
                "numbersShown",
                "clicks",
                "calls",
                "answered",
                "conversations",
                "linksSent",
                "linksOpened",
                "paid",
                "revenueCents",
            ];
            for (slot, field) in out.iter_mut().zip(fields) {
                *slot = int(f, field)?;
            }
            Figures::Funnel(out)
        }
    })
}

fn cases(data: &DataSet) -> Vec<Case> {
    let today = Timestamp::now();
    let month_ago = today - jiff::SignedDuration::from_hours(24 * 30);
    let date = |t: Timestamp| t.strftime("%Y-%m-%d").to_string();
    let last_30 = format!("start_date={}&end_date={}", date(month_ago), date(today));
    // What those dates mean (UTC, the default zone): from the first day's midnight to the
    // midnight after the last day.
    let midnight = |t: Timestamp, days: i64| {
        let day = t.to_zoned_datetime(TimeZone::UTC).date();
        day_start(day.checked_add(days.days()).ok()?, &TimeZone::UTC)
    };
    let (from_30, to_30) = (midnight(month_ago, 0), midnight(today, 1));
    let (big, typical) = (data.big_dj, data.typical_dj);
    let big_calls = data.big_dj_calls;
    let case = |name: String, path: String, report, dj, last_30_days: bool| Case {
        name,
        path,
        report,
        dj,
        from: if last_30_days { from_30 } else { None },
        to: if last_30_days { to_30 } else { None },
    };
    let mut out = vec![
        case(
            format!("one DJ, {big_calls} calls, all time"),
            format!("/api/djdash/calls/analytics?dj_profile_id={big}"),
            Report::Analytics,
            Some(big),
            false,
        ),
        case(
            format!("one DJ, {big_calls} calls, all time, New York days"),
            format!("/api/djdash/calls/analytics?dj_profile_id={big}&tz=America/New_York"),
            Report::Analytics,
            Some(big),
            false,
        ),
        case(
            format!("one DJ, {big_calls} calls, all time, Kolkata days"),
            format!("/api/djdash/calls/analytics?dj_profile_id={big}&tz=Asia/Kolkata"),
            Report::Analytics,
            Some(big),
            false,
        ),
        case(
            format!("one DJ, {big_calls} calls, 30 days"),
            format!("/api/djdash/calls/analytics?dj_profile_id={big}&{last_30}"),
            Report::Analytics,
            Some(big),
            true,
        ),
        case(
            "a typical DJ, 1,000 calls".into(),
            format!("/api/djdash/calls/analytics?dj_profile_id={typical}"),
            Report::Analytics,
            Some(typical),
            false,
        ),
        case(
            "admin, whole platform, all time".into(),
            "/api/djdash/admin/analytics".into(),
            Report::Analytics,
            None,
            false,
        ),
        case(
            "admin, whole platform, 30 days".into(),
            format!("/api/djdash/admin/analytics?{last_30}"),
            Report::Analytics,
            None,
            true,
        ),
    ];
    // SPEC §15: the same four scopes for each report.
    for (report, name, endpoint) in [
        (Report::Sources, "sources", "sources"),
        (Report::Funnel, "funnel", "funnel"),
    ] {
        let path = format!("/api/djdash/reports/{endpoint}");
        out.extend([
            case(
                format!("{name}: one DJ, {big_calls} calls, all time"),
                format!("{path}?dj_profile_id={big}"),
                report,
                Some(big),
                false,
            ),
            case(
                format!("{name}: a typical DJ, 1,000 calls"),
                format!("{path}?dj_profile_id={typical}"),
                report,
                Some(typical),
                false,
            ),
            case(
                format!("{name}: admin, whole platform, all time"),
                path.clone(),
                report,
                None,
                false,
            ),
            case(
                format!("{name}: admin, whole platform, 30 days"),
                format!("{path}?{last_30}"),
                report,
                None,
                true,
            ),
        ]);
    }
    out
}

/// `runs` timings of `f`, sorted, and its last result.
async fn time<F, Fut, T>(runs: usize, f: F) -> anyhow::Result<(Vec<Duration>, T)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut out = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        last = Some(f().await.context("a measured request")?);
        out.push(started.elapsed());
    }
    out.sort();
    Ok((out, last.context("no run")?))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
