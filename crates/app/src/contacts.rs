//! Contacts (SPEC §14): every caller with a usable number is a contact of the DJ they called.
//! The store makes the contact in the transaction that records the call (every path: the voice
//! webhooks, the API log, reconciliation, the demo); its figures are computed when read.
//!
//! Every change to a contact — a call, a payment or refund, a text, an opt-out or opt-in —
//! enqueues its outbound `contact.created` / `contact.updated` event in the transaction that
//! makes the change ([`App::contact_webhook_job`]); [`App::count_contact_touch`] counts it once
//! it committed.

use crate::{App, AppError, AppResult};
use djcalls_domain::range::DateRange;
use djcalls_domain::{Actor, CallId, ContactId, DjProfileId, PhoneNumber};
use djcalls_store::DbTime;
use djcalls_store::calls::CallRecord;
use djcalls_store::contacts::{ContactCursor, ContactFilter, ContactRecord, ContactUpsert};

mod export;
pub use export::ContactExport;

/// The most calls a contact's page and JSON carry (newest first).
pub const CONTACT_CALLS: u32 = 100;
/// The most other calls of the same caller a call's page shows.
pub const CALLER_HISTORY: u32 = 20;

/// One page of `GET /api/djdash/contacts`.
#[derive(Clone, Debug)]
pub struct ContactPage {
    pub contacts: Vec<ContactRecord>,
    pub next_cursor: Option<String>,
}

/// A contact with its newest calls.
#[derive(Clone, Debug)]
pub struct ContactHistory {
    pub contact: ContactRecord,
    /// Newest first, at most [`CONTACT_CALLS`].
    pub calls: Vec<CallRecord>,
}

/// What the contacts list is filtered by, already validated.
#[derive(Clone, Debug)]
pub struct ContactQuery {
    pub profile: Option<DjProfileId>,
    /// Applies to the contact's last call.
    pub last_call: DateRange,
    /// Digits the number must contain.
    pub phone_digits: Option<String>,
}

/// Why a contact changed (its event's `reason`). Numbers are [`PhoneNumber`]s, whose
/// `Debug` masks them, so logging a touch never logs a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContactTouch {
    /// A call was recorded for the contact (`created` when it made the contact).
    Call(ContactUpsert),
    /// Money moved (a payment or refund) on a call: its caller's contact, if any.
    Payment { call: CallId },
    /// A text to or from `phone` on `dj`'s number.
    Text { dj: DjProfileId, phone: PhoneNumber },
    /// `phone` opted out of texts (or back in): every DJ's contact with that number.
    OptOut { phone: PhoneNumber, opted_out: bool },
}

impl App {
    /// Newest contacts first, `limit` per page, continuing after `cursor`.
    pub async fn list_contacts(
        &self,
        actor: &Actor,
        query: &ContactQuery,
        cursor: Option<&str>,
        limit: u32,
    ) -> AppResult<ContactPage> {
        let profile = self.scope(actor, query.profile)?;
        let cursor = cursor.map(decode_cursor).transpose()?;
        let filter = contact_filter(profile, query);
        let mut contacts = self
            .store
            .list_contacts(actor, &filter, cursor, limit + 1)
            .await?;
        let next_cursor = if contacts.len() > limit as usize {
            contacts.truncate(limit as usize);
            contacts.last().map(encode_cursor)
        } else {
            None
        };
        Ok(ContactPage {
            contacts,
            next_cursor,
        })
    }

    /// A contact the actor may see, with its newest calls; another DJ's contact is "not
    /// found", as RLS would have it.
    pub async fn contact_history(&self, actor: &Actor, id: ContactId) -> AppResult<ContactHistory> {
        let contact = match self.store.contact(actor, id).await? {
            Some(contact) if actor.can_access(contact.dj_profile_id) => contact,
            _ => return Err(AppError::NotFound("contact")),
        };
        let calls = self
            .store
            .calls_from(actor, contact.dj_profile_id, &contact.phone, CONTACT_CALLS)
            .await?;
        Ok(ContactHistory { contact, calls })
    }

    /// The caller of `call` as a contact, with their other calls to the same DJ (newest first,
    /// at most [`CALLER_HISTORY`]): for the call's page. `None` for a caller without a number.
    pub async fn caller_history(
        &self,
        actor: &Actor,
        call: &CallRecord,
    ) -> AppResult<Option<ContactHistory>> {
        let Some(phone) = call.caller_number.as_deref() else {
            return Ok(None);
        };
        if !actor.can_access(call.dj_profile_id) {
            return Err(AppError::NotFound("call"));
        }
        let Some(contact) = self
            .store
            .contact_by_phone(actor, call.dj_profile_id, phone)
            .await?
        else {
            return Ok(None);
        };
        let calls = self
            .store
            .calls_from(actor, call.dj_profile_id, phone, CALLER_HISTORY + 1)
            .await?
            .into_iter()
            .filter(|c| c.id != call.id)
            .take(CALLER_HISTORY as usize)
            .collect();
        Ok(Some(ContactHistory { contact, calls }))
    }

    /// A contact change that committed, with its contact event enqueued in its transaction
    /// ([`App::contact_webhook_job`]): counted (`djcalls_contacts_touched_total`) and logged.
    pub(crate) fn count_contact_touch(&self, touch: &ContactTouch) {
        let (what, created) = match &touch {
            ContactTouch::Call(upsert) => ("call", upsert.created),
            ContactTouch::Payment { .. } => ("payment", false),
            ContactTouch::Text { .. } => ("text", false),
            ContactTouch::OptOut { .. } => ("opt_out", false),
        };
        metrics::counter!(
            "djcalls_contacts_touched_total",
            "by" => what,
            "created" => if created { "true" } else { "false" }
        )
        .increment(1);
        if let ContactTouch::Call(upsert) = &touch
            && upsert.created
        {
            tracing::debug!(contact_id = %upsert.contact_id, dj_profile_id = %upsert.dj_profile_id, "contact created");
        }
    }

    /// [`App::count_contact_touch`] for the contact of a recorded call (with its contact event
    /// enqueued; the demo seed records without events).
    pub(crate) fn count_contact_of_call(&self, contact: Option<ContactUpsert>) {
        if let Some(contact) = contact {
            self.count_contact_touch(&ContactTouch::Call(contact));
        }
    }
}

/// The store's filter for `query` within `profile` (already scoped to the actor).
fn contact_filter(profile: Option<DjProfileId>, query: &ContactQuery) -> ContactFilter {
    let range = crate::calls::storable(&query.last_call);
    ContactFilter {
        profile,
        last_call_from: range.start.map(DbTime),
        last_call_before: range.end.map(DbTime),
        phone_digits: query.phone_digits.clone(),
    }
}

fn encode_cursor(contact: &ContactRecord) -> String {
    crate::cursor::encode(contact.created_at, contact.id.0)
}

fn decode_cursor(raw: &str) -> AppResult<ContactCursor> {
    let (created_at, id) = crate::cursor::decode(raw)?;
    Ok(ContactCursor { created_at, id })
}
