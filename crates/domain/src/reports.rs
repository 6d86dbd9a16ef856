//! The report arithmetic of SPEC §15: the database groups and sums calls per source and
//! counts the funnel's stages; this module adds the spend (`spend`: a month's spend over the
//! days of the range it covers) and the per-call, per-booking and return ratios.

pub mod spend;

use serde::Serialize;
use std::collections::BTreeMap;

/// A source's key: the attribution's `utm_source`/`utm_medium`/`utm_campaign` (`google`/`cpc`
/// for a click with only a `gclid`, `direct` for a call without a click); `None` when absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceKey {
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
}

/// What the database computes per source over the calls of a range.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceFigures {
    pub key: SourceKey,
    pub calls: i64,
    pub answered: i64,
    pub booked: i64,
    pub paid: i64,
    /// Payments net of refunds, as SPEC §6 counts revenue.
    pub revenue_cents: i64,
}

/// One row of `GET /api/djdash/reports/sources`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRow {
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub calls: i64,
    pub answered: i64,
    pub booked: i64,
    pub paid: i64,
    pub revenue_cents: i64,
    /// revenueCents / calls, whole cents rounded half up; null without calls.
    pub revenue_per_call_cents: Option<i64>,
    /// The spend given for this source over the range (see `spend`); null when none was given.
    pub spend_cents: Option<i64>,
    pub cost_per_call_cents: Option<i64>,
    pub cost_per_booking_cents: Option<i64>,
    /// revenueCents / spendCents, 2 decimals.
    pub roas: Option<f64>,
}

/// The funnel of `GET /api/djdash/reports/funnel` (definitions in the README).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Funnel {
    pub numbers_shown: i64,
    pub clicks: i64,
    pub calls: i64,
    pub answered: i64,
    pub conversations: i64,
    pub links_sent: i64,
    pub links_opened: i64,
    pub paid: i64,
    pub revenue_cents: i64,
}

/// `numerator / denominator` in whole units rounded half up; `None` when the denominator is 0.
pub fn ratio_half_up(numerator: i64, denominator: i64) -> Option<i64> {
    if denominator == 0 {
        return None;
    }
    let (n, d) = (i128::from(numerator), i128::from(denominator));
    let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
    i64::try_from((2 * n + d).div_euclid(2 * d)).ok()
}

/// `numerator / denominator` with 2 decimals, rounded half up; `None` when the denominator is 0.
pub fn ratio_2dp(numerator: i64, denominator: i64) -> Option<f64> {
    let hundredths = ratio_half_up(numerator.checked_mul(100)?, denominator)?;
    Some(hundredths as f64 / 100.0)
}

/// The report's rows: every source with calls, and every source with spend but no calls,
/// most calls first (then most revenue, then by key).
pub fn source_rows(
    figures: Vec<SourceFigures>,
    spend: &BTreeMap<SourceKey, i64>,
) -> Vec<SourceRow> {
    let mut by_key: BTreeMap<SourceKey, SourceFigures> =
        figures.into_iter().map(|f| (f.key.clone(), f)).collect();
    for key in spend.keys() {
        by_key.entry(key.clone()).or_insert_with(|| SourceFigures {
            key: key.clone(),
            ..SourceFigures::default()
        });
    }
    let mut rows: Vec<SourceRow> = by_key
        .into_values()
        .map(|f| {
            let spend_cents = spend.get(&f.key).copied();
            row(f, spend_cents)
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.calls, b.revenue_cents)
            .cmp(&(a.calls, a.revenue_cents))
            .then_with(|| {
                (&a.source, &a.medium, &a.campaign).cmp(&(&b.source, &b.medium, &b.campaign))
            })
    });
    rows
}

fn row(f: SourceFigures, spend_cents: Option<i64>) -> SourceRow {
    let per = |denominator: i64| spend_cents.and_then(|s| ratio_half_up(s, denominator));
    SourceRow {
        revenue_per_call_cents: ratio_half_up(f.revenue_cents, f.calls),
        cost_per_call_cents: per(f.calls),
        cost_per_booking_cents: per(f.booked),
        roas: spend_cents.and_then(|s| ratio_2dp(f.revenue_cents, s)),
        spend_cents,
        source: f.key.source,
        medium: f.key.medium,
        campaign: f.key.campaign,
        calls: f.calls,
        answered: f.answered,
        booked: f.booked,
        paid: f.paid,
        revenue_cents: f.revenue_cents,
    }
}

#[cfg(test)]
mod tests;
