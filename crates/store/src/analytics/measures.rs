//! The SQL vocabulary of the analytics summaries: the figures every summary row carries, and
//! the range predicates over bucket numbers. Everything spliced into SQL here is a static name
//! or a `$n` placeholder; values are bound.

use djcalls_domain::rollup_plan::Span;

/// The figures of `analytics_deltas`, `analytics_dj_days` and `analytics_platform_days`, in
/// the order of `Measures`.
pub(super) const MEASURES: [&str; 18] = [
    "calls",
    "booked",
    "answered",
    "voicemails",
    "hot",
    "warm",
    "cold",
    "duration_sum",
    "with_duration",
    "links_sent",
    "payments_received",
    "missed_texts",
    "missed_text_payments",
    "recordings",
    "transcriptions",
    "revenue_cents",
    "platform_cut_cents",
    "dj_share_cents",
];

/// The figures of the per-DJ block table (the top-DJ table's).
pub(super) const BLOCK_MEASURES: [&str; 4] =
    ["calls", "booked", "revenue_cents", "platform_cut_cents"];

/// The figures of the per-DJ day totals (the day chart's).
pub(super) const DAY_TOTAL_MEASURES: [&str; 4] = ["calls", "booked", "answered", "revenue_cents"];

/// The figures the hour tables keep per quarter: `calls_q0` … `revenue_q3`, from the
/// deltas' `calls`, `answered`, `booked`, `revenue_cents`.
pub(super) const QUARTER_MEASURES: [(&str, &str); 4] = [
    ("calls", "calls"),
    ("answered", "answered"),
    ("booked", "booked"),
    ("revenue", "revenue_cents"),
];

/// The figures of the source tables, each from the deltas' figure of the second name.
pub(super) const SOURCE_MEASURES: [(&str, &str); 5] = [
    ("calls", "calls"),
    ("answered", "answered"),
    ("booked", "booked"),
    ("paid", "payments_received"),
    ("revenue_cents", "revenue_cents"),
];

/// One row of figures, as `MEASURES` names them.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub(super) struct Measures {
    pub calls: i64,
    pub booked: i64,
    pub answered: i64,
    pub voicemails: i64,
    pub hot: i64,
    pub warm: i64,
    pub cold: i64,
    pub duration_sum: i64,
    pub with_duration: i64,
    pub links_sent: i64,
    pub payments_received: i64,
    pub missed_texts: i64,
    pub missed_text_payments: i64,
    pub recordings: i64,
    pub transcriptions: i64,
    pub revenue_cents: i64,
    pub platform_cut_cents: i64,
    pub dj_share_cents: i64,
}

/// `a, b, c` of `names`, each prefixed with `prefix`.
pub(super) fn list(names: &[&str], prefix: &str) -> String {
    names
        .iter()
        .map(|m| format!("{prefix}{m}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CAST(sum(t.calls) AS BIGINT) AS calls, …`.
pub(super) fn sums(names: &[&str], prefix: &str) -> String {
    names
        .iter()
        .map(|m| format!("CAST(sum({prefix}{m}) AS BIGINT) AS {m}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Integer values for the placeholders after the first `offset`, in the order the SQL names
/// them.
pub(super) struct Binds {
    pub values: Vec<i64>,
    offset: usize,
}

impl Binds {
    pub fn after(offset: usize) -> Binds {
        Binds {
            values: Vec::new(),
            offset,
        }
    }

    pub fn push(&mut self, value: i64) -> String {
        self.values.push(value);
        format!("${}", self.offset + self.values.len())
    }
}

/// `(col >= $n AND col < $m) OR …` over `spans` counted `factor` times finer than they are
/// given; false when there are none, true for an unbounded span.
pub(super) fn within(col: &str, spans: &[Span], factor: i64, binds: &mut Binds) -> String {
    if spans.is_empty() {
        return "1 = 0".into();
    }
    let parts: Vec<String> = spans
        .iter()
        .map(|s| {
            let mut bounds = Vec::new();
            if let Some(from) = s.from {
                bounds.push(format!("{col} >= {}", binds.push(from * factor)));
            }
            if let Some(to) = s.to {
                bounds.push(format!("{col} < {}", binds.push(to * factor)));
            }
            if bounds.is_empty() {
                "1 = 1".to_string()
            } else {
                format!("({})", bounds.join(" AND "))
            }
        })
        .collect();
    format!("({})", parts.join(" OR "))
}
