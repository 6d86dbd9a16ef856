//! Request extractors that fail with the API's error envelope: the caller's identity from the
//! bearer token, JSON bodies and query strings with the failing field named.

use crate::HttpState;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use djcalls_app::AppError;
use djcalls_domain::Actor;
use serde::de::DeserializeOwned;

/// The authenticated caller (`Authorization: Bearer …`). Missing or unknown token → 401.
pub struct Caller(pub Actor);

impl FromRequestParts<HttpState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, ApiError> {
        match bearer_token(parts) {
            Some(token) => Ok(Caller(state.app.authenticate_bearer(token).await?)),
            None => Err(AppError::Unauthenticated.into()),
        }
    }
}

/// The caller when a token is present, `None` for the public.
pub struct MaybeCaller(pub Option<Actor>);

impl FromRequestParts<HttpState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, ApiError> {
        match bearer_token(parts) {
            Some(token) => Ok(MaybeCaller(Some(
                state.app.authenticate_bearer(token).await?,
            ))),
            None => Ok(MaybeCaller(None)),
        }
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// A JSON body: `application/json` (else 415), at most the body limit (else 413), and
/// well-formed for `T` (else 400 naming the field).
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with Content-Type: application/json.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "unreadable_body",
                    "The request body could not be read.",
                )
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "The request body is larger than 64 KiB.",
    )
}

/// Parses JSON, naming the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => Ok(value),
        Err(e) => {
            let inner = e.inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_json",
                    "The request body is not valid JSON.",
                ));
            }
            Err(field_error(
                &e.path().to_string(),
                &strip_position(&inner.to_string()),
            ))
        }
    }
}

/// Query-string fields: unknown parameters are ignored, known ones must parse.
pub fn parse_query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    let de =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.unwrap_or("").as_bytes()));
    serde_path_to_error::deserialize::<_, T>(de)
        .map_err(|e| field_error(&e.path().to_string(), &e.inner().to_string()))
}

/// Turns serde's messages into the envelope's field and sentence.
fn field_error(path: &str, message: &str) -> ApiError {
    // "missing field `x`" and "unknown field `x`, expected …" carry the name in backticks.
    let named = message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("missing field") || message.starts_with("unknown field"));
    // serde_path_to_error's path already ends at an unknown field, but stops at the parent of
    // a missing one.
    let field = match (named, path) {
        (Some(name), "." | "") => name.to_string(),
        (Some(name), path) if path == name || path.ends_with(&format!(".{name}")) => {
            path.to_string()
        }
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, path) => path.to_string(),
    };
    let sentence = if message.starts_with("missing field") {
        "is required".to_string()
    } else if message.starts_with("unknown field") {
        "is not a field this endpoint accepts".to_string()
    } else {
        format!("is invalid: {message}")
    };
    let mut error = ApiError::field(field.clone(), sentence);
    if message.starts_with("unknown field") {
        error.code = "unknown_field";
    }
    error
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        count: Option<u32>,
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse_json::<Body>(br#"{"count": 1}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        assert_eq!(e.message, "name is required");
        let e = parse_json::<Body>(br#"{"name": "x", "count": -1}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("count"));
        let e = parse_json::<Body>(br#"{"name": "x", "colour": 1}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("colour"));
        assert_eq!(e.code, "unknown_field");
        let e = parse_json::<Body>(br#"{"name": "#).unwrap_err();
        assert_eq!(e.code, "malformed_json");
    }
}
