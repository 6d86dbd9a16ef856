//! The admin console's call quality card (SPEC §12): platform-wide figures from Twilio Voice
//! Insights, read by one query (`App::quality_figures`).

use djcalls_domain::quality::QualityFigures;

/// One figure: `data-testid` suffix, label, shown value, raw value (`data-value`).
type Figure = (&'static str, &'static str, String, String);

pub struct QualityFiguresCard {
    pub figures: Vec<Figure>,
}

fn count(id: &'static str, label: &'static str, n: i64) -> Figure {
    (id, label, n.to_string(), n.to_string())
}

/// A figure that may be missing (no call measured): shown as a dash, raw value empty.
fn ratio(
    id: &'static str,
    label: &'static str,
    value: Option<f64>,
    shown: fn(f64) -> String,
) -> Figure {
    (
        id,
        label,
        value.map_or("—".to_string(), shown),
        value.map_or(String::new(), |v| v.to_string()),
    )
}

impl QualityFiguresCard {
    pub fn of(f: &QualityFigures) -> QualityFiguresCard {
        QualityFiguresCard {
            figures: vec![
                count("calls", "Calls with quality data", f.calls_with_quality),
                ratio("average-mos", "Average MOS", f.average_mos, |m| {
                    format!("{m:.2}")
                }),
                ratio(
                    "poor-mos-share",
                    "Calls with MOS below 3.5",
                    f.poor_mos_share(),
                    |s| format!("{:.0} %", s * 100.0),
                ),
                count(
                    "hung-up-caller",
                    "Hung up by the caller",
                    f.disconnected_by_caller,
                ),
                count("hung-up-dj", "Hung up by the DJ", f.disconnected_by_dj),
                count(
                    "hung-up-unknown",
                    "Hung up: unknown",
                    f.disconnected_by_unknown,
                ),
            ],
        }
    }
}
