//! Every contact the list's filters match, page after page, for a download (SPEC §14 CSV):
//! the access rules and filters of [`App::list_contacts`], no cursor and no row cap. Pages are
//! read with the list's keyset (newest contact first, ties by id); see
//! [`crate::export_pages`].

use super::{ContactQuery, contact_filter};
use crate::export_pages::{EXPORT_PAGE_ROWS, ExportPages};
use crate::{App, AppResult};
use djcalls_domain::Actor;
use djcalls_store::Store;
use djcalls_store::contacts::{ContactCursor, ContactFilter, ContactRecord};

/// A contacts export in progress ([`ExportPages`]).
pub struct ContactExport {
    store: Store,
    actor: Actor,
    filter: ContactFilter,
    cursor: Option<ContactCursor>,
    page_rows: u32,
    finished: bool,
}

impl App {
    /// Starts an export of the contacts `list_contacts` would page through for the same actor
    /// and query. Refuses (forbidden, a DJ's missing `dj_profile_id`) before any row is read.
    pub fn export_contacts(&self, actor: &Actor, query: &ContactQuery) -> AppResult<ContactExport> {
        let profile = self.scope(actor, query.profile)?;
        Ok(ContactExport {
            store: self.store.clone(),
            actor: actor.clone(),
            filter: contact_filter(profile, query),
            cursor: None,
            page_rows: EXPORT_PAGE_ROWS,
            finished: false,
        })
    }
}

impl ContactExport {
    /// Reads `rows` per page instead of [`EXPORT_PAGE_ROWS`] (at least one).
    pub fn with_page_rows(mut self, rows: u32) -> ContactExport {
        self.page_rows = rows.max(1);
        self
    }
}

impl ExportPages for ContactExport {
    type Row = ContactRecord;

    /// The next page of contacts, newest first.
    async fn next_page(&mut self) -> AppResult<Option<Vec<ContactRecord>>> {
        if self.finished {
            return Ok(None);
        }
        let contacts = self
            .store
            .list_contacts(&self.actor, &self.filter, self.cursor, self.page_rows)
            .await?;
        self.finished = contacts.len() < self.page_rows as usize;
        let Some(last) = contacts.last() else {
            return Ok(None);
        };
        self.cursor = Some(ContactCursor {
            created_at: last.created_at,
            id: last.id.0,
        });
        Ok(Some(contacts))
    }
}
