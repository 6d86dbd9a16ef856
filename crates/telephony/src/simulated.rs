//! `SimulatedTelephony`: the `Telephony` trait without Twilio. Numbers come from the fictional
//! 555-01XX range, texts stay in memory for the demo and tests, recordings are silence.

use crate::client::{CallLogEntry, CallLogQuery, OwnedNumber, RecordingAudio, check_area_code};
use crate::error::TwilioError;
use crate::paths::NumberUrls;
use crate::provider::Telephony;
use crate::sids::{MessageSid, NumberSid, RecordingSid};
use djcalls_domain::PhoneNumber;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A text the simulator "sent". `Debug` masks the numbers and hides the body.
#[derive(Clone, PartialEq, Eq)]
pub struct SentSms {
    pub sid: MessageSid,
    pub from: PhoneNumber,
    pub to: PhoneNumber,
    pub body: String,
    pub status_callback: Option<String>,
}

impl std::fmt::Debug for SentSms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentSms")
            .field("sid", &self.sid)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("body_chars", &self.body.chars().count())
            .finish()
    }
}

#[derive(Default)]
struct State {
    owned: BTreeMap<NumberSid, (PhoneNumber, NumberUrls)>,
    /// Numbers never to hand out: owned now, released earlier, or reserved by the caller.
    taken: BTreeSet<PhoneNumber>,
    opted_out: BTreeSet<PhoneNumber>,
    sent: Vec<SentSms>,
    /// Errors the next `send_sms` calls return, in order (failure injection for tests).
    send_failures: VecDeque<TwilioError>,
}

#[derive(Default)]
pub struct SimulatedTelephony {
    state: Mutex<State>,
}

impl SimulatedTelephony {
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks numbers as already in use (e.g. already in our pool from an earlier run), so the
    /// simulator never hands them out again.
    pub fn reserve_numbers(&self, numbers: impl IntoIterator<Item = PhoneNumber>) {
        self.state().taken.extend(numbers);
    }

    /// Makes later texts to `number` fail as Twilio does after the recipient replied STOP.
    pub fn simulate_opt_out(&self, number: &PhoneNumber) {
        self.state().opted_out.insert(number.clone());
    }

    /// Makes the next `send_sms` calls fail with `errors`, one each, in order (nothing is
    /// sent for them); later calls behave normally again.
    pub fn fail_next_sends(&self, errors: impl IntoIterator<Item = TwilioError>) {
        self.state().send_failures.extend(errors);
    }

    /// Every text "sent" so far, oldest first.
    pub fn sent_messages(&self) -> Vec<SentSms> {
        self.state().sent.clone()
    }

    /// Numbers currently owned, with the webhook URLs they are configured with.
    pub fn owned_numbers(&self) -> Vec<(OwnedNumber, NumberUrls)> {
        self.state()
            .owned
            .iter()
            .map(|(sid, (phone_number, urls))| {
                let owned = OwnedNumber {
                    sid: sid.clone(),
                    phone_number: phone_number.clone(),
                };
                (owned, urls.clone())
            })
            .collect()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every update below is a single insert or push, so a panic elsewhere cannot leave the
        // state half-written; carrying on after poisoning is safe.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait::async_trait]
impl Telephony for SimulatedTelephony {
    async fn send_sms(
        &self,
        from: &PhoneNumber,
        to: &PhoneNumber,
        body: &str,
        status_callback: Option<&str>,
    ) -> Result<MessageSid, TwilioError> {
        let mut state = self.state();
        if let Some(error) = state.send_failures.pop_front() {
            return Err(error);
        }
        if state.opted_out.contains(to) {
            return Err(TwilioError::OptedOut);
        }
        let sid = MessageSid::generate();
        state.sent.push(SentSms {
            sid: sid.clone(),
            from: from.clone(),
            to: to.clone(),
            body: body.to_owned(),
            status_callback: status_callback.map(str::to_owned),
        });
        tracing::info!(to = %to.masked(), message_sid = %sid, "simulated SMS kept in memory, not sent");
        Ok(sid)
    }

    /// The lowest free number of `+1 <area code> 555-0100…0199`.
    async fn acquire_number(
        &self,
        area_code: &str,
        urls: &NumberUrls,
    ) -> Result<OwnedNumber, TwilioError> {
        check_area_code(area_code)?;
        let mut state = self.state();
        let free = (0..100)
            .map(|n| PhoneNumber::from_trusted_e164(format!("+1{area_code}55501{n:02}")))
            .find(|candidate| !state.taken.contains(candidate))
            .ok_or_else(|| TwilioError::NoNumbersAvailable {
                area_code: area_code.to_owned(),
            })?;
        let sid = NumberSid::generate();
        state.taken.insert(free.clone());
        state
            .owned
            .insert(sid.clone(), (free.clone(), urls.clone()));
        tracing::info!(number = %free.masked(), sid = %sid, "simulated number purchase");
        Ok(OwnedNumber {
            sid,
            phone_number: free,
        })
    }

    async fn configure_number(
        &self,
        sid: &NumberSid,
        phone_number: &PhoneNumber,
        urls: &NumberUrls,
    ) -> Result<(), TwilioError> {
        match self.state().owned.get_mut(sid) {
            Some((number, current)) if number == phone_number => {
                *current = urls.clone();
                Ok(())
            }
            // An unknown sid, or one that is not this number: Twilio would not find it.
            _ => Err(TwilioError::NotFound { code: Some(20404) }),
        }
    }

    /// No call ever reaches a simulated number except through our own webhooks, so the
    /// simulated account's call log holds nothing we have not seen.
    async fn list_calls(&self, _query: &CallLogQuery) -> Result<Vec<CallLogEntry>, TwilioError> {
        Ok(Vec::new())
    }

    /// Released numbers stay taken, so one number never comes back under a new SID.
    async fn release_number(&self, sid: &NumberSid) -> Result<(), TwilioError> {
        self.state().owned.remove(sid);
        Ok(())
    }

    async fn fetch_recording(&self, _sid: &RecordingSid) -> Result<RecordingAudio, TwilioError> {
        Ok(RecordingAudio {
            content_type: "audio/wav".to_owned(),
            bytes: silent_wav(SILENCE_SAMPLE_RATE_HZ),
        })
    }
}

const SILENCE_SAMPLE_RATE_HZ: u32 = 8_000;

/// One second of 16-bit mono PCM silence at `sample_rate_hz`, as a complete WAV file.
pub fn silent_wav(sample_rate_hz: u32) -> Vec<u8> {
    const BYTES_PER_SAMPLE: u32 = 2;
    let data_len_bytes = sample_rate_hz * BYTES_PER_SAMPLE;
    let mut wav = Vec::with_capacity(44 + data_len_bytes as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len_bytes).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&sample_rate_hz.to_le_bytes());
    wav.extend_from_slice(&(sample_rate_hz * BYTES_PER_SAMPLE).to_le_bytes()); // byte rate
    wav.extend_from_slice(&(BYTES_PER_SAMPLE as u16).to_le_bytes()); // block align
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len_bytes.to_le_bytes());
    wav.resize(44 + data_len_bytes as usize, 0);
    wav
}

#[cfg(test)]
#[path = "simulated_tests.rs"]
mod tests;
