//! `/api/djdash/virtual-numbers`, the pool, and the public DNI lookup (SPEC §3, §5).

use super::check_product_context;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, JsonBody, MaybeCaller, parse_query};
use crate::request::parse_id;
use crate::state::HttpState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use djcalls_app::numbers::{MAX_DNI_IDS, NumberRecord, NumberView};
use djcalls_app::records::DbTime;
use djcalls_app::settings::NumberPurchase;
use djcalls_domain::{DjProfileId, PhoneNumber};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub fn router(origins: &crate::origins::AllowedOrigins) -> Router<HttpState> {
    Router::new()
        .route(
            "/api/djdash/virtual-numbers",
            get(get_number).post(assign_number).patch(patch_number),
        )
        .route(
            "/api/djdash/virtual-numbers/pool",
            get(pool_inventory).post(buy_pool_numbers),
        )
        .route(
            "/api/djdash/virtual-numbers/pool/{number}",
            delete(release_pool_number),
        )
        // Called from DJ Dash pages by the widget: CORS for the configured origins.
        .route("/api/djdash/dni", get(dni).layer(origins.cors()))
}

/// A number record for those entitled to it.
#[derive(Serialize)]
struct NumberJson {
    id: String,
    virtual_number: String,
    display_number: String,
    dj_profile_id: Option<String>,
    real_phone_number: Option<String>,
    twilio_phone_number_sid: Option<String>,
    is_active: bool,
    state: String,
    area_code: Option<String>,
    assigned_at: Option<Timestamp>,
    released_at: Option<Timestamp>,
    cooling_until: Option<Timestamp>,
    product_context: String,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<NumberRecord> for NumberJson {
    fn from(n: NumberRecord) -> Self {
        NumberJson {
            id: n.id.to_string(),
            display_number: display(&n.virtual_number),
            virtual_number: n.virtual_number,
            dj_profile_id: n.dj_profile_id.map(|id| id.to_string()),
            real_phone_number: n.real_phone_number,
            twilio_phone_number_sid: n.twilio_phone_number_sid,
            is_active: n.is_active,
            state: n.state,
            area_code: n.area_code,
            assigned_at: n.assigned_at.map(time),
            released_at: n.released_at.map(time),
            cooling_until: n.cooling_until.map(time),
            product_context: n.product_context,
            created_at: n.created_at.0,
            updated_at: n.updated_at.0,
        }
    }
}

fn time(t: DbTime) -> Timestamp {
    t.0
}

fn display(e164: &str) -> String {
    PhoneNumber::from_trusted_e164(e164).display()
}

/// What anyone may see of a DJ's number.
fn public_json(dj: DjProfileId, number: &PhoneNumber) -> Value {
    json!({
        "virtual_number": number.as_str(),
        "display_number": number.display(),
        "dj_profile_id": dj.to_string(),
    })
}

fn no_virtual_number() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_virtual_number",
        "This DJ has no active virtual number.",
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignBody {
    dj_profile_id: String,
    real_phone_number: Option<PhoneNumber>,
    product_context: Option<String>,
}

async fn assign_number(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<AssignBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    check_product_context(body.product_context.as_deref())?;
    let dj: DjProfileId = parse_id("dj_profile_id", &body.dj_profile_id)?;
    let (number, created) = state
        .app
        .assign_number(&actor, dj, body.real_phone_number)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({"success": true, "virtualNumber": NumberJson::from(number)})),
    ))
}

#[derive(Deserialize)]
struct NumberQuery {
    dj_profile_id: Option<String>,
}

async fn get_number(
    State(state): State<HttpState>,
    MaybeCaller(actor): MaybeCaller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Value>> {
    let q: NumberQuery = parse_query(query.as_deref())?;
    let raw = q
        .dj_profile_id
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiError::field("dj_profile_id", "is required"))?;
    let dj: DjProfileId = parse_id("dj_profile_id", &raw)?;
    let view = state
        .app
        .number_for_dj(actor.as_ref(), dj)
        .await?
        .ok_or_else(no_virtual_number)?;
    let number = match view {
        NumberView::Full(record) => serde_json::to_value(NumberJson::from(*record))
            .map_err(|e| ApiError::from(djcalls_app::AppError::internal(e)))?,
        NumberView::Public {
            dj_profile_id,
            virtual_number,
        } => public_json(dj_profile_id, &virtual_number),
    };
    Ok(Json(json!({"success": true, "virtualNumber": number})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    dj_profile_id: String,
    real_phone_number: Option<PhoneNumber>,
    is_active: Option<bool>,
    product_context: Option<String>,
}

async fn patch_number(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<PatchBody>,
) -> ApiResult<Json<Value>> {
    check_product_context(body.product_context.as_deref())?;
    let dj: DjProfileId = parse_id("dj_profile_id", &body.dj_profile_id)?;
    let number = state
        .app
        .patch_number(&actor, dj, body.real_phone_number, body.is_active)
        .await?
        .ok_or_else(no_virtual_number)?;
    Ok(Json(
        json!({"success": true, "virtualNumber": NumberJson::from(number)}),
    ))
}

async fn pool_inventory(
    State(state): State<HttpState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Value>> {
    let inventory = state.app.pool_inventory(&actor).await?;
    let mut counts = Map::new();
    let mut total = 0;
    for (number_state, count) in &inventory.counts {
        counts.insert(number_state.as_str().to_string(), json!(count));
        total += count;
    }
    counts.insert("total".into(), json!(total));
    let purchase = match inventory.purchase {
        NumberPurchase::Pool => json!({"mode": "pool"}),
        NumberPurchase::OnDemand { max } => json!({
            "mode": "on-demand",
            "max": max,
            "purchased": inventory.on_demand_purchased,
        }),
    };
    let numbers: Vec<NumberJson> = inventory
        .numbers
        .into_iter()
        .map(NumberJson::from)
        .collect();
    Ok(Json(json!({
        "success": true,
        "counts": counts,
        "purchase": purchase,
        "numbers": numbers,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuyBody {
    count: Option<i64>,
    /// `"415"` or `415`.
    area_code: Option<Value>,
}

async fn buy_pool_numbers(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<BuyBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let count = match body.count {
        None => 1,
        Some(n) => u32::try_from(n)
            .ok()
            .filter(|n| (1..=djcalls_app::numbers::MAX_POOL_PURCHASE).contains(n))
            .ok_or_else(|| ApiError::field("count", "must be a whole number from 1 to 10"))?,
    };
    let area_code = match body.area_code {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => {
            return Err(ApiError::field(
                "area_code",
                "must be a three-digit North American area code, like 415",
            ));
        }
    };
    let added = state
        .app
        .buy_pool_numbers(&actor, count, area_code.as_deref())
        .await?;
    let numbers: Vec<NumberJson> = added.into_iter().map(NumberJson::from).collect();
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "success": true,
            "requested": count,
            "bought": numbers.len(),
            "numbers": numbers,
        })),
    ))
}

async fn release_pool_number(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(number): Path<String>,
) -> ApiResult<Json<Value>> {
    let number = PhoneNumber::parse(&number)
        .map_err(|e| ApiError::field("number", format!("{e} (E.164 or a national number)")))?;
    let released = state.app.release_pool_number(&actor, &number).await?;
    Ok(Json(
        json!({"success": true, "virtualNumber": NumberJson::from(released)}),
    ))
}

#[derive(Deserialize)]
struct DniQuery {
    ids: Option<String>,
}

async fn dni(State(state): State<HttpState>, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let q: DniQuery = parse_query(query.as_deref())?;
    let raw = q.ids.unwrap_or_default();
    let mut ids: Vec<DjProfileId> = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let id: DjProfileId = part
            .parse()
            .map_err(|_| ApiError::field("ids", "must be DJ profile UUIDs separated by commas"))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(ApiError::field("ids", "is required"));
    }
    if ids.len() > MAX_DNI_IDS {
        return Err(ApiError::field(
            "ids",
            format!("may name at most {MAX_DNI_IDS} DJ profiles"),
        ));
    }
    let found = state.app.dni_numbers(&ids).await?;
    let mut numbers = Map::new();
    for (dj, number) in found {
        numbers.insert(
            dj.to_string(),
            json!({"virtual_number": number.as_str(), "display_number": number.display(),
                   "click_token": state.app.click_token(dj)}),
        );
    }
    let mut response = Json(json!({"success": true, "numbers": numbers})).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}
