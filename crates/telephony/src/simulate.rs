//! The signed webhook sequence Twilio would send for one inbound call, built for
//! `djcalls simulate call` and tests, and a sender that posts it to a running server.

use crate::client::DEFAULT_API_BASE_URL;
use crate::error::TwilioError;
use crate::paths;
use crate::sids::{AccountSid, CallSid, RecordingSid};
use crate::signature::{SIGNATURE_HEADER, compute_signature};
use crate::simulate_transcription;
use djcalls_domain::PhoneNumber;
use djcalls_domain::transcript::TranscriptLine;

/// How the simulated call ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// The DJ picks up and talks for `talk_secs`.
    Answered,
    /// Nobody answers and the caller hangs up at the voicemail prompt.
    Missed,
    /// Nobody answers and the caller leaves a voicemail of `voicemail_secs`.
    Voicemail,
    /// The DJ's line is busy; the caller hangs up at the voicemail prompt.
    Busy,
}

/// One inbound call to simulate. Build with [`CallScenario::new`], then adjust the fields.
#[derive(Debug, Clone)]
pub struct CallScenario {
    pub outcome: CallOutcome,
    pub caller: PhoneNumber,
    /// The virtual number that was called.
    pub to: PhoneNumber,
    pub ring_secs: u32,
    pub talk_secs: u32,
    pub voicemail_secs: u32,
    pub transcript: String,
    /// The conversation of an answered call, posted as Real-Time Transcription callbacks
    /// while the call is bridged (none when empty).
    pub conversation: Vec<TranscriptLine>,
    pub call_sid: CallSid,
    pub account_sid: AccountSid,
    /// Where Twilio keeps recordings (`RecordingUrl` points under it).
    pub twilio_api_base_url: String,
}

/// One form POST Twilio would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    pub path: &'static str,
    pub params: Vec<(String, String)>,
}

pub const SIMULATED_ACCOUNT_SID: &str = "AC00000000000000000000000000000000";

pub const DEFAULT_TRANSCRIPT: &str = "Hi, I'm planning a wedding on June 14th and wanted to check your availability. Please call me back.";

impl CallScenario {
    /// Sensible defaults: 8 s of ringing, 95 s of talk, a 20 s voicemail, a fresh call SID.
    pub fn new(outcome: CallOutcome, caller: PhoneNumber, to: PhoneNumber) -> Self {
        Self {
            outcome,
            caller,
            to,
            ring_secs: 8,
            talk_secs: 95,
            voicemail_secs: 20,
            transcript: DEFAULT_TRANSCRIPT.to_owned(),
            conversation: Vec::new(),
            call_sid: CallSid::generate(),
            // A fixed, obviously fake account; set the real one when the server checks it.
            account_sid: AccountSid::parse(SIMULATED_ACCOUNT_SID)
                .unwrap_or_else(AccountSid::generate),
            twilio_api_base_url: DEFAULT_API_BASE_URL.to_owned(),
        }
    }

    /// Seconds the DJ was connected (0 unless answered).
    pub fn talk_secs(&self) -> u32 {
        match self.outcome {
            CallOutcome::Answered => self.talk_secs,
            _ => 0,
        }
    }

    /// The caller's whole call: ringing, plus talk or the voicemail they left.
    pub fn call_duration_secs(&self) -> u32 {
        let after_ring = match self.outcome {
            CallOutcome::Answered => self.talk_secs,
            CallOutcome::Voicemail => self.voicemail_secs,
            CallOutcome::Missed | CallOutcome::Busy => 0,
        };
        self.ring_secs + after_ring
    }

    /// The deliveries in Twilio's order: incoming, dial action, recording/transcription
    /// callbacks, and the final status callback. The call SID is the scenario's; the dial-leg,
    /// recording and transcription SIDs are fresh on every call of this method.
    pub fn deliveries(&self) -> Vec<WebhookDelivery> {
        let mut out = vec![self.delivery(paths::CALL_INCOMING, "ringing", &[])];
        if self.outcome == CallOutcome::Answered && !self.conversation.is_empty() {
            // Twilio transcribes while the call is bridged, before `<Dial action>` fires.
            for params in simulate_transcription::transcription_params(&self.conversation) {
                out.push(self.delivery(simulate_transcription::PATH, "in-progress", &params));
            }
        }

        let (dial_status, dial_secs, bridged) = match self.outcome {
            CallOutcome::Answered => ("completed", self.talk_secs, "true"),
            CallOutcome::Busy => ("busy", 0, "false"),
            CallOutcome::Missed | CallOutcome::Voicemail => ("no-answer", 0, "false"),
        };
        let dial_call_sid = CallSid::generate();
        out.push(self.delivery(
            paths::CALL_DIAL_STATUS,
            "in-progress",
            &[
                ("DialCallStatus", dial_status.to_owned()),
                ("DialCallSid", dial_call_sid.to_string()),
                ("DialCallDuration", dial_secs.to_string()),
                ("DialBridged", bridged.to_owned()),
            ],
        ));

        match self.outcome {
            CallOutcome::Answered => {
                let recording = self.recording_params(self.talk_secs);
                let mut extra = recording.clone();
                extra.extend(recording_status_params(2, "DialVerb"));
                out.push(self.delivery(paths::CALL_RECORDING, "completed", &extra));
            }
            CallOutcome::Voicemail => {
                let recording = self.recording_params(self.voicemail_secs);
                let mut extra = recording.clone();
                extra.extend(recording_status_params(1, "RecordVerb"));
                out.push(self.delivery(paths::CALL_RECORDING, "completed", &extra));

                let mut transcription = recording;
                transcription.extend([
                    (
                        "TranscriptionSid",
                        format!("TR{}", uuid::Uuid::new_v4().simple()),
                    ),
                    ("TranscriptionText", self.transcript.clone()),
                    ("TranscriptionStatus", "completed".to_owned()),
                    ("TranscriptionType", "fast".to_owned()),
                ]);
                out.push(self.delivery(paths::CALL_VOICEMAIL, "completed", &transcription));
            }
            CallOutcome::Missed | CallOutcome::Busy => {}
        }

        out.push(self.delivery(
            paths::CALL_STATUS,
            "completed",
            &[
                ("CallDuration", self.call_duration_secs().to_string()),
                ("CallbackSource", "call-progress-events".to_owned()),
                ("SequenceNumber", "0".to_owned()),
            ],
        ));
        out
    }

    /// `RecordingSid`, `RecordingUrl` and `RecordingDuration` of a fresh recording.
    fn recording_params(&self, duration_secs: u32) -> Vec<(&'static str, String)> {
        let sid = RecordingSid::generate();
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Recordings/{sid}",
            self.twilio_api_base_url.trim_end_matches('/'),
            self.account_sid
        );
        vec![
            ("RecordingSid", sid.to_string()),
            ("RecordingUrl", url),
            ("RecordingDuration", duration_secs.to_string()),
        ]
    }

    /// The parameters Twilio puts on every voice webhook, plus `extra`.
    fn delivery(
        &self,
        path: &'static str,
        call_status: &str,
        extra: &[(&'static str, String)],
    ) -> WebhookDelivery {
        let mut params: Vec<(String, String)> = [
            ("AccountSid", self.account_sid.as_str()),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", self.call_sid.as_str()),
            ("CallStatus", call_status),
            ("Called", self.to.as_str()),
            ("Caller", self.caller.as_str()),
            ("Direction", "inbound"),
            ("From", self.caller.as_str()),
            ("To", self.to.as_str()),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        params.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        WebhookDelivery { path, params }
    }
}

fn recording_status_params(channels: u32, source: &str) -> Vec<(&'static str, String)> {
    vec![
        ("RecordingStatus", "completed".to_owned()),
        ("RecordingChannels", channels.to_string()),
        ("RecordingSource", source.to_owned()),
    ]
}

/// POSTs each delivery to `base_url` + its path, in order, signed with `auth_token` as Twilio
/// would sign it. Returns each path with the HTTP status our server answered; a non-2xx
/// answer does not stop the sequence (Twilio does not stop either).
pub async fn deliver(
    base_url: &str,
    auth_token: &str,
    deliveries: &[WebhookDelivery],
) -> Result<Vec<(&'static str, u16)>, TwilioError> {
    deliver_to(base_url, base_url, auth_token, deliveries).await
}

/// [`deliver`], posting to `server_base_url` but signing over `public_base_url` + path, for a
/// server that checks signatures against a `PUBLIC_BASE_URL` other than the address the
/// simulator reaches it at (behind a proxy, or `localhost` versus `127.0.0.1`).
pub async fn deliver_to(
    server_base_url: &str,
    public_base_url: &str,
    auth_token: &str,
    deliveries: &[WebhookDelivery],
) -> Result<Vec<(&'static str, u16)>, TwilioError> {
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .user_agent("TwilioProxy/1.1")
        .build()
        .map_err(|e| TwilioError::Config(format!("HTTP client: {e}")))?;
    let server_base = server_base_url.trim_end_matches('/');
    let public_base = public_base_url.trim_end_matches('/');
    let mut answers = Vec::with_capacity(deliveries.len());
    for delivery in deliveries {
        let signed_url = format!("{public_base}{}", delivery.path);
        let signature = compute_signature(auth_token, &signed_url, &delivery.params);
        let response = http
            .post(format!("{server_base}{}", delivery.path))
            .header(SIGNATURE_HEADER, signature)
            .form(&delivery.params)
            .send()
            .await
            .map_err(TwilioError::from_reqwest)?;
        let status = response.status().as_u16();
        tracing::info!(
            path = delivery.path,
            status,
            "delivered simulated Twilio webhook"
        );
        answers.push((delivery.path, status));
    }
    Ok(answers)
}

#[cfg(test)]
#[path = "simulate_tests.rs"]
mod tests;
