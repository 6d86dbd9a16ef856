//! `GET /admin/experiments`: the A/B tests of the follow-up text in the admin console — every
//! experiment with each variant's figures, conversion rate and 95 % interval, the winner (or
//! why there is none), and start/stop buttons (CSRF-checked forms, admins only). The figures
//! are the API's (`App::experiments`), with the exact values in `data-value`. Experiments are
//! created through `POST /api/djdash/experiments`.

use super::rows::{dollars, local, query};
use super::{Nav, PageError, WebSession, csrf};
use crate::request::parse_id;
use crate::state::HttpState;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Redirect;
use djcalls_app::experiments::{ExperimentReport, VariantReport};
use djcalls_domain::ExperimentId;
use djcalls_domain::experiment::ExperimentState;
use jiff::tz::TimeZone;
use serde::Deserialize;

pub struct VariantRow {
    pub position: i32,
    pub name: String,
    pub split: i32,
    pub sent: i64,
    pub opened: i64,
    pub paid: i64,
    pub revenue_cents: i64,
    pub revenue: String,
    /// The API's `conversionRate` (empty before anything was sent) and as shown.
    pub rate_value: String,
    pub rate: String,
    /// The interval's bounds as the API gives them, and as shown.
    pub low: String,
    pub high: String,
    pub interval: String,
    pub is_winner: bool,
}

pub struct ExperimentCard {
    pub id: String,
    pub name: String,
    pub state: &'static str,
    pub period: String,
    pub can_start: bool,
    pub can_stop: bool,
    pub variants: Vec<VariantRow>,
    /// The winner's name, empty without one.
    pub winner: String,
    /// The verdict in words.
    pub verdict: String,
    pub p_value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_experiments.html")]
pub struct ExperimentsPage {
    nav: Nav,
    notice: Option<&'static str>,
    experiments: Vec<ExperimentCard>,
}

#[derive(Deserialize)]
struct PageQuery {
    notice: Option<String>,
}

fn percent(x: f64) -> String {
    format!("{x:.2} %")
}

fn variant_row(v: &VariantReport, winner: Option<usize>, index: usize) -> VariantRow {
    let rate = v.rate;
    VariantRow {
        position: v.variant.position,
        name: v.variant.name.clone(),
        split: v.variant.split_percent,
        sent: v.figures.sent,
        opened: v.figures.opened,
        paid: v.figures.paid,
        revenue_cents: v.figures.revenue_cents,
        revenue: dollars(v.figures.revenue_cents),
        rate_value: rate.map(|r| r.percent.to_string()).unwrap_or_default(),
        rate: rate.map_or("–".to_string(), |r| percent(r.percent)),
        low: rate.map(|r| r.low.to_string()).unwrap_or_default(),
        high: rate.map(|r| r.high.to_string()).unwrap_or_default(),
        interval: rate.map_or("–".to_string(), |r| {
            format!("{:.2}–{:.2} %", r.low, r.high)
        }),
        is_winner: winner == Some(index),
    }
}

fn card(r: &ExperimentReport) -> ExperimentCard {
    let e = &r.experiment;
    let when = |t: Option<djcalls_app::records::DbTime>| {
        t.map(|t| local(t.0, &TimeZone::UTC)).unwrap_or_default()
    };
    let period = match e.state {
        ExperimentState::Draft => "not started".to_string(),
        ExperimentState::Running => format!("running since {} UTC", when(e.started_at)),
        ExperimentState::Stopped => {
            format!("ran {} – {} UTC", when(e.started_at), when(e.stopped_at))
        }
    };
    let winner = r.verdict.winner;
    let leader = r.verdict.leader.and_then(|i| r.variants.get(i));
    let verdict = match (winner.and_then(|i| r.variants.get(i)), leader) {
        (Some(w), _) => format!("Winner: {}", w.variant.name),
        (None, Some(l)) => format!(
            "No winner yet: {} leads, but not significantly (p ≥ 0.05)",
            l.variant.name
        ),
        (None, None) => "No winner: every variant needs texts sent and a difference to test".into(),
    };
    ExperimentCard {
        id: e.id.to_string(),
        name: e.name.clone(),
        state: e.state.as_str(),
        period,
        can_start: e.state == ExperimentState::Draft,
        can_stop: e.state == ExperimentState::Running,
        variants: r
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| variant_row(v, winner, i))
            .collect(),
        winner: winner
            .and_then(|i| r.variants.get(i))
            .map(|v| v.variant.name.clone())
            .unwrap_or_default(),
        verdict,
        p_value: r
            .verdict
            .p_value
            .map(|p| format!("{p:.4}"))
            .unwrap_or_default(),
    }
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "started" => Some("Experiment started."),
        "stopped" => Some("Experiment stopped."),
        _ => None,
    }
}

pub async fn page(
    State(state): State<HttpState>,
    session: WebSession,
    RawQuery(raw): RawQuery,
) -> Result<ExperimentsPage, PageError> {
    session.require_admin()?;
    let q: PageQuery = query(raw.as_deref())?;
    let reports = state.app.experiments(&session.actor).await?;
    Ok(ExperimentsPage {
        nav: Nav::of(&session),
        notice: notice(q.notice.as_deref()),
        experiments: reports.iter().map(card).collect(),
    })
}

pub async fn start(
    State(state): State<HttpState>,
    session: WebSession,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Redirect, PageError> {
    session.require_admin()?;
    let _: serde::de::IgnoredAny = csrf::form(&session, &body)?;
    let id: ExperimentId = parse_id("id", &id)?;
    state.app.start_experiment(&session.actor, id).await?;
    Ok(Redirect::to("/admin/experiments?notice=started"))
}

pub async fn stop(
    State(state): State<HttpState>,
    session: WebSession,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Redirect, PageError> {
    session.require_admin()?;
    let _: serde::de::IgnoredAny = csrf::form(&session, &body)?;
    let id: ExperimentId = parse_id("id", &id)?;
    state.app.stop_experiment(&session.actor, id).await?;
    Ok(Redirect::to("/admin/experiments?notice=stopped"))
}
