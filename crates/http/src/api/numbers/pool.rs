//! `/api/djdash/virtual-numbers/pool`: the admin's inventory, buying numbers into the pool,
//! releasing one back to the provider.

use super::NumberJson;
use super::json::NumberEnvelope;
use crate::api_doc::StandardErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, JsonBody};
use crate::state::HttpState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use djcalls_app::settings::NumberPurchase;
use djcalls_domain::PhoneNumber;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The pool: counts by state (and `total`), how numbers are bought, every number.
#[derive(Serialize, ToSchema)]
pub struct PoolInventoryJson {
    pub success: bool,
    /// `available`, `assigned`, `cooling`, `released` and `total`.
    pub counts: BTreeMap<String, u64>,
    pub purchase: PurchaseJson,
    pub numbers: Vec<NumberJson>,
}

/// `NUMBER_PURCHASE`: `pool`, or `on-demand` with its cap and what was bought so far.
#[derive(Serialize, ToSchema)]
pub struct PurchaseJson {
    /// `pool` or `on-demand`.
    pub mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchased: Option<u64>,
}

/// The number pool (admins and the service).
#[utoipa::path(get, path = "/api/djdash/virtual-numbers/pool", tag = "numbers",
    security(("bearer" = [])),
    responses((status = 200, description = "The pool", body = PoolInventoryJson), StandardErrors))]
pub(super) async fn pool_inventory(
    State(state): State<HttpState>,
    Caller(actor): Caller,
) -> ApiResult<Json<PoolInventoryJson>> {
    let inventory = state.app.pool_inventory(&actor).await?;
    let mut counts = BTreeMap::new();
    let mut total = 0;
    for (number_state, count) in &inventory.counts {
        counts.insert(number_state.as_str().to_string(), *count);
        total += count;
    }
    counts.insert("total".into(), total);
    let purchase = match inventory.purchase {
        NumberPurchase::Pool => PurchaseJson {
            mode: "pool",
            max: None,
            purchased: None,
        },
        NumberPurchase::OnDemand { max } => PurchaseJson {
            mode: "on-demand",
            max: Some(max),
            purchased: Some(inventory.on_demand_purchased),
        },
    };
    Ok(Json(PoolInventoryJson {
        success: true,
        counts,
        purchase,
        numbers: inventory
            .numbers
            .into_iter()
            .map(NumberJson::from)
            .collect(),
    }))
}

/// Buy numbers into the pool.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BuyBody {
    /// 1 to 10 (default 1).
    count: Option<i64>,
    /// `"415"` or `415`.
    #[schema(value_type = Option<String>, example = "415")]
    area_code: Option<Value>,
}

/// What a purchase bought (fewer than requested when the provider had fewer).
#[derive(Serialize, ToSchema)]
pub struct PurchaseResultJson {
    pub success: bool,
    pub requested: u32,
    pub bought: usize,
    pub numbers: Vec<NumberJson>,
}

/// Buy numbers from the provider into the pool (admins and the service).
#[utoipa::path(post, path = "/api/djdash/virtual-numbers/pool", tag = "numbers",
    security(("bearer" = [])), request_body = BuyBody,
    responses((status = 201, description = "Bought", body = PurchaseResultJson), StandardErrors))]
pub(super) async fn buy_pool_numbers(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<BuyBody>,
) -> ApiResult<(StatusCode, Json<PurchaseResultJson>)> {
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
        Json(PurchaseResultJson {
            success: true,
            requested: count,
            bought: numbers.len(),
            numbers,
        }),
    ))
}

/// Release a pool number back to the provider (admins and the service).
#[utoipa::path(delete, path = "/api/djdash/virtual-numbers/pool/{number}", tag = "numbers",
    security(("bearer" = [])),
    params(("number" = String, Path, description = "E.164 or a national number")),
    responses((status = 200, description = "Released", body = NumberEnvelope), StandardErrors))]
pub(super) async fn release_pool_number(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(number): Path<String>,
) -> ApiResult<Json<NumberEnvelope>> {
    let number = PhoneNumber::parse(&number)
        .map_err(|e| ApiError::field("number", format!("{e} (E.164 or a national number)")))?;
    let released = state.app.release_pool_number(&actor, &number).await?;
    Ok(NumberEnvelope::of(released))
}
