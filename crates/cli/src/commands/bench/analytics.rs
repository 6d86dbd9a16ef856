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

use super::analytics_data::{self, DataSet};
use super::percentile;
use anyhow::{Context, bail};
use jiff::Timestamp;
use std::time::{Duration, Instant};

/// One measured request.
struct Case {
    name: String,
    path: String,
    /// The same figures by the seed's approach: whose rows (None: every DJ's), from when.
    reference: (Option<uuid::Uuid>, Option<Timestamp>),
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
        "analytics: {} DJs, {} calls ({} for the busiest DJ), {} payments; seeded in {:.0} s",
        data.djs,
        data.calls,
        data.big_dj_calls,
        data.payments,
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
    let reference = analytics_data::Reference::open(url).await?;
    for case in cases(&data) {
        let ours = time(runs, || async {
            let r = client
                .get(format!("{base}{}", case.path))
                .bearer_auth(key)
                .send()
                .await?;
            if r.status() != 200 {
                bail!("{} answered {}", case.path, r.status());
            }
            r.bytes().await?;
            Ok(())
        })
        .await?;
        let (dj, from) = case.reference;
        let seeds = time(runs.clamp(1, 3), || async {
            reference.seed_style_figures(dj, from).await.map(|_| ())
        })
        .await?;
        println!(
            "  {:<34} djcalls p50 {:>9.2} ms, p95 {:>9.2} ms | the seed's approach p50 {:>9.2} ms | seed/djcalls {:>7.1}×",
            case.name,
            ms(percentile(&ours, 50)),
            ms(percentile(&ours, 95)),
            ms(percentile(&seeds, 50)),
            ms(percentile(&seeds, 50)) / ms(percentile(&ours, 50)).max(f64::MIN_POSITIVE),
        );
    }
    Ok(())
}

fn cases(data: &DataSet) -> Vec<Case> {
    let today = Timestamp::now();
    let month_ago = today - jiff::SignedDuration::from_hours(24 * 30);
    let date = |t: Timestamp| t.strftime("%Y-%m-%d").to_string();
    let last_30 = format!("start_date={}&end_date={}", date(month_ago), date(today));
    let (big, typical) = (data.big_dj, data.typical_dj);
    vec![
        Case {
            name: format!("one DJ, {} calls, all time", data.big_dj_calls),
            path: format!("/api/djdash/calls/analytics?dj_profile_id={big}"),
            reference: (Some(big), None),
        },
        Case {
            name: format!(
                "one DJ, {} calls, all time, New York days",
                data.big_dj_calls
            ),
            path: format!("/api/djdash/calls/analytics?dj_profile_id={big}&tz=America/New_York"),
            reference: (Some(big), None),
        },
        Case {
            name: format!(
                "one DJ, {} calls, all time, Kolkata days",
                data.big_dj_calls
            ),
            path: format!("/api/djdash/calls/analytics?dj_profile_id={big}&tz=Asia/Kolkata"),
            reference: (Some(big), None),
        },
        Case {
            name: format!("one DJ, {} calls, 30 days", data.big_dj_calls),
            path: format!("/api/djdash/calls/analytics?dj_profile_id={big}&{last_30}"),
            reference: (Some(big), Some(month_ago)),
        },
        Case {
            name: "a typical DJ, 1,000 calls".into(),
            path: format!("/api/djdash/calls/analytics?dj_profile_id={typical}"),
            reference: (Some(typical), None),
        },
        Case {
            name: "admin, whole platform, all time".into(),
            path: "/api/djdash/admin/analytics".into(),
            reference: (None, None),
        },
        Case {
            name: "admin, whole platform, 30 days".into(),
            path: format!("/api/djdash/admin/analytics?{last_30}"),
            reference: (None, Some(month_ago)),
        },
    ]
}

/// `runs` timings of `f`, sorted.
async fn time<F, Fut>(runs: usize, f: F) -> anyhow::Result<Vec<Duration>>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut out = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        f().await.context("a measured request")?;
        out.push(started.elapsed());
    }
    out.sort();
    Ok(out)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
