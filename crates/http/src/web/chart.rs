//! Bar charts people can read (issue 13 part 3), drawn as inline SVG on the server: a value
//! axis with round ticks, dates along the bottom, and every bar focusable with its value shown
//! on hover and keyboard focus and said by its accessible label. The figures are the analytics
//! API's `callsByDay` (the same numbers, not recomputed), so the page and the API agree.
//!
//! Hand-drawn rather than a vendored chart library: two bar charts need ~150 lines, render
//! with no script (the live dashboard swaps server-rendered HTML), and stay readable in tests.

use super::figures::grouped;
use djcalls_domain::analytics::DayFigures;

/// viewBox size and the plot area inside it.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 28.0;
/// At most this many dates are written under the bars (always the first and the last).
const DATE_LABELS: usize = 7;

pub struct BarChart {
    pub id: &'static str,
    pub title: &'static str,
    /// What one bar shows, for the chart's description.
    pub unit: &'static str,
    pub width: f64,
    pub height: f64,
    pub plot_left: f64,
    pub plot_right: f64,
    pub plot_bottom: f64,
    pub y_ticks: Vec<Tick>,
    pub x_labels: Vec<Tick>,
    pub bars: Vec<ChartBar>,
}

/// An axis label at `at` (y for the value axis, x for dates).
pub struct Tick {
    pub at: f64,
    pub label: String,
}

pub struct ChartBar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Where the bar's value is written: above the plot (so no later bar covers it), over the
    /// bar's centre, kept inside the chart.
    pub label_x: f64,
    pub label_y: f64,
    pub date: String,
    /// The bar's value as the API gives it (a count, or cents).
    pub value: i64,
    /// The value as shown on hover and focus: "Nov 3: 4 calls", "Nov 3: $1,250.00".
    pub shown: String,
    /// What a screen reader says: the date and every figure of that day.
    pub aria: String,
    pub calls: i64,
    pub answered: i64,
    pub booked: i64,
    /// A day without calls between two with calls: drawn at zero so the time axis is even,
    /// but not a stop for the keyboard.
    pub gap: bool,
}

impl BarChart {
    /// Calls per day (answered and booked in each bar's label).
    pub fn calls(days: &[DayFigures]) -> BarChart {
        BarChart::of("calls-per-day", "Calls per day", "calls", days, |d| {
            let calls = d.calls;
            (
                calls,
                format!(
                    "{}: {calls} call{}",
                    short_date(&d.date, false),
                    if calls == 1 { "" } else { "s" }
                ),
                format!(
                    "{}: {calls} calls, {} answered, {} booked",
                    long_date(&d.date),
                    d.answered,
                    d.booked
                ),
            )
        })
    }

    /// Revenue per day (net of refunds, by the day of the call, as `callsByDay`).
    pub fn revenue(days: &[DayFigures]) -> BarChart {
        BarChart::of("revenue-per-day", "Revenue per day", "revenue", days, |d| {
            (
                d.revenue_cents,
                format!("{}: {}", short_date(&d.date, false), money(d.revenue_cents)),
                format!("{}: {} revenue", long_date(&d.date), money(d.revenue_cents)),
            )
        })
    }

    fn of(
        id: &'static str,
        title: &'static str,
        unit: &'static str,
        days: &[DayFigures],
        value: impl Fn(&DayFigures) -> (i64, String, String),
    ) -> BarChart {
        let (days, gaps) = with_gaps(days);
        let days = &days[..];
        let values: Vec<(i64, String, String)> = days.iter().map(&value).collect();
        let max = values.iter().map(|v| v.0).max().unwrap_or(0).max(0);
        let money = unit == "revenue";
        let (step, top) = nice_scale(if money { (max + 99) / 100 } else { max });
        let scale = |v: i64| if money { v as f64 / 100.0 } else { v as f64 };
        let plot_h = HEIGHT - TOP - BOTTOM;
        let plot_w = WIDTH - LEFT - RIGHT;
        let y_of = |v: f64| round1(TOP + plot_h - v / top as f64 * plot_h);
        let y_ticks = (0..=top / step)
            .map(|i| {
                let v = i * step;
                Tick {
                    at: y_of(v as f64),
                    label: if money {
                        format!("${}", grouped(v))
                    } else {
                        grouped(v)
                    },
                }
            })
            .collect();
        let n = days.len().max(1) as f64;
        let slot = plot_w / n;
        let bars: Vec<ChartBar> = days
            .iter()
            .zip(values)
            .enumerate()
            .map(|(i, (d, (v, shown, aria)))| {
                let top_y = y_of(scale(v).max(0.0));
                let base = TOP + plot_h;
                let h = (base - top_y).max(if v > 0 { 1.0 } else { 0.0 });
                let x = LEFT + i as f64 * slot + slot * 0.1;
                let centre = LEFT + (i as f64 + 0.5) * slot;
                ChartBar {
                    x: round1(x),
                    y: round1(base - h),
                    w: round1((slot * 0.8).max(0.5)),
                    h: round1(h),
                    label_x: round1(centre.clamp(LEFT + 60.0, WIDTH - RIGHT - 60.0)),
                    label_y: TOP - 4.0,
                    date: d.date.clone(),
                    value: v,
                    shown,
                    aria,
                    calls: d.calls,
                    answered: d.answered,
                    booked: d.booked,
                    gap: gaps[i],
                }
            })
            .collect();
        let x_labels = label_indices(days.len())
            .into_iter()
            .map(|i| Tick {
                at: round1(LEFT + (i as f64 + 0.5) * slot),
                label: short_date(&days[i].date, spans_years(days)),
            })
            .collect();
        BarChart {
            id,
            title,
            unit,
            width: WIDTH,
            height: HEIGHT,
            plot_left: LEFT,
            plot_right: WIDTH - RIGHT,
            plot_bottom: TOP + plot_h,
            y_ticks,
            x_labels,
            bars,
        }
    }
}

/// Longest span, in days, whose days without calls are drawn (beyond it, only days with calls).
const MAX_FILLED_DAYS: i32 = 800;

/// `days` with the days without calls between them added at zero (marked in the second list).
fn with_gaps(days: &[DayFigures]) -> (Vec<DayFigures>, Vec<bool>) {
    let parse = |d: &DayFigures| d.date.parse::<jiff::civil::Date>().ok();
    let (Some(first), Some(last)) = (days.first().and_then(parse), days.last().and_then(parse))
    else {
        return (days.to_vec(), vec![false; days.len()]);
    };
    let span = first.until(last).map(|s| s.get_days()).unwrap_or(i32::MAX);
    if span > MAX_FILLED_DAYS || days.iter().any(|d| parse(d).is_none()) {
        return (days.to_vec(), vec![false; days.len()]);
    }
    let mut out = Vec::with_capacity(span as usize + 1);
    let mut gaps = Vec::with_capacity(span as usize + 1);
    let mut given = days.iter().peekable();
    for date in first
        .series(jiff::Span::new().days(1))
        .take(span as usize + 1)
    {
        let text = date.to_string();
        match given.peek() {
            Some(d) if d.date == text => {
                out.push((*d).clone());
                gaps.push(false);
                given.next();
            }
            _ => {
                out.push(DayFigures {
                    date: text,
                    calls: 0,
                    answered: 0,
                    booked: 0,
                    revenue_cents: 0,
                });
                gaps.push(true);
            }
        }
    }
    (out, gaps)
}

/// A step of 1, 2 or 5 × 10ⁿ giving at most 5 intervals, and the axis top (a multiple of it
/// at or above `max`; at least one step, so an empty chart still has an axis).
pub fn nice_scale(max: i64) -> (i64, i64) {
    let mut magnitude = 1;
    loop {
        for m in [1, 2, 5] {
            let step = m * magnitude;
            if max <= step * 5 {
                let top = (max.max(1) + step - 1) / step * step;
                return (step, top);
            }
        }
        magnitude *= 10;
    }
}

/// Which bars get a date under them: up to [`DATE_LABELS`], evenly spaced, first and last.
fn label_indices(n: usize) -> Vec<usize> {
    if n <= DATE_LABELS {
        return (0..n).collect();
    }
    let mut out: Vec<usize> = (0..DATE_LABELS)
        .map(|k| k * (n - 1) / (DATE_LABELS - 1))
        .collect();
    out.dedup();
    out
}

fn spans_years(days: &[DayFigures]) -> bool {
    match (days.first(), days.last()) {
        (Some(a), Some(b)) => a.date.get(..4) != b.date.get(..4),
        _ => false,
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "Nov 3" (or "Nov 3, 2026" when the chart spans years) from `YYYY-MM-DD`.
fn short_date(date: &str, with_year: bool) -> String {
    match parts(date) {
        Some((y, m, d)) if with_year => format!("{} {d}, {y}", MONTHS[m - 1]),
        Some((_, m, d)) => format!("{} {d}", MONTHS[m - 1]),
        None => date.to_string(),
    }
}

/// "Nov 3, 2026" from `YYYY-MM-DD`.
fn long_date(date: &str) -> String {
    short_date(date, true)
}

fn parts(date: &str) -> Option<(u32, usize, u32)> {
    let mut it = date.split('-');
    let y = it.next()?.parse().ok()?;
    let m: usize = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    (1..=12).contains(&m).then_some((y, m, d))
}

/// "$1,250.50" from cents.
fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs() as i64;
    format!("{sign}${}.{:02}", grouped(abs / 100), abs % 100)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: &str, calls: i64, revenue_cents: i64) -> DayFigures {
        DayFigures {
            date: date.into(),
            calls,
            answered: calls / 2,
            booked: calls / 4,
            revenue_cents,
        }
    }

    #[test]
    fn scales_are_round() {
        assert_eq!(nice_scale(0), (1, 1));
        assert_eq!(nice_scale(4), (1, 4));
        assert_eq!(nice_scale(7), (2, 8));
        assert_eq!(nice_scale(23), (5, 25));
        assert_eq!(nice_scale(1_234), (500, 1_500));
    }

    #[test]
    fn dates_are_labelled_sparsely_with_the_first_and_last() {
        assert_eq!(label_indices(3), vec![0, 1, 2]);
        let many = label_indices(90);
        assert_eq!(many.first(), Some(&0));
        assert_eq!(many.last(), Some(&89));
        assert!(many.len() <= DATE_LABELS);
        assert_eq!(short_date("2026-11-03", false), "Nov 3");
        assert_eq!(long_date("2026-01-20"), "Jan 20, 2026");
    }

    #[test]
    fn bars_carry_the_api_figures_and_fit_the_axis() {
        let days = [day("2026-11-01", 4, 0), day("2026-11-02", 7, 125_050)];
        let gapped = BarChart::calls(&[day("2026-10-30", 1, 0), days[0].clone()]);
        let drawn: Vec<(&str, bool)> = gapped
            .bars
            .iter()
            .map(|b| (b.date.as_str(), b.gap))
            .collect();
        assert_eq!(
            drawn,
            [
                ("2026-10-30", false),
                ("2026-10-31", true),
                ("2026-11-01", false)
            ]
        );
        let calls = BarChart::calls(&days);
        assert_eq!(calls.bars[1].value, 7);
        assert_eq!(calls.bars[1].shown, "Nov 2: 7 calls");
        assert_eq!(
            calls.bars[1].aria,
            "Nov 2, 2026: 7 calls, 3 answered, 1 booked"
        );
        // The tallest bar reaches the value 7 on an axis topped at 8.
        let top = calls.y_ticks.last().unwrap();
        assert_eq!(top.label, "8");
        let zero = calls.y_ticks[0].at;
        let full = zero - top.at;
        assert!((calls.bars[1].h - full * 7.0 / 8.0).abs() < 0.2);
        let revenue = BarChart::revenue(&days);
        assert_eq!(revenue.bars[1].shown, "Nov 2: $1,250.50");
        assert_eq!(revenue.bars[1].aria, "Nov 2, 2026: $1,250.50 revenue");
        assert_eq!(revenue.y_ticks.last().unwrap().label, "$1,500");
        assert_eq!(revenue.bars[0].h, 0.0);
    }
}
