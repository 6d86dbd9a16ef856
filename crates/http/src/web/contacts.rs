//! The contacts pages (SPEC §14): `GET /dashboard/contacts` (a DJ's callers as contacts, newest
//! first, searchable by number; every DJ's for admins) and `GET /dashboard/contacts/{id}` (one
//! contact with its calls).

use super::rows::{CallRow, contacts_export_link, dollars, local, query, zone};
use super::{Nav, PageError, WebSession};
use crate::request::{parse_id, phone_digits};
use crate::state::HttpState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use djcalls_app::contacts::ContactQuery;
use djcalls_app::records::ContactRecord;
use djcalls_domain::range::DateRange;
use djcalls_domain::{Actor, ContactId, DjProfileId};
use jiff::tz::TimeZone;
use serde::Deserialize;

/// Contacts per page.
pub const PAGE_CONTACTS: u32 = 25;

/// One contact as a table row (also the contact page's summary).
pub struct ContactRow {
    pub id: String,
    pub dj_profile_id: String,
    pub dj_short: String,
    pub name: String,
    /// The name when one is known, else the number: what links to the contact.
    pub label: String,
    pub phone: String,
    pub first_call: String,
    pub last_call: String,
    pub calls: i64,
    pub answered: i64,
    pub event_type: String,
    pub paid: String,
    pub payments_cents: i64,
    pub opted_out: bool,
    pub texts: i64,
}

impl ContactRow {
    pub fn of(c: &ContactRecord, tz: &TimeZone) -> ContactRow {
        let when = |t: Option<djcalls_app::records::DbTime>| {
            t.map(|t| local(t.0, tz)).unwrap_or_else(|| "—".into())
        };
        ContactRow {
            id: c.id.to_string(),
            dj_profile_id: c.dj_profile_id.to_string(),
            dj_short: c.dj_profile_id.to_string().chars().take(8).collect(),
            name: c.name.clone().unwrap_or_else(|| "—".into()),
            label: c.name.clone().unwrap_or_else(|| c.phone.clone()),
            phone: c.phone.clone(),
            first_call: when(c.first_call_at),
            last_call: when(c.last_call_at),
            calls: c.calls_count,
            answered: c.answered_count,
            event_type: c.latest_event_type.clone().unwrap_or_else(|| "—".into()),
            paid: if c.payments_cents != 0 {
                dollars(c.payments_cents)
            } else {
                "—".into()
            },
            payments_cents: c.payments_cents,
            opted_out: c.opted_out,
            texts: c.texts_count,
        }
    }
}

#[derive(Deserialize)]
struct ListQuery {
    dj_profile_id: Option<String>,
    phone: Option<String>,
    cursor: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "contacts.html")]
pub struct ContactsPage {
    nav: Nav,
    title: String,
    profile_id: String,
    phone: String,
    rows: Vec<ContactRow>,
    show_dj: bool,
    next_cursor: Option<String>,
}

impl ContactsPage {
    /// The query string of this view with another cursor (`""` for the first page).
    fn link(&self, cursor: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if !self.profile_id.is_empty() {
            q.append_pair("dj_profile_id", &self.profile_id);
        }
        if !self.phone.is_empty() {
            q.append_pair("phone", &self.phone);
        }
        if !cursor.is_empty() {
            q.append_pair("cursor", cursor);
        }
        format!("/dashboard/contacts?{}", q.finish())
    }

    /// The contacts export of this view: its DJ and number search, every last-call date.
    fn export_link(&self) -> String {
        contacts_export_link(("", "", "UTC"), &self.profile_id, &self.phone)
    }
}

pub async fn list(
    State(state): State<HttpState>,
    session: WebSession,
    RawQuery(raw): RawQuery,
) -> Result<ContactsPage, PageError> {
    let q: ListQuery = query(raw.as_deref())?;
    let requested: Option<DjProfileId> = match q.dj_profile_id.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Some(parse_id("dj_profile_id", s)?),
        _ => None,
    };
    if let Some(p) = requested
        && !session.actor.can_access(p)
    {
        return Err(PageError::forbidden());
    }
    let selected = match (requested, &session.actor) {
        (Some(p), _) => Some(p),
        (None, Actor::Dj { .. }) => Some(
            session
                .profiles(&state)
                .await?
                .first()
                .map(|p| p.id)
                .ok_or_else(PageError::forbidden)?,
        ),
        (None, _) => None,
    };
    let (title, tz) = match selected {
        Some(p) => {
            let profile = state.app.get_profile(&session.actor, p).await?;
            (
                format!("{}’s contacts", profile.dj_name),
                zone(&profile.timezone).0,
            )
        }
        None => ("All contacts".to_string(), TimeZone::UTC),
    };
    let phone = q.phone.unwrap_or_default();
    let contact_query = ContactQuery {
        profile: selected,
        phone_digits: phone_digits(Some(&phone))?,
        last_call: DateRange::unbounded(TimeZone::UTC, "UTC"),
    };
    let cursor = q.cursor.filter(|c| !c.is_empty());
    let page = state
        .app
        .list_contacts(
            &session.actor,
            &contact_query,
            cursor.as_deref(),
            PAGE_CONTACTS,
        )
        .await?;
    Ok(ContactsPage {
        nav: Nav::of(&session),
        title,
        profile_id: selected.map(|p| p.to_string()).unwrap_or_default(),
        phone: phone.trim().to_string(),
        rows: page
            .contacts
            .iter()
            .map(|c| ContactRow::of(c, &tz))
            .collect(),
        show_dj: selected.is_none(),
        next_cursor: page.next_cursor,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "contact.html")]
pub struct ContactPage {
    nav: Nav,
    dj_name: String,
    contact: ContactRow,
    rows: Vec<CallRow>,
    show_dj: bool,
}

pub async fn page(
    State(state): State<HttpState>,
    session: WebSession,
    Path(id): Path<String>,
) -> Result<ContactPage, PageError> {
    let id: ContactId = parse_id("id", &id).map_err(|_| {
        PageError::new(
            axum::http::StatusCode::NOT_FOUND,
            "Not found",
            "No such contact.",
        )
    })?;
    let history = state.app.contact_history(&session.actor, id).await?;
    let profile = state
        .app
        .get_profile(&session.actor, history.contact.dj_profile_id)
        .await?;
    let (tz, _) = zone(&profile.timezone);
    Ok(ContactPage {
        nav: Nav::of(&session),
        dj_name: profile.dj_name,
        contact: ContactRow::of(&history.contact, &tz),
        rows: history.calls.iter().map(|c| CallRow::of(c, &tz)).collect(),
        show_dj: false,
    })
}
