//! What the job runner does besides jobs: it folds analytics deltas every second, and once an
//! hour deletes finished jobs, the outbound webhook delivery log, rate-limit windows and
//! expired dashboard sessions, each after its retention.

use crate::App;
use djcalls_domain::rate_limit;
use djcalls_store::jobs::later;
use jiff::SignedDuration;

/// Finished jobs are kept this long (for the admin console), then pruned.
pub const KEEP_DONE_JOBS: SignedDuration = SignedDuration::from_hours(7 * 24);

/// A finished outbound webhook delivery (delivered, or failed for good) stays in the delivery
/// log this long after it finished, then it is deleted (README "Outbound webhooks").
pub const KEEP_WEBHOOK_DELIVERIES: SignedDuration = SignedDuration::from_hours(30 * 24);

impl App {
    /// Moves pending analytics deltas into the summaries (readers are exact either way; this
    /// keeps what they add up small). Failures are logged: the next round tries again.
    pub async fn fold_analytics(&self) {
        match self.store.fold_analytics().await {
            Ok(0) => {}
            Ok(folded) => tracing::debug!(folded, "folded analytics deltas"),
            Err(e) => tracing::warn!(error = %e, "folding analytics deltas failed"),
        }
    }

    /// Deletes what has outlived its retention, as of the app's clock. Failures are logged:
    /// the next round tries again.
    pub async fn prune_housekeeping(&self) {
        let now = self.now();
        match self
            .store
            .prune_done_jobs(later(now, -KEEP_DONE_JOBS))
            .await
        {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned finished jobs"),
            Err(e) => tracing::warn!(error = %e, "pruning finished jobs failed"),
        }
        let finished_before = later(now, -KEEP_WEBHOOK_DELIVERIES);
        match self.store.prune_webhook_deliveries(finished_before).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned the webhook delivery log"),
            Err(e) => tracing::warn!(error = %e, "pruning the webhook delivery log failed"),
        }
        let over = later(now, -rate_limit::LONGEST_WINDOW);
        match self.store.prune_rate_limits(over).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned rate-limit windows"),
            Err(e) => tracing::warn!(error = %e, "pruning rate-limit windows failed"),
        }
        match self.store.delete_expired_web_sessions(now).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "deleted expired dashboard sessions"),
            Err(e) => tracing::warn!(error = %e, "deleting expired sessions failed"),
        }
    }
}
