//! `/pay/<token>`: our short payment link; opening it creates the provider's session and
//! redirects there (SPEC §8). Plus the pages the provider sends the payer back to, and the
//! simulator's stand-in for a provider checkout page (demo only).
//!
//! These are public HTML pages: errors are friendly pages, never the JSON envelope or internals.
//! Every answer is `Cache-Control: no-store` (a redirect to a provider session or a "try again"
//! page must not be replayed from a cache) and `Referrer-Policy: no-referrer` (the token is a
//! capability and must not leak to other sites).

use crate::state::HttpState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use djcalls_app::payments::{PayLinkError, SimulatedPayError, WebhookError, parse_dollars};
// The workspace's one markup escaper (`& < > " '`), as safe for HTML text and quoted
// attributes as for TwiML.
use djcalls_telephony::twiml::escape;

/// The amount the simulated checkout suggests, in dollars.
const SIMULATED_DEFAULT_AMOUNT: &str = "100.00";

pub fn router() -> Router<HttpState> {
    Router::new()
        .route("/pay/{token}", get(open))
        .route("/pay/{token}/done", get(done))
        .route("/pay/{token}/cancelled", get(cancelled))
        // GET shows the form; only POST pays (a link preview or prefetch never pays).
        .route(
            "/pay/simulated/{session_id}",
            get(simulated_page).post(simulated_pay),
        )
}

async fn open(State(state): State<HttpState>, Path(token): Path<String>) -> Response {
    match state.app.open_pay_link(&token).await {
        Ok(url) => match HeaderValue::from_str(&url) {
            Ok(location) => {
                private((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
            }
            Err(_) => {
                tracing::error!("payment provider returned a URL that is not a header value");
                unavailable()
            }
        },
        Err(PayLinkError::NotFound) => not_found(),
        Err(PayLinkError::Provider { .. }) => unavailable(),
        Err(PayLinkError::Internal(e)) => {
            tracing::error!(error = %crate::error::error_chain(&e), "opening a payment link failed");
            unavailable()
        }
    }
}

async fn done() -> Response {
    page(
        StatusCode::OK,
        "Thank you",
        "<h1>Thank you!</h1>\
         <p>Your payment is being confirmed. You will get a receipt from the payment provider, \
         and your DJ will be in touch about your booking.</p>\
         <p>You can close this page.</p>",
    )
}

async fn cancelled(Path(token): Path<String>) -> Response {
    let token = escape(&token);
    page(
        StatusCode::OK,
        "No payment made",
        &format!(
            "<h1>No payment was made</h1>\
             <p>You left the payment page before paying; nothing was charged.</p>\
             <p><a class=\"button\" href=\"/pay/{token}\">Pay the deposit</a></p>"
        ),
    )
}

async fn simulated_page(
    State(state): State<HttpState>,
    Path(session_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let token = param(query.as_deref().unwrap_or(""), "link").unwrap_or_default();
    match state.app.simulated_checkout(&session_id, &token).await {
        Ok(checkout) => simulated_form(
            StatusCode::OK,
            &session_id,
            &token,
            &checkout.description,
            SIMULATED_DEFAULT_AMOUNT,
            None,
        ),
        Err(e) => simulated_failure(e),
    }
}

async fn simulated_pay(
    State(state): State<HttpState>,
    Path(session_id): Path<String>,
    body: Bytes,
) -> Response {
    let form = String::from_utf8_lossy(&body);
    let token = param(&form, "link").unwrap_or_default();
    let raw_amount = param(&form, "amount").unwrap_or_default();
    let Some(amount) = parse_dollars(&raw_amount) else {
        return match state.app.simulated_checkout(&session_id, &token).await {
            Ok(checkout) => simulated_form(
                StatusCode::BAD_REQUEST,
                &session_id,
                &token,
                &checkout.description,
                &raw_amount,
                Some("Enter an amount in dollars, such as 100 or 99.90."),
            ),
            Err(e) => simulated_failure(e),
        };
    };
    match state
        .app
        .complete_simulated_payment(&session_id, &token, amount)
        .await
    {
        Ok(_) => page(
            StatusCode::OK,
            "Payment received",
            &format!(
                "<h1>Payment received</h1>\
                 <p>{} paid. Thank you! (Simulated payment: no money moved.)</p>",
                escape(&amount.to_string())
            ),
        ),
        Err(e) => simulated_failure(e),
    }
}

fn simulated_failure(e: SimulatedPayError) -> Response {
    match e {
        SimulatedPayError::NotFound => not_found(),
        SimulatedPayError::InvalidAmount => page(
            StatusCode::BAD_REQUEST,
            "Invalid amount",
            "<h1>That amount cannot be paid</h1><p>Go back and enter a positive amount.</p>",
        ),
        SimulatedPayError::Webhook(WebhookError::Rejected(reason)) => {
            tracing::error!(%reason, "simulated payment webhook was refused");
            unavailable()
        }
        SimulatedPayError::Webhook(WebhookError::Failed(e)) => {
            tracing::error!(error = %crate::error::error_chain(&e), "simulated payment could not be recorded");
            unavailable()
        }
    }
}

fn simulated_form(
    status: StatusCode,
    session_id: &str,
    token: &str,
    description: &str,
    amount: &str,
    error: Option<&str>,
) -> Response {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    page(
        status,
        "Simulated checkout",
        &format!(
            "<p class=\"note\">Simulated payment provider — no real money moves.</p>\
             <h1>{description}</h1>\
             {error}\
             <form method=\"post\" action=\"/pay/simulated/{session}\">\
             <input type=\"hidden\" name=\"link\" value=\"{token}\">\
             <label for=\"amount\">Amount (USD)</label>\
             <input id=\"amount\" name=\"amount\" inputmode=\"decimal\" value=\"{amount}\" required>\
             <button type=\"submit\">Pay</button>\
             </form>",
            description = escape(description),
            session = escape(session_id),
            token = escape(token),
            amount = escape(amount),
        ),
    )
}

fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Link not found",
        "<h1>This payment link is not valid</h1>\
         <p>It may have been mistyped or is no longer active. \
         Please contact your DJ for a new link.</p>",
    )
}

/// The provider (or we) failed; retrying in a minute may work. `no-store` keeps the failure
/// from being cached, so a reload really tries again.
fn unavailable() -> Response {
    page(
        StatusCode::BAD_GATEWAY,
        "Please try again",
        "<h1>We could not open the payment page</h1>\
         <p>The payment service did not respond. Please try again in a minute.</p>",
    )
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{title}</title><style>{PAGE_STYLE}</style></head><body>{body}</body></html>",
        title = escape(title),
    );
    let mut response = private((status, Html(html)).into_response());
    if let Ok(csp) = HeaderValue::from_str(page_csp()) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// The payment pages' one stylesheet, inline (they are the only pages outside the dashboards).
const PAGE_STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}\
     .note{color:#666;font-size:.9rem}.error{color:#b00}\
     label,input,button{display:block;font-size:1rem;margin:.5rem 0}\
     input{padding:.5rem;width:100%;box-sizing:border-box}\
     button,.button{padding:.6rem 1.2rem;background:#222;color:#fff;border:0;border-radius:4px;text-decoration:none;display:inline-block}";

/// The pages' policy: the dashboards' one, with the inline stylesheet allowed by its hash.
fn page_csp() -> &'static str {
    static CSP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSP.get_or_init(|| {
        use base64::Engine as _;
        use sha2::{Digest, Sha256};
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(PAGE_STYLE));
        crate::security_headers::PAGE_CSP.replace(
            "style-src 'self'",
            &format!("style-src 'self' 'sha256-{hash}'"),
        )
    })
}

fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex"),
    );
    response
}

/// The first value of `name` in a URL-encoded query or form.
fn param(encoded: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(encoded.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
