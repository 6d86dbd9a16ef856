//! Every call a list's filters match, page after page, for a download (SPEC §14 CSV): the
//! access rules and filters of [`App::list_calls`], no cursor and no row cap. Pages are read
//! with the list's keyset (newest first, ties by id); see [`crate::export_pages`].

use super::storable;
use crate::export_pages::{EXPORT_PAGE_ROWS, ExportPages};
use crate::{App, AppResult};
use djcalls_domain::range::DateRange;
use djcalls_domain::{Actor, CallStatus, DjProfileId};
use djcalls_store::calls::{CallCursor, CallFilter, CallRecord};
use djcalls_store::{DbTime, Store};

/// A calls export in progress ([`ExportPages`]).
pub struct CallExport {
    store: Store,
    actor: Actor,
    filter: CallFilter,
    cursor: Option<CallCursor>,
    page_rows: u32,
    finished: bool,
}

impl App {
    /// Starts an export of the calls `list_calls` would page through for the same actor,
    /// profile and range; with `status`, only calls in that status (the dashboards' filter).
    /// Refuses (forbidden, a DJ's missing `dj_profile_id`) before any row is read.
    pub fn export_calls(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
        status: Option<CallStatus>,
    ) -> AppResult<CallExport> {
        let profile = self.scope(actor, profile)?;
        let range = storable(range);
        Ok(CallExport {
            store: self.store.clone(),
            actor: actor.clone(),
            filter: CallFilter {
                profile,
                start: range.start.map(DbTime),
                end: range.end.map(DbTime),
                status,
            },
            cursor: None,
            page_rows: EXPORT_PAGE_ROWS,
            finished: false,
        })
    }
}

impl CallExport {
    /// Reads `rows` per page instead of [`EXPORT_PAGE_ROWS`] (at least one).
    pub fn with_page_rows(mut self, rows: u32) -> CallExport {
        self.page_rows = rows.max(1);
        self
    }
}

impl ExportPages for CallExport {
    type Row = CallRecord;

    /// The next page of calls, newest first.
    async fn next_page(&mut self) -> AppResult<Option<Vec<CallRecord>>> {
        if self.finished {
            return Ok(None);
        }
        let calls = self
            .store
            .list_calls(&self.actor, &self.filter, self.cursor, self.page_rows)
            .await?;
        self.finished = calls.len() < self.page_rows as usize;
        match calls.last() {
            Some(last) => {
                self.cursor = Some(CallCursor {
                    timestamp: last.timestamp,
                    id: last.id.0,
                })
            }
            None => return Ok(None),
        }
        Ok(Some(calls))
    }
}
