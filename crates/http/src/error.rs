//! The one error type at the HTTP edge. Every failure of the JSON API becomes
//! `{"success": false, "error": "<sentence>", "code": "<snake_case>"[, "field": "…"]}`; a 5xx is
//! logged once with its cause chain and the request id, and its text never reaches the client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use djcalls_app::AppError;
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// The cause of a 5xx, for the log only.
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// Seconds for `Retry-After` (a 429).
    pub retry_after: Option<u64>,
}

/// The body of every JSON error (documented as `ErrorBody` in the OpenAPI document).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ErrorBody)]
pub struct Envelope<'a> {
    /// Always `false`.
    success: bool,
    /// A sentence for people.
    #[schema(example = "limit must be a whole number from 1 to 100")]
    error: &'a str,
    /// A stable code for programs (`invalid_field`, `unauthenticated`, `not_found`, …).
    #[schema(example = "invalid_field")]
    code: &'a str,
    /// The request field at fault, for `invalid_field` and a few refusals.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            source: None,
            retry_after: None,
        }
    }

    /// A 400 naming the field at fault: "`field` `message`".
    pub fn field(field: impl Into<String>, message: impl std::fmt::Display) -> ApiError {
        let field = field.into();
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_field",
            message: format!("{field} {message}"),
            field: Some(field),
            source: None,
            retry_after: None,
        }
    }

    pub fn not_found_route() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing at this address.",
        )
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "A valid bearer token is required.",
            ),
            AppError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Your credentials do not give access to this.",
            ),
            AppError::NotFound(what) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("No such {what}."),
            ),
            AppError::Invalid { field, message } => ApiError::field(field, message),
            AppError::Conflict { code, message } => {
                ApiError::new(StatusCode::CONFLICT, code, message)
            }
            AppError::Unavailable(message) => {
                ApiError::new(StatusCode::BAD_GATEWAY, "provider_unavailable", message)
            }
            AppError::DatabaseUnavailable(cause) => ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "database_unavailable",
                message: "The database is unavailable; please try again in a moment.".into(),
                field: None,
                source: Some(Box::new(cause)),
                retry_after: Some(DATABASE_RETRY_AFTER_SECONDS),
            },
            AppError::Internal(source) => ApiError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                code: "internal_error",
                message: "Something went wrong on our side; please try again.".into(),
                field: None,
                source: Some(source),
                retry_after: None,
            },
            AppError::Refused {
                code,
                field,
                message,
            } => ApiError {
                field: Some(field.to_string()),
                ..ApiError::new(StatusCode::BAD_REQUEST, code, message)
            },
            AppError::Limited {
                code,
                message,
                retry_after_secs,
            } => ApiError {
                retry_after: Some(retry_after_secs.max(1)),
                ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, message)
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            // The request id is on the enclosing span (see `middleware::span_for`).
            let chain = self
                .source
                .as_deref()
                .map(|e| error_chain(e))
                .unwrap_or_else(|| self.message.clone());
            tracing::error!(status = self.status.as_u16(), code = self.code, error = %chain, "request failed");
        }
        let body = Envelope {
            success: false,
            error: &self.message,
            code: self.code,
            field: self.field.as_deref(),
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// "outer: inner: innermost", for logs.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// When a client should try again after a 503: the database is usually back within seconds
/// (a failover, a restart).
const DATABASE_RETRY_AFTER_SECONDS: u64 = 5;

pub type ApiResult<T> = Result<T, ApiError>;
