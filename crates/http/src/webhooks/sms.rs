//! Twilio SMS webhooks: inbound messages (STOP/START/HELP) and message status callbacks.
//! Both are signature-checked (`TwilioForm`); failures answer a bare status.

use super::TwilioForm;
use crate::state::HttpState;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use djcalls_app::sms::{InboundSms, SmsReply};
use djcalls_telephony::paths;
use djcalls_telephony::webhooks::{IncomingSms, SmsStatusCallback};

pub fn router() -> Router<HttpState> {
    Router::new()
        .route(paths::SMS_INCOMING, post(incoming))
        .route(paths::SMS_STATUS, post(status))
}

fn failed(e: djcalls_app::AppError) -> Response {
    tracing::error!(error = %e, "SMS webhook failed");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// TwiML for an inbound text: nothing, or one reply message.
fn twiml(reply: &SmsReply) -> Response {
    let mut xml = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    match reply {
        SmsReply::Nothing => xml.push_str("<Response/>"),
        SmsReply::Message(text) => {
            xml.push_str("<Response><Message>");
            xml.push_str(&escape(text));
            xml.push_str("</Message></Response>");
        }
    }
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], xml).into_response()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

async fn incoming(State(state): State<HttpState>, form: TwilioForm) -> Response {
    let sms: IncomingSms = match form.parse() {
        Ok(sms) => sms,
        Err(status) => return status.into_response(),
    };
    let inbound = InboundSms {
        message_sid: &sms.message_sid,
        from: sms.from.as_str(),
        to: sms.to.as_str(),
        body: sms.body_text(),
    };
    match state.app.inbound_sms(&inbound).await {
        Ok(reply) => twiml(&reply),
        Err(e) => failed(e),
    }
}

async fn status(State(state): State<HttpState>, form: TwilioForm) -> Response {
    let callback: SmsStatusCallback = match form.parse() {
        Ok(callback) => callback,
        Err(status) => return status.into_response(),
    };
    let result = state
        .app
        .sms_status(
            &callback.message_sid,
            callback.status().map(|s| s.as_str()),
            callback.error_code,
            callback.to.as_ref().map(|a| a.as_str()),
            callback.from.as_ref().map(|a| a.as_str()),
        )
        .await;
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_escaped_twiml() {
        assert_eq!(escape("Msg & data <rates>"), "Msg &amp; data &lt;rates&gt;");
    }
}
