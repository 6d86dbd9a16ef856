//! The Twilio REST client: SMS, number search/purchase/configuration/release, recording
//! download and the call log (`calls`), over reqwest with Basic auth against a configurable base URL.

use crate::error::TwilioError;
use crate::paths::NumberUrls;
use crate::sids::{MessageSid, NumberSid, RecordingSid};
use djcalls_domain::PhoneNumber;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

mod calls;
mod types;

pub use calls::{CallLogEntry, CallLogQuery};
pub use types::{AvailableNumber, OwnedNumber, RecordingAudio, TwilioConfig};

pub const DEFAULT_API_BASE_URL: &str = "https://api.twilio.com";
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
const API_VERSION: &str = "2010-04-01";

#[derive(Debug, Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    config: TwilioConfig,
    /// `{base}/2010-04-01/Accounts/{AccountSid}`
    account_url: String,
}

#[derive(Deserialize)]
struct SidOnly {
    sid: String,
}

#[derive(Deserialize)]
struct NumberResource {
    sid: String,
    phone_number: String,
}

#[derive(Deserialize)]
struct AvailableList {
    #[serde(default)]
    available_phone_numbers: Vec<AvailableResource>,
}

#[derive(Deserialize)]
struct AvailableResource {
    phone_number: String,
    friendly_name: Option<String>,
    locality: Option<String>,
    region: Option<String>,
}

impl TwilioClient {
    pub fn new(config: TwilioConfig) -> Result<Self, TwilioError> {
        let sid = &config.account_sid;
        if sid.is_empty() || !sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TwilioError::Config(
                "account SID must be alphanumeric".into(),
            ));
        }
        if config.auth_token.expose_secret().is_empty() {
            return Err(TwilioError::Config("auth token is empty".into()));
        }
        let base = config.api_base_url.trim_end_matches('/');
        url::Url::parse(base)
            .map_err(|e| TwilioError::Config(format!("API base URL is not a URL: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .user_agent(concat!("djcalls/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TwilioError::Config(format!("HTTP client: {e}")))?;
        let account_url = format!("{base}/{API_VERSION}/Accounts/{sid}");
        Ok(Self {
            http,
            config,
            account_url,
        })
    }

    pub fn account_sid(&self) -> &str {
        &self.config.account_sid
    }

    /// Sends one SMS; returns Twilio's message SID.
    pub async fn send_sms(
        &self,
        from: &PhoneNumber,
        to: &PhoneNumber,
        body: &str,
        status_callback: Option<&str>,
    ) -> Result<MessageSid, TwilioError> {
        let mut form = vec![("To", to.as_str()), ("From", from.as_str()), ("Body", body)];
        if let Some(url) = status_callback {
            form.push(("StatusCallback", url));
        }
        let request = self.http.post(self.url("Messages.json")).form(&form);
        let created: SidOnly = self.json(request).await.inspect_err(|e| {
            tracing::warn!(to = %to.masked(), error = %e, "Twilio refused an SMS");
        })?;
        let sid = MessageSid::parse(&created.sid)
            .ok_or_else(|| TwilioError::UnexpectedResponse("message sid".into()))?;
        tracing::info!(to = %to.masked(), message_sid = %sid, "SMS handed to Twilio");
        Ok(sid)
    }

    /// Local numbers for sale in `area_code` that can take voice calls and SMS.
    pub async fn search_local_numbers(
        &self,
        country: &str,
        area_code: &str,
        limit: u32,
    ) -> Result<Vec<AvailableNumber>, TwilioError> {
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(TwilioError::InvalidArgument(
                "country must be ISO 3166 alpha-2".into(),
            ));
        }
        check_area_code(area_code)?;
        let mut url = url::Url::parse(&self.url(&format!(
            "AvailablePhoneNumbers/{}/Local.json",
            country.to_ascii_uppercase()
        )))
        .map_err(|e| TwilioError::Config(e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("AreaCode", area_code)
            .append_pair("VoiceEnabled", "true")
            .append_pair("SmsEnabled", "true")
            .append_pair("PageSize", &limit.clamp(1, 100).to_string());
        let list: AvailableList = self.json(self.http.get(url)).await?;
        Ok(list
            .available_phone_numbers
            .into_iter()
            .filter_map(|n| {
                Some(AvailableNumber {
                    phone_number: twilio_e164(&n.phone_number)?,
                    friendly_name: n.friendly_name,
                    locality: n.locality,
                    region: n.region,
                })
            })
            .collect())
    }

    /// Buys `phone_number` and points its voice, status and SMS webhooks at us.
    pub async fn buy_number(
        &self,
        phone_number: &PhoneNumber,
        urls: &NumberUrls,
    ) -> Result<OwnedNumber, TwilioError> {
        let fallback_url = urls.voice_fallback_url(phone_number);
        let mut form = vec![("PhoneNumber", phone_number.as_str())];
        form.extend(number_params(urls, fallback_url.as_deref()));
        let request = self
            .http
            .post(self.url("IncomingPhoneNumbers.json"))
            .form(&form);
        let bought: NumberResource = self.json(request).await?;
        let owned = owned_number(bought)?;
        tracing::info!(number = %owned.phone_number.masked(), sid = %owned.sid, "bought a Twilio number");
        Ok(owned)
    }

    /// Points an owned number's webhooks (and its fallback, when configured) at `urls`.
    pub async fn configure_number(
        &self,
        sid: &NumberSid,
        phone_number: &PhoneNumber,
        urls: &NumberUrls,
    ) -> Result<(), TwilioError> {
        let fallback_url = urls.voice_fallback_url(phone_number);
        let form = number_params(urls, fallback_url.as_deref());
        self.update_number(sid, &form).await
    }

    /// Turns CNAM caller-name lookup on the number on or off (billed per lookup by Twilio).
    pub async fn set_caller_name_lookup(
        &self,
        sid: &NumberSid,
        enabled: bool,
    ) -> Result<(), TwilioError> {
        let value = if enabled { "true" } else { "false" };
        self.update_number(sid, &[("VoiceCallerIdLookup", value)])
            .await
    }

    /// Gives a number back to Twilio. Already released (404) counts as done, so a retried
    /// release job succeeds.
    pub async fn release_number(&self, sid: &NumberSid) -> Result<(), TwilioError> {
        let request = self
            .http
            .delete(self.url(&format!("IncomingPhoneNumbers/{sid}.json")));
        match self.send(request).await {
            Ok(_) => {}
            Err(TwilioError::NotFound { .. }) => {
                tracing::warn!(sid = %sid, "number was already released");
            }
            Err(e) => return Err(e),
        }
        tracing::info!(sid = %sid, "released a Twilio number");
        Ok(())
    }

    /// Downloads a recording as MP3 with our credentials; its Twilio URL is never handed out.
    pub async fn fetch_recording(&self, sid: &RecordingSid) -> Result<RecordingAudio, TwilioError> {
        let request = self.http.get(self.url(&format!("Recordings/{sid}.mp3")));
        let response = self.send(request).await?;
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("audio/mpeg")
            .to_owned();
        let bytes = response.bytes().await.map_err(TwilioError::from_reqwest)?;
        Ok(RecordingAudio {
            content_type,
            bytes: bytes.to_vec(),
        })
    }

    async fn update_number(
        &self,
        sid: &NumberSid,
        form: &[(&str, &str)],
    ) -> Result<(), TwilioError> {
        let request = self
            .http
            .post(self.url(&format!("IncomingPhoneNumbers/{sid}.json")))
            .form(form);
        self.send(request).await.map(drop)
    }

    fn url(&self, tail: &str) -> String {
        format!("{}/{tail}", self.account_url)
    }

    /// Sends with Basic auth; any non-2xx becomes a classified `TwilioError`.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, TwilioError> {
        let response = request
            .basic_auth(
                &self.config.account_sid,
                Some(self.config.auth_token.expose_secret()),
            )
            .send()
            .await
            .map_err(TwilioError::from_reqwest)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        // A body we cannot read still classifies by status alone.
        let body = response.text().await.unwrap_or_default();
        Err(TwilioError::from_response(status.as_u16(), &body))
    }

    async fn json<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, TwilioError> {
        let bytes = self
            .send(request)
            .await?
            .bytes()
            .await
            .map_err(TwilioError::from_reqwest)?;
        serde_json::from_slice(&bytes).map_err(|e| TwilioError::UnexpectedResponse(e.to_string()))
    }
}

/// IncomingPhoneNumbers parameters for `urls`. The fallback is fetched with GET: it is a static
/// file, and static hosts (object stores, CDNs) commonly refuse POST.
fn number_params<'a>(
    urls: &'a NumberUrls,
    voice_fallback_url: Option<&'a str>,
) -> Vec<(&'static str, &'a str)> {
    let mut params = vec![
        ("VoiceUrl", urls.voice_url.as_str()),
        ("VoiceMethod", "POST"),
        ("StatusCallback", urls.status_callback_url.as_str()),
        ("StatusCallbackMethod", "POST"),
        ("SmsUrl", urls.sms_url.as_str()),
        ("SmsMethod", "POST"),
    ];
    if let Some(url) = voice_fallback_url {
        params.extend([("VoiceFallbackUrl", url), ("VoiceFallbackMethod", "GET")]);
    }
    params
}

fn owned_number(resource: NumberResource) -> Result<OwnedNumber, TwilioError> {
    let sid = NumberSid::parse(&resource.sid)
        .ok_or_else(|| TwilioError::UnexpectedResponse("number sid".into()))?;
    let phone_number = twilio_e164(&resource.phone_number)
        .ok_or_else(|| TwilioError::UnexpectedResponse("phone number".into()))?;
    Ok(OwnedNumber { sid, phone_number })
}

/// A number Twilio reports as E.164. Twilio knows its own numbers better than our copy of the
/// numbering metadata, so a well-formed `+digits` value is trusted even if the metadata is
/// older than the number's area code.
fn twilio_e164(raw: &str) -> Option<PhoneNumber> {
    PhoneNumber::parse(raw).ok().or_else(|| {
        let digits = raw.strip_prefix('+')?;
        (8..=15)
            .contains(&digits.len())
            .then_some(())
            .filter(|()| digits.bytes().all(|b| b.is_ascii_digit()))
            .map(|()| PhoneNumber::from_trusted_e164(raw))
    })
}

pub(crate) fn check_area_code(area_code: &str) -> Result<(), TwilioError> {
    // North American area codes are three digits and never start with 0 or 1.
    let bytes = area_code.as_bytes();
    if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_digit) && bytes[0] >= b'2' {
        Ok(())
    } else {
        Err(TwilioError::InvalidArgument(
            "area code must be 3 digits".into(),
        ))
    }
}
