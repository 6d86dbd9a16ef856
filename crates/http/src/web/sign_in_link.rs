//! `GET /sign-in/{token}`: a one-time link minted by DJ Dash (`POST /api/djdash/sign-in-links`).
//! A good link signs the browser in exactly as the sign-in form does (a new session, the same
//! cookie) and sends it (303) to the link's dashboard path; a used, expired or unknown one
//! sends it to `/login`, without saying which. The token never reaches the logs: the request
//! span shows the route template (`middleware::span_for`).

use super::PageError;
use super::session::{SESSION_COOKIE, cookie, session_cookie};
use crate::state::HttpState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn redeem(
    State(state): State<HttpState>,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if method != Method::GET {
        return Ok(Redirect::to("/login").into_response());
    }
    let previous = cookie(&headers, SESSION_COOKIE);
    let Some(signed_in) = state.app.redeem_sign_in_link(&token, previous).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    let mut response = Redirect::to(&signed_in.redirect).into_response();
    if let Ok(v) = HeaderValue::from_str(&session_cookie(&state, &signed_in.session.cookie)) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}
