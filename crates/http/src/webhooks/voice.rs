//! Twilio's voice webhooks (SPEC §4): incoming call → forward with a whisper, dial status →
//! hang up or voicemail, and the status, recording and transcription callbacks.

use super::TwilioForm;
use crate::state::HttpState;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use djcalls_app::voice::{DialDecision, IncomingDecision};
use djcalls_domain::voice::VoiceEvent;
use djcalls_telephony::paths;
use djcalls_telephony::twiml::{self, Dial, DialRecording, Method, Number, Record, Say};
use djcalls_telephony::webhooks::{
    CallStatusCallback, DialAction, IncomingCall, RecordingStatusCallback, TranscriptionCallback,
};
use djcalls_telephony::{whisper_answer, whisper_prompt};

/// Paths of ours that only TwiML we hand out points to (not in the number's configuration).
pub const WHISPER: &str = "/api/djdash/calls/whisper";
pub const WHISPER_ANSWER: &str = "/api/djdash/calls/whisper-answer";
pub const VOICEMAIL_COMPLETE: &str = "/api/djdash/calls/voicemail-complete";

/// Seconds the DJ's phone rings before the caller is offered voicemail.
const RING_TIMEOUT_SECS: u32 = 20;
/// The longest voicemail.
const VOICEMAIL_MAX_SECS: u32 = 120;

pub fn router() -> Router<HttpState> {
    Router::new()
        .route(paths::CALL_INCOMING, post(incoming))
        .route(paths::CALL_DIAL_STATUS, post(dial_status))
        .route(paths::CALL_STATUS, post(status_callback))
        .route(paths::CALL_VOICEMAIL, post(transcription))
        .route(paths::CALL_RECORDING, post(recording))
        .route(VOICEMAIL_COMPLETE, post(voicemail_complete))
        .route(WHISPER, post(whisper))
        .route(WHISPER_ANSWER, post(whisper_accept))
}

fn xml(response: twiml::Response) -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        response.to_xml(),
    )
        .into_response()
}

/// The app failed (database down…): 500 so Twilio logs it; the caller hears Twilio's fallback.
fn failed(e: djcalls_app::AppError) -> Response {
    tracing::error!(error = %e, "voice webhook failed");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

fn url(state: &HttpState, path: &str) -> String {
    format!("{}{path}", state.app.public_base_url())
}

async fn incoming(State(state): State<HttpState>, form: TwilioForm) -> Response {
    let call: IncomingCall = match form.parse() {
        Ok(call) => call,
        Err(status) => return status.into_response(),
    };
    let Some(virtual_number) = call.to.phone_number() else {
        return xml(not_in_service());
    };
    let event = VoiceEvent::Incoming {
        caller: call.from.phone_number().map(|n| n.as_str().to_string()),
        virtual_number: virtual_number.as_str().to_string(),
        caller_name: call.caller_name.map(|n| n.into_string()),
    };
    match state
        .app
        .incoming_call(&call.call_sid, &form.delivery_key, event)
        .await
    {
        Ok(IncomingDecision::Forward {
            dj_name,
            dj_number,
            virtual_number,
            record,
        }) => xml(forward(
            &state,
            &dj_name,
            dj_number.as_str(),
            virtual_number.as_str(),
            record,
        )),
        Ok(IncomingDecision::NotInService) => xml(not_in_service()),
        Err(e) => failed(e),
    }
}

/// The TwiML that connects a caller to the DJ.
pub fn forward(
    state: &HttpState,
    dj_name: &str,
    dj_number: &str,
    virtual_number: &str,
    record: bool,
) -> twiml::Response {
    let mut response = twiml::Response::new();
    if record {
        response = response.say(Say::new("This call may be recorded for quality purposes."));
    }
    response
        .say(Say::new(format!(
            "Thanks for calling {dj_name} through DJ Dash. Connecting you now."
        )))
        .dial(Dial {
            action: Some(url(state, paths::CALL_DIAL_STATUS)),
            method: Some(Method::Post),
            timeout_secs: Some(RING_TIMEOUT_SECS),
            caller_id: Some(virtual_number.to_string()),
            record: record.then_some(DialRecording::RecordFromAnswerDual),
            recording_status_callback: record.then(|| url(state, paths::CALL_RECORDING)),
            recording_status_callback_event: record.then(|| "completed".to_string()),
            answer_on_bridge: Some(true),
            numbers: vec![Number::new(dj_number).whisper_url(url(state, WHISPER))],
        })
}

fn not_in_service() -> twiml::Response {
    twiml::Response::new()
        .say(Say::new(
            "Sorry, the number you called is not in service. Please find the DJ again on DJ Dash. Goodbye.",
        ))
        .hangup()
}

async fn dial_status(State(state): State<HttpState>, form: TwilioForm) -> Response {
    let dial: DialAction = match form.parse() {
        Ok(dial) => dial,
        Err(status) => return status.into_response(),
    };
    let event = VoiceEvent::Dial {
        status: dial
            .dial_call_status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "no-answer".to_string()),
        duration_secs: dial.dial_call_duration_secs,
        bridged: dial.dial_bridged,
    };
    match state
        .app
        .dial_finished(&dial.call_sid, &form.delivery_key, event)
        .await
    {
        Ok(DialDecision::Hangup) => xml(twiml::Response::new().hangup()),
        Ok(DialDecision::Voicemail { dj_name }) => xml(voicemail_prompt(&state, &dj_name)),
        Err(e) => failed(e),
    }
}

/// A prompt and `<Record>`; its own `action` ends the call, so the prompt never loops.
fn voicemail_prompt(state: &HttpState, dj_name: &str) -> twiml::Response {
    twiml::Response::new()
        .say(Say::new(format!(
            "Sorry, {dj_name} can't take your call right now. Please leave your name, your event date and a message after the tone."
        )))
        .record(Record {
            action: Some(url(state, VOICEMAIL_COMPLETE)),
            method: Some(Method::Post),
            max_length_secs: Some(VOICEMAIL_MAX_SECS),
            play_beep: Some(true),
            transcribe: Some(true),
            transcribe_callback: Some(url(state, paths::CALL_VOICEMAIL)),
            recording_status_callback: Some(url(state, paths::CALL_RECORDING)),
            timeout_secs: Some(5),
            finish_on_key: None,
        })
        .say(Say::new("We didn't get a message. Goodbye."))
        .hangup()
}

async fn voicemail_complete(State(state): State<HttpState>, form: TwilioForm) -> Response {
    let done: DialAction = match form.parse() {
        Ok(done) => done,
        Err(status) => return status.into_response(),
    };
    if let Some(sid) = done.recording_sid.clone() {
        let event = VoiceEvent::Recording {
            sid,
            duration_secs: done.recording_duration_secs,
            voicemail: true,
        };
        if let Err(e) = state
            .app
            .voice_event(&done.call_sid, &form.delivery_key, event)
            .await
        {
            return failed(e);
        }
    }
    xml(twiml::Response::new()
        .say(Say::new("Thank you. Your message has been sent. Goodbye."))
        .hangup())
}

async fn status_callback(State(state): State<HttpState>, form: TwilioForm) -> Response {
    let callback: CallStatusCallback = match form.parse() {
        Ok(callback) => callback,
        Err(status) => return status.into_response(),
    };
    let Some(status) = callback.call_status.map(|s| s.to_string()) else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let event = VoiceEvent::Status {
        status,
        duration_secs: callback.call_duration_secs,
    };
    acknowledge(
        state
            .app
            .voice_event(&callback.call_sid, &form.delivery_key, event)
            .await,
    )
}

async fn recording(State(state): State<HttpState>, form: TwilioForm) -> Response {
    let callback: RecordingStatusCallback = match form.parse() {
        Ok(callback) => callback,
        Err(status) => return status.into_response(),
    };
    let completed = callback
        .recording_status
        .as_ref()
        .is_none_or(|s| s.to_string() == "completed");
    if !completed {
        return StatusCode::NO_CONTENT.into_response();
    }
    let event = VoiceEvent::Recording {
        sid: callback.recording_sid,
        duration_secs: callback.recording_duration_secs,
        voicemail: callback.recording_source.as_deref() == Some("RecordVerb"),
    };
    acknowledge(
        state
            .app
            .voice_event(&callback.call_sid, &form.delivery_key, event)
            .await,
    )
}

async fn transcription(State(state): State<HttpState>, form: TwilioForm) -> Response {
    let callback: TranscriptionCallback = match form.parse() {
        Ok(callback) => callback,
        Err(status) => return status.into_response(),
    };
    let event = VoiceEvent::Transcription {
        recording_sid: callback.recording_sid,
        status: callback
            .transcription_status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "failed".to_string()),
        text: callback.transcription_text.map(|t| t.into_string()),
    };
    acknowledge(
        state
            .app
            .voice_event(&callback.call_sid, &form.delivery_key, event)
            .await,
    )
}

fn acknowledge<T>(result: Result<T, djcalls_app::AppError>) -> Response {
    match result {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failed(e),
    }
}

/// What the DJ hears on pickup: a DJ Dash lead, press 1 to accept (a carrier voicemail that
/// picks up never presses 1, so it never counts as answered).
async fn whisper(State(state): State<HttpState>, _form: TwilioForm) -> Response {
    xml(whisper_prompt(&url(&state, WHISPER_ANSWER)))
}

async fn whisper_accept(form: TwilioForm) -> Response {
    let digits = form
        .params
        .iter()
        .find(|(k, _)| k == "Digits")
        .map(|(_, v)| v.as_str());
    xml(whisper_answer(digits))
}
