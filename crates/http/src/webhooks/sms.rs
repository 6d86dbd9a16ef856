//! Twilio SMS webhooks: inbound messages (STOP/START/HELP) and message status callbacks.
//! Both are verified and parsed by `TwilioForm`; failures answer a bare status.

use super::TwilioForm;
use super::documented::{Signer, webhook};
use crate::state::HttpState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use djcalls_app::sms::{InboundSms, SmsReply};
use djcalls_telephony::paths;
use djcalls_telephony::twiml;
use djcalls_telephony::webhooks::{IncomingSms, SmsStatusCallback};
use utoipa_axum::router::OpenApiRouter;

pub fn routes(router: OpenApiRouter<HttpState>) -> OpenApiRouter<HttpState> {
    let router = webhook(
        router,
        paths::SMS_INCOMING,
        "Twilio: a text to a virtual number (STOP, START, HELP, replies)",
        Signer::Twilio,
        post(incoming),
    );
    webhook(
        router,
        paths::SMS_STATUS,
        "Twilio: message status callback",
        Signer::Twilio,
        post(status),
    )
}

fn failed(e: djcalls_app::AppError) -> Response {
    super::twilio_failed("sms", e)
}

/// TwiML for an inbound text: nothing, or one reply message.
fn reply_twiml(reply: &SmsReply) -> Response {
    let response = match reply {
        SmsReply::Nothing => twiml::Response::new(),
        SmsReply::Message(text) => twiml::Response::new().message(text.as_str()),
    };
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        response.to_xml(),
    )
        .into_response()
}

async fn incoming(State(state): State<HttpState>, form: TwilioForm<IncomingSms>) -> Response {
    let sms = form.webhook;
    let inbound = InboundSms {
        message_sid: &sms.message_sid,
        from: sms.from.as_str(),
        to: sms.to.as_str(),
        body: sms.body_text(),
    };
    match state.app.inbound_sms(&inbound).await {
        Ok(reply) => reply_twiml(&reply),
        Err(e) => failed(e),
    }
}

async fn status(State(state): State<HttpState>, form: TwilioForm<SmsStatusCallback>) -> Response {
    match state.app.sms_status(&form.webhook).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failed(e),
    }
}
