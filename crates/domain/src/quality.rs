//! Call quality (SPEC §12): what Twilio Voice Insights' call summary says about how a call
//! went, in our words, and the platform-wide figures over many calls.

use crate::vocab::text_vocabulary;
use serde::{Deserialize, Serialize};

/// MOS below this is a call people notice was bad (ITU-T G.107: "many users dissatisfied").
pub const POOR_MOS: f64 = 3.5;

/// Who hung up. Twilio's `callee` is the DJ (the forwarded leg's far end).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisconnectedBy {
    Caller,
    Dj,
    Unknown,
}

text_vocabulary!(DisconnectedBy, "disconnected_by", {
    Caller => "caller",
    Dj => "dj",
    Unknown => "unknown",
});

impl DisconnectedBy {
    /// Twilio's `properties.disconnected_by` (`caller`, `callee`, anything else or nothing).
    pub fn from_twilio(value: Option<&str>) -> DisconnectedBy {
        match value.map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("caller") => DisconnectedBy::Caller,
            Some(v) if v.eq_ignore_ascii_case("callee") => DisconnectedBy::Dj,
            _ => DisconnectedBy::Unknown,
        }
    }
}

/// A call's quality: who hung up and the post-dial delay always (null when Twilio gave none),
/// the media figures where Twilio measured them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallQuality {
    pub disconnected_by: DisconnectedBy,
    pub post_dial_delay_ms: Option<i64>,
    /// Mean opinion score, 1 (bad) to 5 (excellent).
    pub mos: Option<f64>,
    pub jitter_ms: Option<f64>,
    pub packet_loss_percent: Option<f64>,
}

impl CallQuality {
    /// Figures outside their physical range are dropped rather than stored (a summary field
    /// Twilio renames or rescales must not poison the platform averages).
    pub fn sanitized(self) -> CallQuality {
        let within =
            |v: Option<f64>, lo: f64, hi: f64| v.filter(|v| v.is_finite() && (lo..=hi).contains(v));
        CallQuality {
            disconnected_by: self.disconnected_by,
            post_dial_delay_ms: self
                .post_dial_delay_ms
                .filter(|ms| (0..=600_000).contains(ms)),
            mos: within(self.mos, 1.0, 5.0),
            jitter_ms: within(self.jitter_ms, 0.0, 60_000.0),
            packet_loss_percent: within(self.packet_loss_percent, 0.0, 100.0),
        }
    }

    pub fn is_poor(&self) -> bool {
        self.mos.is_some_and(|m| m < POOR_MOS)
    }
}

/// Platform-wide quality (the admin console): one query's counts, and the figures of them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QualityFigures {
    pub calls_with_quality: i64,
    pub calls_with_mos: i64,
    /// Average MOS over the calls with one; `None` without any.
    pub average_mos: Option<f64>,
    pub poor_mos_calls: i64,
    pub disconnected_by_caller: i64,
    pub disconnected_by_dj: i64,
    pub disconnected_by_unknown: i64,
}

impl QualityFigures {
    /// Share (0–1) of the calls with a MOS whose MOS is below [`POOR_MOS`].
    pub fn poor_mos_share(&self) -> Option<f64> {
        (self.calls_with_mos > 0).then(|| self.poor_mos_calls as f64 / self.calls_with_mos as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_callee_is_the_dj_and_anything_else_unknown() {
        assert_eq!(
            DisconnectedBy::from_twilio(Some("caller")),
            DisconnectedBy::Caller
        );
        assert_eq!(
            DisconnectedBy::from_twilio(Some("callee")),
            DisconnectedBy::Dj
        );
        assert_eq!(
            DisconnectedBy::from_twilio(Some("unknown")),
            DisconnectedBy::Unknown
        );
        assert_eq!(DisconnectedBy::from_twilio(None), DisconnectedBy::Unknown);
        assert_eq!(DisconnectedBy::parse("dj"), Some(DisconnectedBy::Dj));
    }

    #[test]
    fn out_of_range_figures_are_dropped() {
        let q = CallQuality {
            disconnected_by: DisconnectedBy::Caller,
            post_dial_delay_ms: Some(-5),
            mos: Some(7.0),
            jitter_ms: Some(f64::NAN),
            packet_loss_percent: Some(12.5),
        }
        .sanitized();
        assert_eq!(q.post_dial_delay_ms, None);
        assert_eq!(q.mos, None);
        assert_eq!(q.jitter_ms, None);
        assert_eq!(q.packet_loss_percent, Some(12.5));
    }

    #[test]
    fn the_poor_share_counts_only_calls_with_a_mos() {
        let f = QualityFigures {
            calls_with_quality: 10,
            calls_with_mos: 4,
            poor_mos_calls: 1,
            ..QualityFigures::default()
        };
        assert_eq!(f.poor_mos_share(), Some(0.25));
        assert_eq!(QualityFigures::default().poor_mos_share(), None);
    }
}
