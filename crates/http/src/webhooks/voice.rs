//! Twilio's voice webhooks (SPEC §4): incoming call → forward with a whisper, dial status →
//! hang up or voicemail, and the status, recording and transcription callbacks. Each handler
//! hands the typed event telephony made of the webhook to the app and renders the app's
//! `CallDecision` as TwiML; nothing here knows Twilio's vocabulary or the call flow's rules.

use super::TwilioForm;
use super::documented::{Signer, webhook};
use crate::state::HttpState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use djcalls_domain::voice::CallDecision;
use djcalls_telephony::events::CallCallback;
use djcalls_telephony::webhooks::{
    CallStatusCallback, DialAction, GatherDigits, IncomingCall, RecordingStatusCallback, Signed,
    TranscriptionCallback,
};
use djcalls_telephony::{
    RealtimeTranscriptionCallback, Webhook, call_flow_twiml, paths, twiml, whisper_answer,
    whisper_prompt,
};
use utoipa_axum::router::OpenApiRouter;

pub fn routes(router: OpenApiRouter<HttpState>) -> OpenApiRouter<HttpState> {
    [
        (
            paths::CALL_INCOMING,
            "Twilio: a call to a virtual number",
            post(incoming),
        ),
        (
            paths::CALL_DIAL_STATUS,
            "Twilio: the forwarded leg ended (`<Dial action>`)",
            post(dial_status),
        ),
        (
            paths::CALL_STATUS,
            "Twilio: call status callback",
            post(callback::<CallStatusCallback>),
        ),
        (
            paths::CALL_VOICEMAIL,
            "Twilio: voicemail transcription callback",
            post(callback::<TranscriptionCallback>),
        ),
        (
            paths::CALL_RECORDING,
            "Twilio: recording status callback",
            post(callback::<RecordingStatusCallback>),
        ),
        (
            paths::CALL_TRANSCRIPTION,
            "Twilio: Real-Time Transcription status callback (a segment of an answered call)",
            post(transcription),
        ),
        (
            paths::VOICEMAIL_COMPLETE,
            "Twilio: the voicemail recording finished",
            post(voicemail_complete),
        ),
        (
            paths::WHISPER,
            "Twilio: what the DJ hears on pickup",
            post(whisper),
        ),
        (
            paths::WHISPER_ANSWER,
            "Twilio: the DJ's key press after the whisper",
            post(whisper_accept),
        ),
    ]
    .into_iter()
    .fold(router, |router, (path, summary, route)| {
        webhook(router, path, summary, Signer::Twilio, route)
    })
}

fn xml(response: twiml::Response) -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        response.to_xml(),
    )
        .into_response()
}

/// The delivery could be neither recorded nor spooled (see `twilio_failed`).
fn failed(e: djcalls_app::AppError) -> Response {
    super::twilio_failed("voice", e)
}

fn base_url(state: &HttpState) -> &str {
    state.app.public_base_url()
}

/// The decision as TwiML, or 500 when the app failed to decide.
fn answer(state: &HttpState, decision: Result<CallDecision, djcalls_app::AppError>) -> Response {
    match decision {
        Ok(decision) => xml(call_flow_twiml(&decision, base_url(state))),
        Err(e) => failed(e),
    }
}

async fn incoming(State(state): State<HttpState>, form: TwilioForm<IncomingCall>) -> Response {
    let call = form.webhook;
    let Some(event) = call.event() else {
        return answer(&state, Ok(CallDecision::not_in_service()));
    };
    let decision = state
        .app
        .incoming_call(&call.call_sid, &form.delivery_key, event)
        .await;
    answer(&state, decision)
}

async fn dial_status(State(state): State<HttpState>, form: TwilioForm<DialAction>) -> Response {
    let dial = form.webhook;
    let decision = state
        .app
        .dial_finished(
            &dial.call_sid,
            &form.delivery_key,
            dial.dial_event(),
            dial.to.as_ref().map(|to| to.as_str()),
        )
        .await;
    answer(&state, decision)
}

async fn voicemail_complete(
    State(state): State<HttpState>,
    form: TwilioForm<DialAction>,
) -> Response {
    let done = form.webhook;
    let decision = state
        .app
        .voicemail_complete(&done.call_sid, &form.delivery_key, done.voicemail_event())
        .await;
    answer(&state, decision)
}

/// The status, recording and transcription callbacks: record what they say, answer 204.
async fn callback<W: Webhook + CallCallback + Send>(
    State(state): State<HttpState>,
    form: TwilioForm<W>,
) -> Response {
    let Some(event) = form.webhook.voice_event() else {
        return StatusCode::NO_CONTENT.into_response();
    };
    match state
        .app
        .voice_event(form.webhook.call_sid(), &form.delivery_key, event)
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failed(e),
    }
}

/// What the DJ hears on pickup: a DJ Dash lead, press 1 to accept (a carrier voicemail that
/// picks up never presses 1, so it never counts as answered).
async fn whisper(State(state): State<HttpState>, _form: TwilioForm<Signed>) -> Response {
    xml(whisper_prompt(&format!(
        "{}{}",
        base_url(&state),
        paths::WHISPER_ANSWER
    )))
}

async fn whisper_accept(form: TwilioForm<GatherDigits>) -> Response {
    xml(whisper_answer(form.webhook.digits.as_deref()))
}

/// Real-Time Transcription (SPEC §12): a final segment is recorded (a malformed
/// `TranscriptionData` was already refused with 400 by the extractor);
/// `transcription-started`/`-stopped`/`-error` mark whether it runs (the follow-up waits for
/// insights while it does); partial results are accepted and change nothing.
async fn transcription(
    State(state): State<HttpState>,
    form: TwilioForm<RealtimeTranscriptionCallback>,
) -> Response {
    if let Some(lifecycle) = form.webhook.lifecycle() {
        return match state
            .app
            .live_transcription(&form.webhook.call_sid, lifecycle)
            .await
        {
            Ok(()) => StatusCode::OK.into_response(),
            Err(e) => failed(e),
        };
    }
    let Some(segment) = form.webhook.final_segment() else {
        return StatusCode::OK.into_response();
    };
    match state
        .app
        .transcript_segment(&form.webhook.call_sid, &segment)
        .await
    {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => failed(e),
    }
}
