//! Click-to-call events from the phone widget, and their attribution to the calls that follow
//! (the rule is documented in `djcalls_store::clicks`; the voice pipeline applies it when a
//! call's row is created).

use crate::{App, AppError, AppResult};
use djcalls_domain::{Actor, DjProfileId};
pub use djcalls_store::clicks::{ClickRecord, NewClick};

impl App {
    /// Records a click on `dj`'s widget at the server's clock, when `token` is a current
    /// click token for `dj` (`click_tokens`; else 400 `invalid_click_token`). Returns false
    /// when the profile does not exist: the public endpoint accepts and ignores those, so it
    /// tells nobody which profile ids exist.
    pub async fn record_click(
        &self,
        dj: DjProfileId,
        token: Option<&str>,
        click: NewClick,
    ) -> AppResult<bool> {
        if !token.is_some_and(|t| self.click_token_is_valid(dj, t)) {
            return Err(AppError::Refused {
                code: "invalid_click_token",
                field: "click_token",
                message: "A click needs the click_token of the widget's number answer \
                          (GET /api/djdash/dni); it may have expired: reload the page."
                    .into(),
            });
        }
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
