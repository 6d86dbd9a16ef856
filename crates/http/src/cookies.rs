//! Reading cookies, and the name of the dashboards' session cookie: low so that both the pages
//! (`web`) and the downloads the pages link to (`extract::ApiOrPageCaller`) can read it.

use axum::http::{HeaderMap, header};

pub const SESSION_COOKIE: &str = "djcalls_session";

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}
