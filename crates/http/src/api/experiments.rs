//! A/B tests of the follow-up text (SPEC §13; admins and the service, a DJ gets 403):
//! `POST /api/djdash/experiments`, `GET` the list, `GET …/{id}`, `POST …/{id}/start`,
//! `POST …/{id}/stop`. Figures per variant, the Wilson interval and the z-test's winner come
//! from `djcalls_app::experiments`.

use super::text;
use crate::api_doc::StandardErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, JsonBody};
use crate::request::parse_id;
use crate::state::HttpState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use djcalls_app::experiments::{
    ExperimentReport, NewExperiment, NewVariant, VariantReport, variant_fields,
};
use djcalls_domain::ExperimentId;
use djcalls_domain::experiment::{MAX_VARIANTS, variant_count_ok};
use djcalls_domain::experiment_stats::ALPHA;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show))
        .routes(routes!(start))
        .routes(routes!(stop))
}

/// A variant's thank-you text per language; placeholders as in the DJ's texts (`{dj_name}`,
/// `{link}` required, `{form_link}`). A call in another language gets the English one.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThanksTexts {
    en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    es: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewVariantBody {
    #[schema(example = "Short")]
    name: Option<String>,
    thanks: Option<ThanksTexts>,
}

/// A new experiment: 2–4 variants and one whole percentage per variant adding up to 100.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewExperimentBody {
    #[schema(example = "Deposit wording, June")]
    name: Option<String>,
    variants: Option<Vec<NewVariantBody>>,
    #[schema(example = json!([50, 50]))]
    split: Option<Vec<i64>>,
}

/// A conversion rate's 95 % Wilson score interval, in percent.
#[derive(Serialize, ToSchema)]
pub struct IntervalJson {
    pub low: f64,
    pub high: f64,
}

/// One variant with its figures.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariantJson {
    /// 0-based, in the order given.
    pub position: i32,
    pub name: String,
    /// Its share of calls, in percent.
    pub split: i32,
    pub thanks: ThanksTexts,
    /// Follow-ups Twilio accepted with this variant's text.
    pub sent: i64,
    /// Of those, calls whose payment link was opened.
    pub opened: i64,
    /// Of those, calls paid (net of refunds above zero).
    pub paid: i64,
    /// Their net payments, in cents.
    pub revenue_cents: i64,
    /// paid ÷ sent × 100, 2 decimals; null before anything was sent.
    pub conversion_rate: Option<f64>,
    /// 95 % Wilson score interval of the rate, in percent (2 decimals).
    pub conversion_interval: Option<IntervalJson>,
}

#[derive(Serialize, ToSchema)]
pub struct WinnerJson {
    pub position: i32,
    pub name: String,
}

/// How the figures are judged (fixed; stated so nobody has to guess).
#[derive(Serialize, ToSchema)]
pub struct MethodJson {
    /// `wilson`: the Wilson score interval.
    pub interval: &'static str,
    /// 95.
    pub confidence: u8,
    pub test: &'static str,
    /// A winner needs p below this.
    pub alpha: f64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentJson {
    #[schema(value_type = String, format = Uuid)]
    pub id: ExperimentId,
    pub name: String,
    /// `draft`, `running` or `stopped`.
    pub state: &'static str,
    /// The variants' shares, in order.
    pub split: Vec<i32>,
    pub variants: Vec<VariantJson>,
    /// The variant with the highest rate when its z-test against every other variant gives
    /// p < 0.05; else null.
    pub winner: Option<WinnerJson>,
    /// The variant with the highest conversion rate (null on a tie or before every variant
    /// has sent).
    pub leader: Option<i32>,
    /// The largest p-value of the leader's tests against the others (two-sided).
    pub p_value: Option<f64>,
    pub method: MethodJson,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub stopped_at: Option<String>,
}

fn variant_json(v: VariantReport) -> VariantJson {
    VariantJson {
        position: v.variant.position,
        name: v.variant.name,
        split: v.variant.split_percent,
        thanks: ThanksTexts {
            en: Some(v.variant.thanks_en),
            es: v.variant.thanks_es,
        },
        sent: v.figures.sent,
        opened: v.figures.opened,
        paid: v.figures.paid,
        revenue_cents: v.figures.revenue_cents,
        conversion_rate: v.rate.map(|r| r.percent),
        conversion_interval: v.rate.map(|r| IntervalJson {
            low: r.low,
            high: r.high,
        }),
    }
}

impl From<ExperimentReport> for ExperimentJson {
    fn from(r: ExperimentReport) -> Self {
        let e = r.experiment;
        let at = |i: Option<usize>| i.and_then(|i| r.variants.get(i));
        ExperimentJson {
            id: e.id,
            name: e.name,
            state: e.state.as_str(),
            split: e.variants.iter().map(|v| v.split_percent).collect(),
            winner: at(r.verdict.winner).map(|v| WinnerJson {
                position: v.variant.position,
                name: v.variant.name.clone(),
            }),
            leader: at(r.verdict.leader).map(|v| v.variant.position),
            p_value: r.verdict.p_value,
            method: MethodJson {
                interval: "wilson",
                confidence: 95,
                test: "two-proportion z-test, pooled, two-sided: the leader against each other variant",
                alpha: ALPHA,
            },
            created_at: e.created_at.0.to_string(),
            started_at: e.started_at.map(|t| t.0.to_string()),
            stopped_at: e.stopped_at.map(|t| t.0.to_string()),
            variants: r.variants.into_iter().map(variant_json).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ExperimentEnvelope {
    pub success: bool,
    pub experiment: ExperimentJson,
}

#[derive(Serialize, ToSchema)]
pub struct ExperimentList {
    pub success: bool,
    pub experiments: Vec<ExperimentJson>,
}

fn envelope(r: ExperimentReport) -> Json<ExperimentEnvelope> {
    Json(ExperimentEnvelope {
        success: true,
        experiment: ExperimentJson::from(r),
    })
}

/// The body as the app takes it: texts trimmed and bounded, fields named.
fn new_experiment(body: NewExperimentBody) -> Result<NewExperiment, ApiError> {
    let name = text("name", body.name, 100)?.ok_or(ApiError::field("name", "is required"))?;
    let variants = body
        .variants
        .ok_or(ApiError::field("variants", "is required"))?;
    if !variant_count_ok(variants.len()) {
        return Err(ApiError::field(
            "variants",
            format!(
                "must list 2 to {MAX_VARIANTS} variants ({} given)",
                variants.len()
            ),
        ));
    }
    let split = body.split.ok_or(ApiError::field("split", "is required"))?;
    let mut checked = Vec::with_capacity(variants.len());
    for (v, [name_field, en_field, es_field]) in variants.into_iter().zip(variant_fields()) {
        let thanks = v.thanks.unwrap_or(ThanksTexts { en: None, es: None });
        checked.push(NewVariant {
            name: text(name_field, v.name, 100)?.unwrap_or_default(),
            thanks_en: text(en_field, thanks.en, 1000)?,
            thanks_es: text(es_field, thanks.es, 1000)?,
        });
    }
    Ok(NewExperiment {
        name,
        variants: checked,
        split,
    })
}

const ID: &str = "The experiment's id";

/// Create an experiment (a draft). 400 names the field at fault: `variants` (not 2–4),
/// `split` (not one whole percentage per variant adding up to 100), `variants[i].name`,
/// `variants[i].thanks.en` / `.es` (no `{link}`, an unknown placeholder, over two SMS segments
/// once filled with a long DJ name and links).
#[utoipa::path(post, path = "/api/djdash/experiments", tag = "experiments",
    security(("bearer" = [])), request_body = NewExperimentBody,
    responses((status = 201, description = "Created, as a draft", body = ExperimentEnvelope),
        StandardErrors))]
async fn create(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<NewExperimentBody>,
) -> ApiResult<(StatusCode, Json<ExperimentEnvelope>)> {
    if !actor.is_platform() {
        return Err(djcalls_app::AppError::Forbidden.into());
    }
    let input = new_experiment(body)?;
    let report = state.app.create_experiment(&actor, input).await?;
    Ok((StatusCode::CREATED, envelope(report)))
}

/// Every experiment, newest first, with its figures.
#[utoipa::path(get, path = "/api/djdash/experiments", tag = "experiments",
    security(("bearer" = [])),
    responses((status = 200, description = "Experiments", body = ExperimentList), StandardErrors))]
async fn list(
    State(state): State<HttpState>,
    Caller(actor): Caller,
) -> ApiResult<Json<ExperimentList>> {
    let reports = state.app.experiments(&actor).await?;
    Ok(Json(ExperimentList {
        success: true,
        experiments: reports.into_iter().map(ExperimentJson::from).collect(),
    }))
}

/// One experiment with each variant's figures, interval, and the winner (if any).
#[utoipa::path(get, path = "/api/djdash/experiments/{id}", tag = "experiments",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = ID)),
    responses((status = 200, description = "The experiment", body = ExperimentEnvelope),
        StandardErrors))]
async fn show(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ExperimentEnvelope>> {
    let id: ExperimentId = parse_id("id", &id)?;
    Ok(envelope(state.app.experiment(&actor, id).await?))
}

/// Start a draft: from now on each thank-you text gets a variant. 409 `experiment_running`
/// while another runs, `experiment_stopped` for a stopped one; the running one again: 200.
#[utoipa::path(post, path = "/api/djdash/experiments/{id}/start", tag = "experiments",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = ID)),
    responses((status = 200, description = "Running", body = ExperimentEnvelope),
        StandardErrors))]
async fn start(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ExperimentEnvelope>> {
    let id: ExperimentId = parse_id("id", &id)?;
    Ok(envelope(state.app.start_experiment(&actor, id).await?))
}

/// Stop the running experiment (for good; its figures stay). 409 `experiment_not_started` for
/// a draft; a stopped one again: 200.
#[utoipa::path(post, path = "/api/djdash/experiments/{id}/stop", tag = "experiments",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = ID)),
    responses((status = 200, description = "Stopped", body = ExperimentEnvelope),
        StandardErrors))]
async fn stop(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ExperimentEnvelope>> {
    let id: ExperimentId = parse_id("id", &id)?;
    Ok(envelope(state.app.stop_experiment(&actor, id).await?))
}
