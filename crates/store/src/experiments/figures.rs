//! Each variant's figures, computed when read so they cannot drift: the follow-ups `sent` in
//! it, and of those the calls whose payment link was `opened`, the calls `paid` (net payment
//! above zero: `tipjar_payment_received`, false again once fully refunded) and their net
//! revenue (the analytics rule: refunds are negative rows, other currencies never enter
//! `payments`). A follow-up counts once Twilio accepted it (`state = 'sent'`).

use crate::{Store, StoreResult};
use djcalls_domain::{Actor, ExperimentId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct VariantFigures {
    pub position: i32,
    pub sent: i64,
    pub opened: i64,
    pub paid: i64,
    pub revenue_cents: i64,
}

/// One row per follow-up of the experiment (through `followups_experiment`), each figure a
/// lookup by call; then one row per variant, variants without follow-ups at zero.
const FIGURES: &str = "\
WITH arms AS (
  SELECT f.experiment_variant AS position,
    CASE WHEN EXISTS (SELECT 1 FROM payment_links l WHERE l.call_id = f.call_id AND l.opens > 0)
      THEN 1 ELSE 0 END AS opened,
    CASE WHEN c.tipjar_payment_received THEN 1 ELSE 0 END AS paid,
    (SELECT coalesce(sum(p.amount_cents), 0) FROM payments p WHERE p.call_id = f.call_id)
      AS revenue_cents
  FROM followups f JOIN dj_calls c ON c.id = f.call_id
  WHERE f.experiment_id = $1 AND f.state = 'sent'
)
SELECT v.position,
  CAST(count(a.position) AS BIGINT) AS sent,
  CAST(coalesce(sum(a.opened), 0) AS BIGINT) AS opened,
  CAST(coalesce(sum(a.paid), 0) AS BIGINT) AS paid,
  CAST(coalesce(sum(a.revenue_cents), 0) AS BIGINT) AS revenue_cents
FROM experiment_variants v LEFT JOIN arms a ON a.position = v.position
WHERE v.experiment_id = $1
GROUP BY v.position
ORDER BY v.position";

impl Store {
    /// The experiment's figures by variant, in variant order.
    pub async fn experiment_figures(
        &self,
        actor: &Actor,
        id: ExperimentId,
    ) -> StoreResult<Vec<VariantFigures>> {
        Ok(in_tx!(self, actor, replica, |conn| {
            sqlx::query_as::<_, VariantFigures>(FIGURES)
                .bind(id.0)
                .fetch_all(&mut *conn)
                .await?
        }))
    }
}
