//! The `Telephony` trait the app depends on, and its implementation by the real Twilio client.

use crate::client::{
    CallLogEntry, CallLogQuery, OwnedNumber, RecordingAudio, TwilioClient, check_area_code,
};
use crate::error::TwilioError;
use crate::paths::NumberUrls;
use crate::sids::{MessageSid, NumberSid, RecordingSid};
use djcalls_domain::PhoneNumber;

/// How many candidates a number purchase looks at before giving up on an area code.
const PURCHASE_CANDIDATES: u32 = 5;

/// Everything the app asks of a telephony provider. Inject as `Arc<dyn Telephony>`.
#[async_trait::async_trait]
pub trait Telephony: Send + Sync {
    async fn send_sms(
        &self,
        from: &PhoneNumber,
        to: &PhoneNumber,
        body: &str,
        status_callback: Option<&str>,
    ) -> Result<MessageSid, TwilioError>;

    /// Searches `area_code` (US local numbers) and buys one, configured with `urls`.
    /// [`TwilioError::NoNumbersAvailable`] when the area code has none.
    async fn acquire_number(
        &self,
        area_code: &str,
        urls: &NumberUrls,
    ) -> Result<OwnedNumber, TwilioError>;

    /// Points the number's webhooks (and fallback) at `urls`; `phone_number` is the number
    /// `sid` stands for (its fallback file is named after it).
    async fn configure_number(
        &self,
        sid: &NumberSid,
        phone_number: &PhoneNumber,
        urls: &NumberUrls,
    ) -> Result<(), TwilioError>;

    /// The account's call log matching `query` (every page).
    async fn list_calls(&self, query: &CallLogQuery) -> Result<Vec<CallLogEntry>, TwilioError>;

    async fn release_number(&self, sid: &NumberSid) -> Result<(), TwilioError>;

    async fn fetch_recording(&self, sid: &RecordingSid) -> Result<RecordingAudio, TwilioError>;

    /// Turns Twilio's caller-name lookup (`VoiceCallerIdLookup`, billed per call) on or off
    /// for a number. The simulator has nothing to turn.
    async fn set_caller_name_lookup(
        &self,
        sid: &NumberSid,
        enabled: bool,
    ) -> Result<(), TwilioError> {
        let _ = (sid, enabled);
        Ok(())
    }
}

#[async_trait::async_trait]
impl Telephony for TwilioClient {
    async fn send_sms(
        &self,
        from: &PhoneNumber,
        to: &PhoneNumber,
        body: &str,
        status_callback: Option<&str>,
    ) -> Result<MessageSid, TwilioError> {
        TwilioClient::send_sms(self, from, to, body, status_callback).await
    }

    async fn acquire_number(
        &self,
        area_code: &str,
        urls: &NumberUrls,
    ) -> Result<OwnedNumber, TwilioError> {
        check_area_code(area_code)?;
        let candidates = self
            .search_local_numbers("US", area_code, PURCHASE_CANDIDATES)
            .await?;
        let mut last_refusal = None;
        for candidate in candidates {
            match self.buy_number(&candidate.phone_number, urls).await {
                Ok(owned) => return Ok(owned),
                // Someone else bought it between search and purchase: try the next one.
                Err(e @ TwilioError::Rejected { .. }) => {
                    tracing::warn!(number = %candidate.phone_number.masked(), error = %e, "number purchase refused; trying the next candidate");
                    last_refusal = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(
            last_refusal.unwrap_or_else(|| TwilioError::NoNumbersAvailable {
                area_code: area_code.to_owned(),
            }),
        )
    }

    async fn configure_number(
        &self,
        sid: &NumberSid,
        phone_number: &PhoneNumber,
        urls: &NumberUrls,
    ) -> Result<(), TwilioError> {
        TwilioClient::configure_number(self, sid, phone_number, urls).await
    }

    async fn list_calls(&self, query: &CallLogQuery) -> Result<Vec<CallLogEntry>, TwilioError> {
        TwilioClient::list_calls(self, query).await
    }

    async fn release_number(&self, sid: &NumberSid) -> Result<(), TwilioError> {
        TwilioClient::release_number(self, sid).await
    }

    async fn fetch_recording(&self, sid: &RecordingSid) -> Result<RecordingAudio, TwilioError> {
        TwilioClient::fetch_recording(self, sid).await
    }

    async fn set_caller_name_lookup(
        &self,
        sid: &NumberSid,
        enabled: bool,
    ) -> Result<(), TwilioError> {
        TwilioClient::set_caller_name_lookup(self, sid, enabled).await
    }
}
