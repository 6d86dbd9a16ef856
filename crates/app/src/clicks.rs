//! Click-to-call events from the phone widget, and their attribution to the calls that follow
//! (the rule is documented in `djcalls_store::clicks`; the voice pipeline applies it when a
//! call's row is created).

use crate::{App, AppError, AppResult};
use djcalls_domain::{Actor, DjProfileId};
pub use djcalls_store::clicks::{ClickRecord, NewClick};

impl App {
    /// Records a click on `dj`'s widget at the server's clock. Returns false when the profile
    /// does not exist: the public endpoint accepts and ignores those, so it tells nobody which
    /// profile ids exist.
    pub async fn record_click(&self, dj: DjProfileId, click: NewClick) -> AppResult<bool> {
        Ok(self.store.record_click(dj, &click, self.now()).await?)
    }

    /// A DJ's newest clicks (at most `limit`, capped at 500), for those who may see the DJ.
    pub async fn recent_clicks(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        limit: u32,
    ) -> AppResult<Vec<ClickRecord>> {
        if !actor.can_access(dj) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.clicks_of(actor, dj, limit.min(500)).await?)
    }
}
