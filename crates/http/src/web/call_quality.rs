//! The call page's quality card (SPEC §12): how the call went, as Twilio Voice Insights
//! measured it.

use djcalls_app::records::CallRecord;
use djcalls_domain::quality::{CallQuality, DisconnectedBy};

pub struct QualityCard {
    /// Label, shown value and the figure's `data-testid` suffix.
    pub facts: Vec<(&'static str, String, &'static str)>,
    /// The MOS says many people would call the line bad.
    pub poor: bool,
}

impl QualityCard {
    /// The card of a call whose quality was read; `None` before.
    pub fn of(call: &CallRecord) -> Option<QualityCard> {
        let q: CallQuality = call.quality.quality()?;
        let hung_up = match q.disconnected_by {
            DisconnectedBy::Caller => "the caller",
            DisconnectedBy::Dj => "the DJ",
            DisconnectedBy::Unknown => "unknown",
        };
        let mut facts = vec![("Hung up by", hung_up.to_string(), "disconnected-by")];
        let optional = [
            (
                "Post-dial delay",
                q.post_dial_delay_ms.map(|ms| format!("{ms} ms")),
                "pdd",
            ),
            ("MOS (1–5)", q.mos.map(|m| format!("{m:.1}")), "mos"),
            (
                "Jitter",
                q.jitter_ms.map(|j| format!("{j:.1} ms")),
                "jitter",
            ),
            (
                "Packet loss",
                q.packet_loss_percent.map(|p| format!("{p:.1} %")),
                "packet-loss",
            ),
        ];
        facts.extend(
            optional
                .into_iter()
                .filter_map(|(label, v, id)| v.map(|v| (label, v, id))),
        );
        Some(QualityCard {
            poor: q.is_poor(),
            facts,
        })
    }
}
