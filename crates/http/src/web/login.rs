//! `/login`, `/logout` and `/`.

use super::csrf::{field, pairs, tokens_match};
use super::session::{
    LOGIN_CSRF_COOKIE, SESSION_COOKIE, clear_session_cookie, cookie, login_csrf_cookie,
    session_cookie,
};
use super::{PageError, WebSession};
use crate::state::HttpState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use djcalls_app::AppError;
use djcalls_app::limits::SignInAdmission;
use djcalls_app::sessions::random_token;
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    email: String,
    next: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// `/`: the dashboard when signed in, else the sign-in form.
pub async fn root(
    State(state): State<HttpState>,
    headers: HeaderMap,
) -> Result<Redirect, PageError> {
    let signed_in = match cookie(&headers, SESSION_COOKIE) {
        Some(value) => state.app.session(value).await?.is_some(),
        None => false,
    };
    Ok(Redirect::to(if signed_in {
        "/dashboard"
    } else {
        "/login"
    }))
}

pub async fn form(State(state): State<HttpState>, Query(q): Query<LoginQuery>) -> Response {
    render(
        &state,
        String::new(),
        safe_next(q.next.as_deref()),
        None,
        StatusCode::OK,
    )
}

/// The form with a fresh pre-session CSRF token (cookie and hidden field).
fn render(
    state: &HttpState,
    email: String,
    next: String,
    error: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let csrf = random_token();
    let cookie = login_csrf_cookie(state, &csrf);
    let page = LoginPage {
        csrf,
        email,
        next,
        error,
    };
    let mut response = (status, page).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        headers.append(header::SET_COOKIE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Only paths on this site are followed after sign-in (`next_path`); anything else is dropped.
fn safe_next(next: Option<&str>) -> String {
    next.and_then(crate::next_path::same_origin_path)
        .unwrap_or_default()
}

/// `POST /login`. Sign-in is rate-limited per client, per email and client, and per email
/// (`App::sign_in_attempt`, `SignInAdmission`: counted in the database, so every process counts
/// together); the client is `extract::client_address`.
pub async fn submit(
    State(state): State<HttpState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = pairs(&body);
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if !tokens_match(expected, field(&form)) {
        return Err(PageError::csrf());
    }
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (email, password) = (get("email").trim().to_string(), get("password"));
    let next = safe_next(Some(&get("next")));
    let client = crate::extract::client_address(&headers, peer.as_ref().map(|Extension(c)| c));
    // Counted before the password is checked (and taken back if it is right), so attempts in
    // flight at once, through any process, cannot slip past the limit together.
    let admission = state
        .app
        .sign_in_attempt(&email, Some(client.as_str()))
        .await?;
    let only_right = match admission {
        SignInAdmission::Refused { retry_after } => {
            return Ok(throttled(&state, email, next, retry_after));
        }
        SignInAdmission::CheckOnlyRight { retry_after } => Some(retry_after),
        SignInAdmission::Check => None,
    };
    // A wrong password past the email's shared quota is answered as throttled, so guessing
    // spread over many clients cannot tell it from a refused attempt.
    let wrong_answer = |state: &HttpState, email: String, next: String| match only_right {
        Some(retry_after) => throttled(state, email, next, retry_after),
        None => wrong(state, email, next),
    };
    if email.len() > 254 || password.len() > 1024 || email.is_empty() || password.is_empty() {
        return Ok(wrong_answer(&state, email, next));
    }
    let user = match state.app.login(&email, &password).await {
        Ok(user) => user,
        Err(AppError::Unauthenticated) => return Ok(wrong_answer(&state, email, next)),
        Err(e) => return Err(e.into()),
    };
    state
        .app
        .sign_in_succeeded(&email, Some(client.as_str()))
        .await?;
    let previous = cookie(&headers, SESSION_COOKIE);
    let session = state.app.start_session(&user, previous).await?;
    let target = if !next.is_empty() {
        next
    } else if user.role == djcalls_domain::Role::Admin {
        "/admin".to_string()
    } else {
        "/dashboard".to_string()
    };
    let mut response = Redirect::to(&target).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&session_cookie(&state, &session.cookie)) {
        h.append(header::SET_COOKIE, v);
    }
    Ok(response)
}

fn throttled(state: &HttpState, email: String, next: String, retry_after: Duration) -> Response {
    let mut response = render(
        state,
        email,
        next,
        Some("Too many sign-in attempts. Please wait a few minutes and try again."),
        StatusCode::TOO_MANY_REQUESTS,
    );
    if let Ok(v) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

fn wrong(state: &HttpState, email: String, next: String) -> Response {
    render(
        state,
        email,
        next,
        Some("That email and password do not match an account."),
        StatusCode::UNAUTHORIZED,
    )
}

pub async fn logout(
    State(state): State<HttpState>,
    session: WebSession,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    if !tokens_match(&session.csrf_token, field(&pairs(&body))) {
        return Err(PageError::csrf());
    }
    if let Some(value) = cookie(&headers, SESSION_COOKIE) {
        state.app.end_session(value).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&clear_session_cookie(&state)) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}
