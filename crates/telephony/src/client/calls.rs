//! Twilio's call log (`GET …/Calls.json`): the calls Twilio handled for the account, filtered
//! by `To`, `ParentCallSid` and `StartTime>=` (a date), read page after page through
//! `next_page_uri`.
//! Field names as Twilio's Call resource spells them: `sid`, `parent_call_sid`, `from`, `to`,
//! `status`, `start_time` (RFC 2822), `duration` (seconds, as a string).

use super::TwilioClient;
use crate::error::TwilioError;
use crate::sids::CallSid;
use crate::statuses::TwilioCallStatus;
use djcalls_domain::PhoneNumber;
use jiff::Timestamp;
use serde::Deserialize;

/// Twilio's largest page; fewer round trips for a busy number.
const PAGE_SIZE: u32 = 1000;
/// A guard against a server that never stops paging (10 million calls).
const MAX_PAGES: usize = 10_000;

/// Which calls to list. Unset filters are not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallLogQuery {
    /// Calls to this number (the caller legs of calls to a virtual number).
    pub to: Option<PhoneNumber>,
    /// The legs a call dialled (`<Dial>` children of this call).
    pub parent_call_sid: Option<CallSid>,
    /// Calls that started at or after this instant.
    pub started_at_or_after: Option<Timestamp>,
}

/// One call of the log. Values Twilio left empty are `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallLogEntry {
    pub sid: CallSid,
    pub parent_call_sid: Option<CallSid>,
    /// As Twilio reports it: E.164 for phones, a client or SIP address otherwise.
    pub from: Option<String>,
    pub to: Option<String>,
    pub status: TwilioCallStatus,
    pub start_time: Option<Timestamp>,
    pub duration_secs: Option<u32>,
}

#[derive(Deserialize)]
struct CallPage {
    #[serde(default)]
    calls: Vec<CallResource>,
    next_page_uri: Option<String>,
}

#[derive(Deserialize)]
struct CallResource {
    sid: String,
    parent_call_sid: Option<String>,
    from: Option<String>,
    to: Option<String>,
    status: String,
    start_time: Option<String>,
    duration: Option<String>,
}

impl TwilioClient {
    /// Every call matching `query`, all pages. An entry Twilio sends without a valid call SID is
    /// an unexpected response (nothing could be recorded against it).
    pub async fn list_calls(&self, query: &CallLogQuery) -> Result<Vec<CallLogEntry>, TwilioError> {
        let mut url = url::Url::parse(&self.url("Calls.json"))
            .map_err(|e| TwilioError::Config(e.to_string()))?;
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(to) = &query.to {
                pairs.append_pair("To", to.as_str());
            }
            if let Some(parent) = &query.parent_call_sid {
                pairs.append_pair("ParentCallSid", parent.as_str());
            }
            if let Some(since) = query.started_at_or_after {
                // `StartTime>=YYYY-MM-DD` as Twilio documents it: on the wire the key is
                // `StartTime>` (`StartTime%3E=2024-05-01`), the `=` being the separator. Twilio
                // compares dates (UTC), so the exact instant is applied below.
                pairs.append_pair("StartTime>", &since.strftime("%Y-%m-%d").to_string());
            }
            pairs.append_pair("PageSize", &PAGE_SIZE.to_string());
        }
        let mut entries = Vec::new();
        for _ in 0..MAX_PAGES {
            let page: CallPage = self.json(self.http.get(url.clone())).await?;
            for call in page.calls {
                let entry = entry(call)?;
                // The filter is a date: keep exactly what was asked for.
                let too_early = matches!(
                    (query.started_at_or_after, entry.start_time),
                    (Some(since), Some(start)) if start < since
                );
                if !too_early {
                    entries.push(entry);
                }
            }
            match page.next_page_uri.filter(|uri| !uri.is_empty()) {
                Some(next) => url = self.next_page_url(&next)?,
                None => return Ok(entries),
            }
        }
        Err(TwilioError::UnexpectedResponse(
            "call log never ends".into(),
        ))
    }

    /// `next_page_uri` is a path (with query) on the API host; it is resolved against our
    /// configured base, never followed to another host.
    fn next_page_url(&self, next_page_uri: &str) -> Result<url::Url, TwilioError> {
        if !next_page_uri.starts_with('/') {
            return Err(TwilioError::UnexpectedResponse("next_page_uri".into()));
        }
        let base = self.config.api_base_url.trim_end_matches('/');
        url::Url::parse(&format!("{base}{next_page_uri}"))
            .map_err(|_| TwilioError::UnexpectedResponse("next_page_uri".into()))
    }
}

fn entry(call: CallResource) -> Result<CallLogEntry, TwilioError> {
    let sid = CallSid::parse(&call.sid)
        .ok_or_else(|| TwilioError::UnexpectedResponse("call sid".into()))?;
    let start_time = match call.start_time.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(
            jiff::fmt::rfc2822::DateTimeParser::new()
                .parse_timestamp(raw)
                .map_err(|e| TwilioError::UnexpectedResponse(format!("start_time: {e}")))?,
        ),
    };
    Ok(CallLogEntry {
        sid,
        parent_call_sid: call.parent_call_sid.as_deref().and_then(CallSid::parse),
        from: call.from.filter(|s| !s.is_empty()),
        to: call.to.filter(|s| !s.is_empty()),
        status: TwilioCallStatus::parse(&call.status),
        start_time,
        duration_secs: call.duration.as_deref().and_then(|d| d.parse().ok()),
    })
}
