//! The analytics arithmetic of SPEC §6: the database counts and sums, this module turns those
//! figures into the API's rates, averages and dollar amounts.

use crate::money::Cents;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the database computes over a set of calls (no rows, just figures).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallFigures {
    pub total_calls: i64,
    pub booked_calls: i64,
    pub answered_calls: i64,
    pub voicemails: i64,
    pub hot: i64,
    pub warm: i64,
    pub cold: i64,
    pub duration_sum_secs: i64,
    pub calls_with_duration: i64,
    pub tipjar_links_sent: i64,
    pub tipjar_payments_received: i64,
    /// Calls whose missed-call text was sent (SPEC §13).
    pub missed_call_texts_sent: i64,
    /// Of those, calls paid for.
    pub missed_call_text_payments: i64,
    pub recordings: i64,
    pub transcriptions: i64,
    pub revenue_cents: i64,
    pub platform_cut_cents: i64,
    pub dj_revenue_cents: i64,
    /// `(event_type or None, count)`.
    pub event_types: Vec<(Option<String>, i64)>,
    pub days: Vec<DayFigures>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayFigures {
    /// Local date `YYYY-MM-DD` in the requested zone.
    pub date: String,
    pub calls: i64,
    pub answered: i64,
    pub booked: i64,
    pub revenue_cents: i64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeadScoreBreakdown {
    pub hot: i64,
    pub warm: i64,
    pub cold: i64,
}

/// The JSON `analytics` object of `GET /api/djdash/calls/analytics`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analytics {
    pub total_calls: i64,
    pub booked_calls: i64,
    pub conversion_rate: f64,
    pub total_revenue: f64,
    pub platform_cut: f64,
    pub dj_revenue: f64,
    pub total_revenue_cents: i64,
    pub platform_cut_cents: i64,
    pub dj_revenue_cents: i64,
    pub lead_score_breakdown: LeadScoreBreakdown,
    pub event_type_breakdown: BTreeMap<String, i64>,
    pub avg_call_duration: i64,
    pub tipjar_links_sent: i64,
    pub tipjar_payments_received: i64,
    /// Calls whose missed-call text was sent (`FOLLOWUP_MISSED_CALLS`, SPEC §13).
    pub missed_call_texts_sent: i64,
    /// Calls paid for after their missed-call text.
    pub missed_call_text_payments: i64,
    pub recordings_count: i64,
    pub transcriptions_count: i64,
    pub transcription_success_rate: f64,
    pub answered_calls: i64,
    pub missed_calls: i64,
    pub voicemails: i64,
    pub answer_rate: f64,
    pub calls_by_day: Vec<DayFigures>,
}

impl CallFigures {
    /// The figures of two disjoint sets of calls together: counts and sums add, event types
    /// and days merge by key. Keys whose calls net to zero are dropped, as a count over the
    /// calls would never show them.
    pub fn merge(mut self, other: CallFigures) -> CallFigures {
        self.total_calls += other.total_calls;
        self.booked_calls += other.booked_calls;
        self.answered_calls += other.answered_calls;
        self.voicemails += other.voicemails;
        self.hot += other.hot;
        self.warm += other.warm;
        self.cold += other.cold;
        self.duration_sum_secs += other.duration_sum_secs;
        self.calls_with_duration += other.calls_with_duration;
        self.tipjar_links_sent += other.tipjar_links_sent;
        self.tipjar_payments_received += other.tipjar_payments_received;
        self.missed_call_texts_sent += other.missed_call_texts_sent;
        self.missed_call_text_payments += other.missed_call_text_payments;
        self.recordings += other.recordings;
        self.transcriptions += other.transcriptions;
        self.revenue_cents += other.revenue_cents;
        self.platform_cut_cents += other.platform_cut_cents;
        self.dj_revenue_cents += other.dj_revenue_cents;
        let mut types: BTreeMap<Option<String>, i64> = BTreeMap::new();
        for (t, n) in self.event_types.into_iter().chain(other.event_types) {
            *types.entry(t).or_insert(0) += n;
        }
        self.event_types = types.into_iter().filter(|(_, n)| *n != 0).collect();
        let mut days: BTreeMap<String, DayFigures> = BTreeMap::new();
        for d in self.days.into_iter().chain(other.days) {
            let e = days.entry(d.date.clone()).or_insert_with(|| DayFigures {
                date: d.date.clone(),
                ..DayFigures::default()
            });
            e.calls += d.calls;
            e.answered += d.answered;
            e.booked += d.booked;
            e.revenue_cents += d.revenue_cents;
        }
        self.days = days.into_values().filter(|d| d.calls != 0).collect();
        self
    }
}

/// `part / whole × 100`, rounded half up to 2 decimals; 0 when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        return 0.0;
    }
    let hundredths = (i128::from(part) * 20_000 + i128::from(whole)) / (2 * i128::from(whole));
    hundredths as f64 / 100.0
}

/// Mean rounded half up to a whole number; 0 over nothing.
pub fn rounded_mean(sum: i64, count: i64) -> i64 {
    if count <= 0 {
        return 0;
    }
    let (sum, count) = (i128::from(sum), i128::from(count));
    i64::try_from((2 * sum + count).div_euclid(2 * count)).unwrap_or(i64::MAX)
}

impl From<CallFigures> for Analytics {
    fn from(f: CallFigures) -> Self {
        let mut event_type_breakdown = BTreeMap::new();
        for (event_type, count) in f.event_types {
            let key = event_type
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| "unknown".to_string());
            *event_type_breakdown.entry(key).or_insert(0) += count;
        }
        Analytics {
            total_calls: f.total_calls,
            booked_calls: f.booked_calls,
            conversion_rate: percent(f.booked_calls, f.total_calls),
            total_revenue: Cents(f.revenue_cents).as_dollars(),
            platform_cut: Cents(f.platform_cut_cents).as_dollars(),
            dj_revenue: Cents(f.dj_revenue_cents).as_dollars(),
            total_revenue_cents: f.revenue_cents,
            platform_cut_cents: f.platform_cut_cents,
            dj_revenue_cents: f.dj_revenue_cents,
            lead_score_breakdown: LeadScoreBreakdown {
                hot: f.hot,
                warm: f.warm,
                cold: f.cold,
            },
            event_type_breakdown,
            avg_call_duration: rounded_mean(f.duration_sum_secs, f.calls_with_duration),
            tipjar_links_sent: f.tipjar_links_sent,
            tipjar_payments_received: f.tipjar_payments_received,
            missed_call_texts_sent: f.missed_call_texts_sent,
            missed_call_text_payments: f.missed_call_text_payments,
            recordings_count: f.recordings,
            transcriptions_count: f.transcriptions,
            transcription_success_rate: percent(f.transcriptions, f.recordings),
            answered_calls: f.answered_calls,
            missed_calls: f.total_calls - f.answered_calls,
            voicemails: f.voicemails,
            answer_rate: percent(f.answered_calls, f.total_calls),
            calls_by_day: f.days,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_half_up_to_two_decimals() {
        assert_eq!(percent(45, 150), 30.0);
        assert_eq!(percent(1, 3), 33.33);
        assert_eq!(percent(2, 3), 66.67);
        assert_eq!(percent(1, 8), 12.5);
        assert_eq!(percent(0, 0), 0.0);
        assert_eq!(percent(5, 5), 100.0);
    }

    #[test]
    fn means_round_half_up() {
        assert_eq!(rounded_mean(3, 2), 2);
        assert_eq!(rounded_mean(5, 4), 1);
        assert_eq!(rounded_mean(0, 0), 0);
        assert_eq!(rounded_mean(180, 1), 180);
    }

    #[test]
    fn calls_without_an_event_type_count_as_unknown() {
        let a = Analytics::from(CallFigures {
            total_calls: 3,
            event_types: vec![(None, 1), (Some("wedding".into()), 2)],
            ..Default::default()
        });
        assert_eq!(a.event_type_breakdown["unknown"], 1);
        assert_eq!(a.event_type_breakdown["wedding"], 2);
        assert_eq!(a.missed_calls, 3);
    }
}
