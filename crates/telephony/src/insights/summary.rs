//! Reading a call summary's JSON (see the module above for the field names).

use djcalls_domain::quality::{CallQuality, DisconnectedBy};
use serde_json::Value;

/// The media edges in the order we read them: a forwarded PSTN call has a `carrier_edge`.
const EDGES: [&str; 4] = ["carrier_edge", "sip_edge", "client_edge", "sdk_edge"];

/// The quality a complete summary reports; `None` while Twilio still assembles it
/// (`processing_state` other than `complete`).
pub fn quality_of_summary(summary: &Value) -> Option<CallQuality> {
    let state = summary.get("processing_state").and_then(Value::as_str);
    if state.is_some_and(|s| s != "complete") {
        return None;
    }
    let properties = summary.get("properties");
    let field = |name: &str| properties.and_then(|p| p.get(name));
    let edge = EDGES
        .iter()
        .find_map(|e| summary.get(*e).and_then(|v| v.get("metrics")));
    let both = |path: &[&str]| worst(edge, path);
    let mos = EDGES.iter().find_map(|e| {
        let inbound = summary.get(*e)?.get("metrics")?.get("inbound")?;
        number(inbound.get("mos")?.get("avg")?)
    });
    Some(
        CallQuality {
            disconnected_by: DisconnectedBy::from_twilio(
                field("disconnected_by").and_then(Value::as_str),
            ),
            post_dial_delay_ms: field("pdd_ms").and_then(number).map(|ms| ms.round() as i64),
            mos,
            jitter_ms: both(&["jitter", "avg"]),
            packet_loss_percent: both(&["packets_loss_percentage"]),
        }
        .sanitized(),
    )
}

/// The worse (larger) of the inbound and outbound values at `path` under an edge's metrics.
fn worst(metrics: Option<&Value>, path: &[&str]) -> Option<f64> {
    let metrics = metrics?;
    ["inbound", "outbound"]
        .iter()
        .filter_map(|direction| {
            let mut v = metrics.get(*direction)?;
            for key in path {
                v = v.get(*key)?;
            }
            number(v)
        })
        .reduce(f64::max)
}

/// A JSON number, or a number Twilio sent as a string.
fn number(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str()?.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Twilio's documented example summary of a PSTN call (trimmed).
    fn documented() -> Value {
        json!({
            "call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "call_type": "carrier", "call_state": "completed", "processing_state": "complete",
            "carrier_edge": {"metrics": {
                "inbound": {"codec": 0, "packets_loss_percentage": 0, "jitter": {"max": 1.48209, "avg": 0.483035}},
                "outbound": {"codec": 0, "packets_loss_percentage": 0.5, "jitter": {"max": 0.51868, "avg": 0.364434}}
            }},
            "properties": {"last_sip_response_num": 200, "pdd_ms": 121, "disconnected_by": "callee", "direction": "inbound"}
        })
    }

    #[test]
    fn a_documented_summary_reads_as_our_quality() {
        let q = quality_of_summary(&documented()).unwrap();
        assert_eq!(q.disconnected_by, DisconnectedBy::Dj);
        assert_eq!(q.post_dial_delay_ms, Some(121));
        assert_eq!(q.jitter_ms, Some(0.483035));
        assert_eq!(q.packet_loss_percent, Some(0.5));
        assert_eq!(q.mos, None, "a carrier edge reports no MOS");
    }

    #[test]
    fn a_mos_is_read_where_an_edge_gives_one() {
        let mut s = documented();
        s["sdk_edge"] =
            json!({"metrics": {"inbound": {"mos": {"min": 3.9, "max": 4.4, "avg": 4.2}}}});
        assert_eq!(quality_of_summary(&s).unwrap().mos, Some(4.2));
    }

    #[test]
    fn a_partial_summary_is_not_ready_and_missing_fields_are_unknown() {
        let mut s = documented();
        s["processing_state"] = json!("partial");
        assert_eq!(quality_of_summary(&s), None);
        let bare = quality_of_summary(&json!({"processing_state": "complete"})).unwrap();
        assert_eq!(bare.disconnected_by, DisconnectedBy::Unknown);
        assert_eq!((bare.post_dial_delay_ms, bare.jitter_ms), (None, None));
    }
}
