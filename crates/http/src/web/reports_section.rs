//! The dashboards' report sections (SPEC §15): "Where calls come from" (revenue by source)
//! and the booking funnel, the same figures as `GET /api/djdash/reports/sources` and
//! `…/funnel` for the page's range; and the custom date range beside the 7d/30d/90d/all links.

use super::PageError;
use super::rows::range_of;
use djcalls_app::App;
use djcalls_domain::range::DateRange;
use djcalls_domain::reports::{Funnel, SourceRow};
use djcalls_domain::{Actor, Cents};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// One row of the sources table, formatted for people (raw figures in `data-*`).
pub struct SourceLine {
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub calls: i64,
    pub answered: i64,
    pub booked: i64,
    pub paid: i64,
    pub revenue_cents: i64,
    pub revenue: String,
    pub per_call: String,
    pub spend: String,
    pub cost_per_booking: String,
    pub roas: String,
}

/// One stage of the funnel.
pub struct FunnelStage {
    pub key: &'static str,
    pub label: &'static str,
    pub value: i64,
    pub shown: String,
    /// The stage's bar, as a percentage of the first stage (none for revenue).
    pub bar: Option<f64>,
    /// "38% of clicks": the share of the stage before that passed this one.
    pub of_previous: Option<String>,
}

pub struct ReportsSection {
    pub sources: Vec<SourceLine>,
    pub funnel: Vec<FunnelStage>,
}

fn money(cents: Option<i64>) -> String {
    cents.map_or_else(|| "—".to_string(), |c| Cents(c).to_string())
}

impl SourceLine {
    fn of(r: SourceRow) -> SourceLine {
        let text = |s: Option<String>| s.unwrap_or_else(|| "—".to_string());
        SourceLine {
            source: text(r.source),
            medium: text(r.medium),
            campaign: text(r.campaign),
            calls: r.calls,
            answered: r.answered,
            booked: r.booked,
            paid: r.paid,
            revenue_cents: r.revenue_cents,
            revenue: money(Some(r.revenue_cents)),
            per_call: money(r.revenue_per_call_cents),
            spend: money(r.spend_cents),
            cost_per_booking: money(r.cost_per_booking_cents),
            roas: r
                .roas
                .map_or_else(|| "—".to_string(), |x| format!("{x:.2}×")),
        }
    }
}

fn stages(f: &Funnel) -> Vec<FunnelStage> {
    let counts = [
        ("numbersShown", "Numbers shown", f.numbers_shown),
        ("clicks", "Clicks", f.clicks),
        ("calls", "Calls", f.calls),
        ("answered", "Answered", f.answered),
        ("conversations", "Conversations", f.conversations),
        ("linksSent", "Payment links sent", f.links_sent),
        ("linksOpened", "Links opened", f.links_opened),
        ("paid", "Paid", f.paid),
    ];
    let first = counts[0].2;
    let mut out: Vec<FunnelStage> = counts
        .iter()
        .enumerate()
        .map(|(i, &(key, label, value))| FunnelStage {
            key,
            label,
            value,
            shown: value.to_string(),
            bar: Some(share(value, first).unwrap_or(0.0)),
            of_previous: i
                .checked_sub(1)
                .map(|p| counts[p])
                .and_then(|(_, before, previous)| {
                    share(value, previous)
                        .map(|pct| format!("{pct:.0}% of {}", before.to_lowercase()))
                }),
        })
        .collect();
    out.push(FunnelStage {
        key: "revenueCents",
        label: "Revenue",
        value: f.revenue_cents,
        shown: Cents(f.revenue_cents).to_string(),
        bar: None,
        of_previous: None,
    });
    out
}

/// `part` as a percentage of `whole`, one decimal; none when `whole` is 0.
fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

impl ReportsSection {
    pub async fn load(
        app: &App,
        actor: &Actor,
        profile: Option<djcalls_domain::DjProfileId>,
        range: &DateRange,
    ) -> Result<ReportsSection, PageError> {
        let sources = app.source_report(actor, profile, range).await?;
        let funnel = app.funnel_report(actor, profile, range).await?;
        Ok(ReportsSection {
            sources: sources.into_iter().map(SourceLine::of).collect(),
            funnel: stages(&funnel),
        })
    }
}

/// The custom-range form: where it submits and what it keeps.
pub struct CustomRange {
    pub action: &'static str,
    pub start: String,
    pub end: String,
    pub profile_id: String,
}

/// `range=custom` with `start_date`/`end_date` (local dates, both required), else the named
/// ranges of `range_of`. Bad dates are a 400 page naming the field, never a 500.
pub fn chosen_range(
    raw: Option<&str>,
    start: Option<&str>,
    end: Option<&str>,
    now: Timestamp,
    tz: TimeZone,
    tz_name: &str,
) -> Result<(&'static str, DateRange), PageError> {
    if raw.map(str::trim) != Some("custom") {
        return range_of(raw, now, tz, tz_name);
    }
    let date = |v: Option<&str>, field: &str| -> Result<String, PageError> {
        let v = v.map(str::trim).unwrap_or_default();
        if v.len() != 10 {
            return Err(PageError::bad_request(format!(
                "{field} must be a date (YYYY-MM-DD)."
            )));
        }
        Ok(v.to_string())
    };
    let (start, end) = (date(start, "start_date")?, date(end, "end_date")?);
    let range = DateRange::parse(Some(&start), Some(&end), Some(tz_name))
        .map_err(|e| PageError::bad_request(format!("{e}.")))?;
    Ok(("custom", range))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funnel_bars_are_shares_of_the_first_stage_and_say_what_passed_the_one_before() {
        let f = Funnel {
            numbers_shown: 200,
            clicks: 50,
            calls: 20,
            answered: 15,
            conversations: 10,
            links_sent: 10,
            links_opened: 4,
            paid: 0,
            revenue_cents: 0,
        };
        let s = stages(&f);
        let bars: Vec<Option<f64>> = s.iter().map(|s| s.bar).collect();
        assert_eq!(
            bars,
            [
                Some(100.0),
                Some(25.0),
                Some(10.0),
                Some(7.5),
                Some(5.0),
                Some(5.0),
                Some(2.0),
                Some(0.0),
                None
            ]
        );
        assert_eq!(s[0].of_previous, None);
        assert_eq!(s[1].of_previous.as_deref(), Some("25% of numbers shown"));
        assert_eq!(s[3].of_previous.as_deref(), Some("75% of calls"));
        let empty = stages(&Funnel::default());
        assert!(
            empty
                .iter()
                .take(8)
                .all(|s| s.bar == Some(0.0) && s.of_previous.is_none())
        );
    }
}
