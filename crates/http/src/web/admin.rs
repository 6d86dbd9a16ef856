//! `GET /admin?range=…&dj_profile_id=…&status=…&cursor=…`: the admin console — platform totals
//! and revenue, top DJs, call volume, all calls with filters, the number pool, opt-outs,
//! payments in other currencies, refunds waiting for their payment and the job queue. Its
//! forms are in `admin_forms`.

use super::admin_quality::QualityFiguresCard;
use super::dashboard::list;
use super::figures::Figures;
use super::reports_section::{CustomRange, ReportsSection, chosen_range};
use super::rows::{
    CallRow, STATUSES, api_bounds, contacts_export_link, dollars, export_link, local, query,
};
use super::{Nav, PageError, WebSession};
use crate::request::parse_id;
use crate::state::HttpState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use djcalls_app::admin::{JobListing, PendingRefundListing};
use djcalls_app::settings::NumberPurchase;
use djcalls_domain::{DjProfileId, PhoneNumber};
use jiff::SignedDuration;
use jiff::tz::TimeZone;
use serde::Deserialize;

#[derive(Deserialize)]
struct AdminQuery {
    range: Option<String>,
    dj_profile_id: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
    notice: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

pub struct TopDjRow {
    pub id: String,
    pub name: String,
    pub calls: i64,
    pub booked: i64,
    pub revenue: String,
    pub platform_cut: String,
}

pub struct NumberRow {
    pub number: String,
    pub display: String,
    pub state: String,
    /// The DJ's name (or id, when the profile is gone), empty for a pool number.
    pub dj: String,
    pub dj_profile_id: String,
    pub area_code: String,
    pub releasable: bool,
}

/// A refund waiting for its payment; `stale` once it has waited over 30 days.
pub struct PendingRefundRow {
    pub provider: String,
    pub payment_id: String,
    pub amount: String,
    pub received: String,
    pub age: String,
    pub stale: bool,
}

impl From<PendingRefundListing> for PendingRefundRow {
    fn from(p: PendingRefundListing) -> Self {
        let r = p.refund;
        PendingRefundRow {
            amount: if p.in_platform_currency {
                dollars(r.amount_cents)
            } else {
                format!("{} {} (minor units)", r.amount_cents, r.currency)
            },
            provider: r.provider,
            payment_id: r.provider_payment_id,
            received: local(r.received_at.0, &TimeZone::UTC),
            age: age(p.age),
            stale: p.stale,
        }
    }
}

/// A wait in days and hours, or hours and minutes under a day.
fn age(d: SignedDuration) -> String {
    let minutes = d.as_secs().max(0) / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if days > 0 {
        format!("{days} d {hours} h")
    } else {
        format!("{hours} h {minutes} min")
    }
}

pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub state: String,
    pub attempts: String,
    pub run_at: String,
    pub last_error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
pub struct AdminPage {
    nav: Nav,
    notice: Option<&'static str>,
    range: &'static str,
    start: String,
    end: String,
    dj_filter: String,
    status: String,
    statuses: &'static [&'static str],
    figures: Figures,
    top_djs: Vec<TopDjRow>,
    /// Every DJ, for the calls filter: `(id, name)`.
    dj_options: Vec<(String, String)>,
    rows: Vec<CallRow>,
    show_dj: bool,
    next_cursor: Option<String>,
    pool_counts: Vec<(String, u64)>,
    purchase: String,
    numbers: Vec<NumberRow>,
    opt_outs: Vec<(String, String, String)>,
    /// Payments kept aside because of their currency: (call id, amount, when).
    foreign_payments: Vec<(String, String, String)>,
    pending_refunds: Vec<PendingRefundRow>,
    job_counts: [(&'static str, i64); 4],
    pending: Vec<JobRow>,
    dead: Vec<JobRow>,
    quality: QualityFiguresCard,
    reports: ReportsSection,
    custom_range: CustomRange,
}

impl AdminPage {
    fn link(&self, cursor: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("range", self.range);
        if self.range == "custom" {
            q.append_pair("start_date", &self.start);
            q.append_pair("end_date", &self.end);
        }
        for (k, v) in [("dj_profile_id", &self.dj_filter), ("status", &self.status)] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        if !cursor.is_empty() {
            q.append_pair("cursor", cursor);
        }
        format!("/admin?{}#calls", q.finish())
    }

    /// The calls export of the list as filtered (UTC dates, DJ, status).
    fn export_link(&self) -> String {
        export_link(
            (&self.start, &self.end, "UTC"),
            &self.dj_filter,
            &self.status,
        )
    }

    /// The contacts export of the list's range and DJ (every DJ's without one).
    fn contacts_export_link(&self) -> String {
        contacts_export_link((&self.start, &self.end, "UTC"), &self.dj_filter, "")
    }
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "bought" => Some("Numbers bought into the pool."),
        "assigned" => Some("Number assigned."),
        "released" => Some("Number released."),
        "retried" => Some("Job queued again."),
        _ => None,
    }
}

fn job_row(j: djcalls_app::records::Job) -> JobRow {
    JobRow {
        id: j.id.to_string(),
        kind: j.kind,
        state: j.state.as_str().to_string(),
        attempts: format!("{}/{}", j.attempts, j.max_attempts),
        run_at: local(j.run_at.0, &TimeZone::UTC),
        last_error: j.last_error.unwrap_or_default(),
    }
}

pub async fn page(
    State(state): State<HttpState>,
    session: WebSession,
    RawQuery(raw): RawQuery,
) -> Result<AdminPage, PageError> {
    session.require_admin()?;
    let q: AdminQuery = query(raw.as_deref())?;
    let actor = &session.actor;
    let app = &state.app;
    let (range_name, range) = chosen_range(
        q.range.as_deref(),
        q.start_date.as_deref(),
        q.end_date.as_deref(),
        app.now().0,
        TimeZone::UTC,
        "UTC",
    )?;
    let dj: Option<DjProfileId> = match q.dj_profile_id.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Some(parse_id("dj_profile_id", s)?),
        _ => None,
    };
    let status = q.status.unwrap_or_default();
    if !status.is_empty() && !STATUSES.contains(&status.as_str()) {
        return Err(PageError::bad_request("status is not a call status."));
    }
    let platform = app.platform_analytics(actor, &range).await?;
    let cursor = q.cursor.filter(|c| !c.is_empty());
    let (calls, next_cursor) = list(app, actor, dj, &range, &status, cursor).await?;
    let inventory = app.pool_inventory(actor).await?;
    let (counts, pending) = app.job_queue(actor, JobListing::Pending).await?;
    let (_, dead) = app.job_queue(actor, JobListing::Dead).await?;
    let opt_outs = app.opt_outs(actor).await?;
    let foreign_payments = app.foreign_currency_payments(actor).await?;
    let pending_refunds = app.pending_refunds(actor).await?;
    let quality = QualityFiguresCard::of(&app.quality_figures(actor).await?);
    let (start, end) = api_bounds(&range);
    let reports = ReportsSection::load(app, actor, None, &range).await?;
    let custom_range = CustomRange {
        action: "/admin",
        start: start.clone(),
        end: end.clone(),
        profile_id: String::new(),
    };
    let dj_options: Vec<(String, String)> = app
        .profile_names(actor)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let names: std::collections::HashMap<String, String> = dj_options.iter().cloned().collect();
    Ok(AdminPage {
        nav: Nav::of(&session),
        notice: notice(q.notice.as_deref()),
        range: range_name,
        start,
        end,
        dj_filter: dj.map(|d| d.to_string()).unwrap_or_default(),
        status,
        statuses: &STATUSES,
        figures: Figures::of(&platform.analytics),
        top_djs: platform
            .top_djs
            .into_iter()
            .map(|t| TopDjRow {
                id: t.dj_profile_id.to_string(),
                name: t.dj_name,
                calls: t.calls,
                booked: t.booked,
                revenue: dollars(t.revenue_cents),
                platform_cut: dollars(t.platform_cut_cents),
            })
            .collect(),
        rows: calls
            .iter()
            .map(|c| CallRow::of(c, &TimeZone::UTC).named(&names))
            .collect(),
        dj_options,
        show_dj: true,
        next_cursor,
        pool_counts: inventory
            .counts
            .iter()
            .map(|(s, n)| (s.as_str().to_string(), *n))
            .collect(),
        purchase: match inventory.purchase {
            NumberPurchase::Pool => "pool".to_string(),
            NumberPurchase::OnDemand { max } => format!(
                "on demand ({} of {max} bought)",
                inventory.on_demand_purchased
            ),
        },
        numbers: inventory
            .numbers
            .into_iter()
            .map(|n| NumberRow {
                display: PhoneNumber::from_trusted_e164(&n.virtual_number).display(),
                releasable: n.twilio_phone_number_sid.is_some() && n.state != "released",
                number: n.virtual_number,
                state: n.state,
                dj: n
                    .dj_profile_id
                    .map(|d| {
                        let id = d.to_string();
                        names.get(&id).cloned().unwrap_or(id)
                    })
                    .unwrap_or_default(),
                dj_profile_id: n.dj_profile_id.map(|d| d.to_string()).unwrap_or_default(),
                area_code: n.area_code.unwrap_or_default(),
            })
            .collect(),
        opt_outs: opt_outs
            .into_iter()
            .map(|o| {
                (
                    o.phone_number,
                    o.source,
                    local(o.opted_out_at.0, &TimeZone::UTC),
                )
            })
            .collect(),
        foreign_payments: foreign_payments
            .into_iter()
            .map(|p| {
                (
                    p.call_id.to_string(),
                    format!("{} {}", p.amount_cents, p.currency),
                    local(p.received_at.0, &TimeZone::UTC),
                )
            })
            .collect(),
        pending_refunds: pending_refunds
            .into_iter()
            .map(PendingRefundRow::from)
            .collect(),
        quality,
        job_counts: [
            ("queued", counts.queued),
            ("running", counts.running),
            ("done", counts.done),
            ("dead", counts.dead),
        ],
        pending: pending.into_iter().map(job_row).collect(),
        dead: dead.into_iter().map(job_row).collect(),
        reports,
        custom_range,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_in_days_and_hours_or_hours_and_minutes() {
        assert_eq!(age(SignedDuration::from_secs(59)), "0 h 0 min");
        assert_eq!(age(SignedDuration::from_mins(125)), "2 h 5 min");
        assert_eq!(age(SignedDuration::from_hours(24 * 31 + 3)), "31 d 3 h");
        assert_eq!(age(SignedDuration::from_secs(-5)), "0 h 0 min");
    }
}
