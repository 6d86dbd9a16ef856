//! Errors of the dashboards as HTML pages (the JSON API keeps `ApiError`).

use crate::error::{ApiError, error_chain};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use djcalls_app::AppError;

#[derive(Debug)]
pub enum PageError {
    /// Not signed in: back to /login (GET), refused (anything else).
    SignIn { next: String },
    Page {
        status: StatusCode,
        title: &'static str,
        message: String,
    },
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

impl PageError {
    pub fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> PageError {
        PageError::Page {
            status,
            title,
            message: message.into(),
        }
    }

    pub fn forbidden() -> PageError {
        PageError::new(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Your account does not give access to this page.",
        )
    }

    pub fn csrf() -> PageError {
        PageError::new(
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form could not be verified. Reload the page and try again.",
        )
    }

    pub fn bad_request(message: impl Into<String>) -> PageError {
        PageError::new(StatusCode::BAD_REQUEST, "Invalid request", message)
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError::from(ApiError::from(e))
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        if e.status.is_server_error() {
            let chain = e
                .source
                .as_deref()
                .map(|s| error_chain(s))
                .unwrap_or_else(|| e.message.clone());
            tracing::error!(status = e.status.as_u16(), code = e.code, error = %chain, "page failed");
        }
        let title = match e.status {
            StatusCode::UNAUTHORIZED => "Please sign in",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::CONFLICT => "Not possible right now",
            StatusCode::SERVICE_UNAVAILABLE => "Back in a moment",
            s if s.is_server_error() => "Something went wrong",
            _ => "Invalid request",
        };
        PageError::new(e.status, title, e.message)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::SignIn { next } => {
                let target = format!("/login?next={}", urlencode(&next));
                Redirect::to(&target).into_response()
            }
            PageError::Page {
                status,
                title,
                message,
            } => {
                let page = ErrorPage {
                    status: status.as_u16(),
                    title,
                    message: &message,
                };
                let mut response = (status, page).into_response();
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            }
        }
    }
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
