//! The admin console's call quality card (SPEC §12): platform-wide figures from Twilio Voice
//! Insights, read by one query (`App::quality_figures`).

use djcalls_domain::quality::QualityFigures;

pub struct QualityFiguresCard {
    /// `(data-metric suffix, label, shown value, raw value)`.
    pub figures: Vec<(&'static str, &'static str, String, String)>,
}

impl QualityFiguresCard {
    pub fn of(f: &QualityFigures) -> QualityFiguresCard {
        let share = f.poor_mos_share();
        QualityFiguresCard {
            figures: vec![
                (
                    "calls",
                    "Calls with quality data",
                    f.calls_with_quality.to_string(),
                    f.calls_with_quality.to_string(),
                ),
                (
                    "average-mos",
                    "Average MOS",
                    f.average_mos.map_or("—".to_string(), |m| format!("{m:.2}")),
                    f.average_mos.map_or(String::new(), |m| m.to_string()),
                ),
                (
                    "poor-mos-share",
                    "Calls with MOS below 3.5",
                    share.map_or("—".to_string(), |s| format!("{:.0} %", s * 100.0)),
                    share.map_or(String::new(), |s| s.to_string()),
                ),
                (
                    "hung-up-caller",
                    "Hung up by the caller",
                    f.disconnected_by_caller.to_string(),
                    f.disconnected_by_caller.to_string(),
                ),
                (
                    "hung-up-dj",
                    "Hung up by the DJ",
                    f.disconnected_by_dj.to_string(),
                    f.disconnected_by_dj.to_string(),
                ),
                (
                    "hung-up-unknown",
                    "Hung up: unknown",
                    f.disconnected_by_unknown.to_string(),
                    f.disconnected_by_unknown.to_string(),
                ),
            ],
        }
    }
}
