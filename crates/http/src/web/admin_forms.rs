//! The admin console's forms (POST, CSRF-checked, admins only): buy pool numbers, assign a
//! number to a DJ, release a number, retry a dead job. Each answers with a redirect back.

use super::{PageError, WebSession, csrf};
use crate::request::parse_id;
use crate::state::HttpState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Redirect;
use djcalls_app::numbers::MAX_POOL_PURCHASE;
use djcalls_domain::{DjProfileId, PhoneNumber};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct BuyForm {
    count: Option<String>,
    area_code: Option<String>,
}

pub async fn buy(
    State(state): State<HttpState>,
    session: WebSession,
    body: Bytes,
) -> Result<Redirect, PageError> {
    session.require_admin()?;
    let form: BuyForm = csrf::form(&session, &body)?;
    let count = match form
        .count
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => 1,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_POOL_PURCHASE).contains(n))
            .ok_or_else(|| {
                PageError::bad_request(format!(
                    "count must be a whole number from 1 to {MAX_POOL_PURCHASE}."
                ))
            })?,
    };
    let area_code = form
        .area_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    state
        .app
        .buy_pool_numbers(&session.actor, count, area_code)
        .await?;
    Ok(Redirect::to("/admin?notice=bought#pool"))
}

#[derive(Deserialize)]
pub struct AssignForm {
    dj_profile_id: String,
}

pub async fn assign(
    State(state): State<HttpState>,
    session: WebSession,
    body: Bytes,
) -> Result<Redirect, PageError> {
    session.require_admin()?;
    let form: AssignForm = csrf::form(&session, &body)?;
    let dj: DjProfileId = parse_id("dj_profile_id", &form.dj_profile_id)?;
    state.app.assign_number(&session.actor, dj, None).await?;
    Ok(Redirect::to("/admin?notice=assigned#pool"))
}

#[derive(Deserialize)]
pub struct ReleaseForm {
    number: String,
}

pub async fn release(
    State(state): State<HttpState>,
    session: WebSession,
    body: Bytes,
) -> Result<Redirect, PageError> {
    session.require_admin()?;
    let form: ReleaseForm = csrf::form(&session, &body)?;
    let number = PhoneNumber::parse(&form.number)
        .map_err(|e| PageError::bad_request(format!("number: {e}.")))?;
    state
        .app
        .release_pool_number(&session.actor, &number)
        .await?;
    Ok(Redirect::to("/admin?notice=released#pool"))
}

pub async fn retry(
    State(state): State<HttpState>,
    session: WebSession,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Redirect, PageError> {
    session.require_admin()?;
    let _: serde::de::IgnoredAny = csrf::form(&session, &body)?;
    let id: uuid::Uuid = parse_id("id", &id)?;
    state.app.retry_job(&session.actor, id).await?;
    Ok(Redirect::to("/admin?notice=retried#jobs"))
}
