//! A call's quality (SPEC §12, migration 0026): written once Twilio Voice Insights' summary
//! was read, and the platform-wide figures the admin console shows.

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::quality::{CallQuality, DisconnectedBy, POOR_MOS, QualityFigures};
use djcalls_domain::{Actor, CallId};

/// The `quality_*` columns of a call row (all null until the summary was read).
#[derive(Clone, Debug, Default, PartialEq, sqlx::FromRow)]
pub struct QualityColumns {
    pub quality_disconnected_by: Option<String>,
    pub quality_post_dial_delay_ms: Option<i64>,
    pub quality_mos: Option<f64>,
    pub quality_jitter_ms: Option<f64>,
    pub quality_packet_loss_percent: Option<f64>,
}

impl QualityColumns {
    /// The call's quality, once there is one.
    pub fn quality(&self) -> Option<CallQuality> {
        let disconnected_by = DisconnectedBy::parse(self.quality_disconnected_by.as_deref()?)?;
        Some(CallQuality {
            disconnected_by,
            post_dial_delay_ms: self.quality_post_dial_delay_ms,
            mos: self.quality_mos,
            jitter_ms: self.quality_jitter_ms,
            packet_loss_percent: self.quality_packet_loss_percent,
        })
    }
}

#[derive(sqlx::FromRow)]
struct FiguresRow {
    calls_with_quality: i64,
    calls_with_mos: i64,
    average_mos: Option<f64>,
    poor_mos_calls: i64,
    by_caller: i64,
    by_dj: i64,
    by_unknown: i64,
}

/// One pass over the calls with quality; `$1` is the poor-MOS threshold.
const FIGURES: &str = "SELECT count(*) AS calls_with_quality, count(quality_mos) AS calls_with_mos, \
     avg(quality_mos) AS average_mos, \
     CAST(coalesce(sum(CASE WHEN quality_mos < $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS poor_mos_calls, \
     CAST(coalesce(sum(CASE WHEN quality_disconnected_by = 'caller' THEN 1 ELSE 0 END), 0) AS BIGINT) AS by_caller, \
     CAST(coalesce(sum(CASE WHEN quality_disconnected_by = 'dj' THEN 1 ELSE 0 END), 0) AS BIGINT) AS by_dj, \
     CAST(coalesce(sum(CASE WHEN quality_disconnected_by = 'unknown' THEN 1 ELSE 0 END), 0) AS BIGINT) AS by_unknown \
     FROM dj_calls WHERE quality_disconnected_by IS NOT NULL";

impl Store {
    /// Stores the quality Twilio reported for a call (the job runs as the system); a second
    /// read of the same summary writes the same values. False when the call is gone.
    pub async fn record_call_quality(
        &self,
        id: CallId,
        quality: &CallQuality,
        now: DbTime,
    ) -> StoreResult<bool> {
        let updated = in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "UPDATE dj_calls SET quality_disconnected_by = $2, quality_post_dial_delay_ms = $3, \
                 quality_mos = $4, quality_jitter_ms = $5, quality_packet_loss_percent = $6, \
                 updated_at = $7 WHERE id = $1",
            )
            .bind(id.0)
            .bind(quality.disconnected_by.as_str())
            .bind(quality.post_dial_delay_ms)
            .bind(quality.mos)
            .bind(quality.jitter_ms)
            .bind(quality.packet_loss_percent)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        Ok(updated > 0)
    }

    /// Quality over every call the actor may see that has it, in one query.
    pub async fn quality_figures(&self, actor: &Actor) -> StoreResult<QualityFigures> {
        let row = in_tx!(self, actor, replica, |conn| {
            sqlx::query_as::<_, FiguresRow>(FIGURES)
                .bind(POOR_MOS)
                .fetch_one(&mut *conn)
                .await?
        });
        Ok(QualityFigures {
            calls_with_quality: row.calls_with_quality,
            calls_with_mos: row.calls_with_mos,
            average_mos: row.average_mos,
            poor_mos_calls: row.poor_mos_calls,
            disconnected_by_caller: row.by_caller,
            disconnected_by_dj: row.by_dj,
            disconnected_by_unknown: row.by_unknown,
        })
    }
}
