//! `GET /dashboard?range=7d|30d|90d|all&dj_profile_id=…&status=…&cursor=…`: the DJ dashboard.
//! Figures come from `App::analytics` over whole local days in the profile's zone; the page
//! names the exact range (`data-start`, `data-end`, `data-tz`) so the API can be asked for
//! the same one.

use super::figures::Figures;
use super::messages::NewMessageRow;
use super::reports_section::{CustomRange, ReportsSection, chosen_range};
use super::rows::{CallRow, STATUSES, api_bounds, contacts_export_link, export_link, query, zone};
use super::{Nav, PageError, WebSession};
use crate::request::parse_id;
use crate::state::HttpState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use djcalls_app::App;
use djcalls_domain::CallStatus;
use djcalls_domain::range::DateRange;
use djcalls_domain::{Actor, DjProfileId};
use serde::Deserialize;

/// Rows per page of the call list.
pub const PAGE_ROWS: u32 = 25;

#[derive(Deserialize)]
struct DashboardQuery {
    range: Option<String>,
    dj_profile_id: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

pub struct ProfileOption {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    nav: Nav,
    title: String,
    range: &'static str,
    start: String,
    end: String,
    tz: String,
    profile_id: String,
    profiles: Vec<ProfileOption>,
    status: String,
    statuses: &'static [&'static str],
    figures: Figures,
    rows: Vec<CallRow>,
    show_dj: bool,
    next_cursor: Option<String>,
    reports: ReportsSection,
    custom_range: CustomRange,
    /// Texts from leads nobody has answered (SPEC §13), newest first.
    new_messages: Vec<NewMessageRow>,
}

impl DashboardPage {
    /// The query string of this view with another cursor (`""` for the first page).
    fn link(&self, cursor: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("range", self.range);
        if self.range == "custom" {
            q.append_pair("start_date", &self.start);
            q.append_pair("end_date", &self.end);
        }
        if !self.profile_id.is_empty() {
            q.append_pair("dj_profile_id", &self.profile_id);
        }
        if !self.status.is_empty() {
            q.append_pair("status", &self.status);
        }
        if !cursor.is_empty() {
            q.append_pair("cursor", cursor);
        }
        format!("/dashboard?{}", q.finish())
    }

    /// The calls export (`/api/djdash/calls/export.csv`) of what this page shows: its range
    /// as the API's dates in the page's zone, its profile and status filter. The session
    /// cookie authorises it.
    fn export_link(&self) -> String {
        export_link(
            (&self.start, &self.end, &self.tz),
            &self.profile_id,
            &self.status,
        )
    }

    /// The contacts export of this page's DJ: contacts whose last call falls in its range.
    fn contacts_export_link(&self) -> String {
        contacts_export_link((&self.start, &self.end, &self.tz), &self.profile_id, "")
    }

    fn range_link(&self, range: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("range", range);
        if !self.profile_id.is_empty() {
            q.append_pair("dj_profile_id", &self.profile_id);
        }
        format!("/dashboard?{}", q.finish())
    }
}

pub async fn page(
    State(state): State<HttpState>,
    session: WebSession,
    RawQuery(raw): RawQuery,
) -> Result<DashboardPage, PageError> {
    let q: DashboardQuery = query(raw.as_deref())?;
    let requested: Option<DjProfileId> = match q.dj_profile_id.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Some(parse_id("dj_profile_id", s)?),
        _ => None,
    };
    if let Some(p) = requested
        && !session.actor.can_access(p)
    {
        return Err(PageError::forbidden());
    }
    let owned = session.profiles(&state).await?;
    let selected = match (requested, &session.actor) {
        (Some(p), _) => Some(p),
        (None, Actor::Dj { .. }) => Some(owned.first().map(|p| p.id).ok_or_else(|| {
            PageError::new(
                axum::http::StatusCode::NOT_FOUND,
                "No DJ profile",
                "Your account is not linked to a DJ profile yet.",
            )
        })?),
        (None, _) => None,
    };
    let (title, tz_name) = match selected {
        Some(p) => {
            let profile = state.app.get_profile(&session.actor, p).await?;
            (profile.dj_name, profile.timezone)
        }
        None => ("All DJs".to_string(), "UTC".to_string()),
    };
    let (tz, tz_name) = zone(&tz_name);
    let (range_name, range) = chosen_range(
        q.range.as_deref(),
        q.start_date.as_deref(),
        q.end_date.as_deref(),
        state.app.now().0,
        tz.clone(),
        &tz_name,
    )?;
    let analytics = state
        .app
        .analytics(&session.actor, selected, &range)
        .await?;
    let status = q.status.unwrap_or_default();
    if !status.is_empty() && !STATUSES.contains(&status.as_str()) {
        return Err(PageError::bad_request("status is not a call status."));
    }
    let cursor = q.cursor.filter(|c| !c.is_empty());
    let (calls, next_cursor) = list(
        &state.app,
        &session.actor,
        selected,
        &range,
        &status,
        cursor,
    )
    .await?;
    let (start, end) = api_bounds(&range);
    let new_messages = state
        .app
        .unanswered_texts(&session.actor, selected)
        .await?
        .iter()
        .map(|m| NewMessageRow::of(m, &tz))
        .collect();
    let reports = ReportsSection::load(&state.app, &session.actor, selected, &range).await?;
    let custom_range = CustomRange {
        action: "/dashboard",
        start: start.clone(),
        end: end.clone(),
        profile_id: selected.map(|p| p.to_string()).unwrap_or_default(),
    };
    Ok(DashboardPage {
        nav: Nav::of(&session),
        title,
        range: range_name,
        start,
        end,
        tz: tz_name,
        profile_id: selected.map(|p| p.to_string()).unwrap_or_default(),
        profiles: owned
            .iter()
            .map(|p| ProfileOption {
                id: p.id.to_string(),
                name: p.dj_name.clone(),
                selected: Some(p.id) == selected,
            })
            .collect(),
        status,
        statuses: &STATUSES,
        figures: Figures::of(&analytics),
        rows: calls.iter().map(|c| CallRow::of(c, &tz)).collect(),
        show_dj: selected.is_none(),
        next_cursor,
        reports,
        custom_range,
        new_messages,
    })
}

/// A page of calls, newest first, optionally only those with `status` (filtered by the
/// database, on an index).
pub async fn list(
    app: &App,
    actor: &Actor,
    profile: Option<DjProfileId>,
    range: &DateRange,
    status: &str,
    cursor: Option<String>,
) -> Result<(Vec<djcalls_app::records::CallRecord>, Option<String>), PageError> {
    let status = match status {
        "" => None,
        s => Some(
            CallStatus::parse(s)
                .ok_or_else(|| PageError::bad_request("status is not a call status."))?,
        ),
    };
    let page = app
        .list_calls(actor, profile, range, status, cursor.as_deref(), PAGE_ROWS)
        .await?;
    Ok((page.calls, page.next_cursor))
}
