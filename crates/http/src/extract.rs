//! Request extractors that fail with the API's error envelope: the caller's identity from the
//! bearer token, JSON bodies and query strings with the failing field named.

use crate::error::ApiError;
use crate::state::HttpState;
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

/// The caller of a download the dashboards link to (the CSV exports): the bearer token as for
/// [`Caller`], else the dashboards' session cookie, so a signed-in person's browser can follow
/// the link. Only for reads: a GET carries no CSRF token, and a cross-site link can at most
/// make the person's browser download their own data (SameSite=Lax sends the cookie on
/// top-level navigations only; the answer is never readable by another origin). Neither, or a
/// session that ended → 401.
pub struct ApiOrPageCaller(pub Actor);

impl FromRequestParts<HttpState> for ApiOrPageCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, ApiError> {
        if let Some(token) = bearer_token(parts) {
            return Ok(ApiOrPageCaller(state.app.authenticate_bearer(token).await?));
        }
        let session = match crate::cookies::cookie(&parts.headers, crate::cookies::SESSION_COOKIE) {
            Some(value) => state.app.session(value).await?,
            None => None,
        };
        match session {
            Some(signed_in) => Ok(ApiOrPageCaller(signed_in.actor)),
            None => Err(AppError::Unauthenticated.into()),
        }
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    bearer(&parts.headers)
}

/// The token of `Authorization: Bearer <token>`, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
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

/// Parses a JSON object body, naming the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Well-formedness first, on its own: serde_json reports some type mismatches (a number
    // where an enum's string belongs) as syntax errors, reports `deny_unknown_fields` before a
    // truncation further on, and would accept trailing bytes after the first value.
    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "The request body is not valid JSON.",
        ));
    }
    // Every body of this API is an object; serde would otherwise fill a struct from an array.
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "The request body must be a JSON object.",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        field_error(
            &e.path().to_string(),
            &strip_position(&e.inner().to_string()),
        )
    })
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
    let named = message.split('`').nth(1).filter(|_| {
        message.starts_with("missing field")
            || message.starts_with("unknown field")
            || message.starts_with("duplicate field")
    });
    // serde_path_to_error's path already ends at an unknown field, but stops at the parent of
    // a missing one.
    let field = match (named, path) {
        (Some(name), "." | "") => name.to_string(),
        (Some(name), path) if path == name || path.ends_with(&format!(".{name}")) => {
            path.to_string()
        }
        (Some(name), parent) => format!("{parent}.{name}"),
        // The body (or query) as a whole is the wrong shape: an array, a string, `null`.
        (None, "." | "") => {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "The request body must be a JSON object.",
            );
        }
        (None, path) => path.to_string(),
    };
    let sentence = if message.starts_with("missing field") {
        "is required".to_string()
    } else if message.starts_with("unknown field") {
        "is not a field this endpoint accepts".to_string()
    } else if message.starts_with("duplicate field") {
        "is given more than once".to_string()
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

/// The client a per-client limit counts against. The peer address, unless the peer is a
/// proxy on a loopback or private address: then the last `X-Forwarded-For` hop, which that
/// proxy appended (earlier hops are whatever the client claimed). Without a peer (a server
/// run without connect info), the last hop, else `unknown`.
pub fn client_address(
    headers: &axum::http::HeaderMap,
    peer: Option<&axum::extract::ConnectInfo<std::net::SocketAddr>>,
) -> String {
    let last_hop = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|hop| !hop.is_empty())
        .map(|hop| hop.chars().take(64).collect::<String>());
    match (peer.map(|p| p.0.ip()), last_hop) {
        (Some(ip), Some(hop)) if is_proxy(ip) => hop,
        (Some(ip), _) => ip.to_string(),
        (None, Some(hop)) => hop,
        (None, None) => "unknown".to_string(),
    }
}

fn is_proxy(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        std::net::IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local(),
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

    #[test]
    fn only_broken_json_is_malformed() {
        // Truncated after an unknown field, or followed by more bytes: still broken JSON.
        let e = parse_json::<Body>(br#"{"colour": "#).unwrap_err();
        assert_eq!(e.code, "malformed_json");
        let e = parse_json::<Body>(br#"{"name": "x"} {"name": "y"}"#).unwrap_err();
        assert_eq!(e.code, "malformed_json");
        // Well-formed JSON of the wrong shape is the body's or a field's fault.
        let e = parse_json::<Body>(b"[1, 2]").unwrap_err();
        assert_eq!((e.code, e.field), ("invalid_body", None));
        let e = parse_json::<Body>(br#"{"name": "x", "name": "y"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        enum Colour {
            Red,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Paint {
            colour: Colour,
        }
        let e = parse_json::<Paint>(br#"{"colour": 3}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("invalid_field", Some("colour"))
        );
    }
}
