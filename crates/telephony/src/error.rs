//! `TwilioError`: what can go wrong talking to Twilio, classified as retryable or permanent,
//! with messages that never carry credentials or whole phone numbers.

use serde::Deserialize;

/// Twilio error codes this crate treats specially.
pub mod codes {
    /// Authentication failed.
    pub const AUTHENTICATE: u32 = 20003;
    /// Resource not found.
    pub const NOT_FOUND: u32 = 20404;
    /// Too many requests.
    pub const TOO_MANY_REQUESTS: u32 = 20429;
    /// The `To` number is not a valid phone number.
    pub const INVALID_TO: u32 = 21211;
    /// The recipient replied STOP (or equivalent) to this sender.
    pub const OPTED_OUT: u32 = 21610;
    /// The `To` number cannot be reached by SMS.
    pub const UNREACHABLE_TO: u32 = 21612;
    /// The `To` number is not a mobile number.
    pub const NOT_MOBILE_TO: u32 = 21614;
}

#[derive(Debug, thiserror::Error)]
pub enum TwilioError {
    #[error("the request to Twilio timed out")]
    Timeout,
    #[error("could not reach Twilio: {0}")]
    Network(String),
    #[error("Twilio is rate limiting us (HTTP 429)")]
    RateLimited { code: Option<u32> },
    #[error("Twilio had a server error (HTTP {status})")]
    Server { status: u16, code: Option<u32> },
    #[error("the recipient has opted out of messages from this sender (Twilio error 21610)")]
    OptedOut,
    #[error("the recipient cannot receive this message (Twilio error {code}: {message})")]
    InvalidRecipient { code: u32, message: String },
    #[error("Twilio rejected our credentials (HTTP {status})")]
    Unauthorized { status: u16, code: Option<u32> },
    #[error("Twilio has no such resource (HTTP 404)")]
    NotFound { code: Option<u32> },
    #[error("Twilio refused the request (HTTP {status}, error {}: {message})", code.map_or_else(|| "?".to_owned(), |c| c.to_string()))]
    Rejected {
        status: u16,
        code: Option<u32>,
        message: String,
    },
    #[error("no phone numbers are available in area code {area_code}")]
    NoNumbersAvailable { area_code: String },
    #[error("unexpected response from Twilio: {0}")]
    UnexpectedResponse(String),
    #[error("invalid request to Twilio: {0}")]
    InvalidArgument(String),
    #[error("invalid Twilio configuration: {0}")]
    Config(String),
}

/// Twilio's JSON error body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TwilioErrorBody {
    pub code: Option<u32>,
    pub message: Option<String>,
    pub more_info: Option<String>,
    pub status: Option<u16>,
}

impl TwilioError {
    /// Worth trying again later: the network, a timeout, rate limiting or a Twilio-side 5xx.
    /// Everything else will fail the same way again.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Timeout | Self::Network(_) | Self::RateLimited { .. } | Self::Server { .. }
        )
    }

    /// The recipient has opted out: mark the number and never text it again.
    pub fn is_opted_out(&self) -> bool {
        matches!(self, Self::OptedOut)
    }

    /// Twilio's numeric error code, when it sent one.
    pub fn code(&self) -> Option<u32> {
        match self {
            Self::OptedOut => Some(codes::OPTED_OUT),
            Self::InvalidRecipient { code, .. } => Some(*code),
            Self::RateLimited { code }
            | Self::Server { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::NotFound { code }
            | Self::Rejected { code, .. } => *code,
            _ => None,
        }
    }

    /// Classifies a non-2xx response from its HTTP status and (possibly empty) body.
    pub fn from_response(status: u16, body: &str) -> Self {
        let parsed: TwilioErrorBody = serde_json::from_str(body).unwrap_or_default();
        let code = parsed.code;
        let message = redact_phone_numbers(parsed.message.as_deref().unwrap_or(""));
        match (status, code) {
            (429, _) | (_, Some(codes::TOO_MANY_REQUESTS)) => Self::RateLimited { code },
            (500..=599, _) => Self::Server { status, code },
            (_, Some(codes::OPTED_OUT)) => Self::OptedOut,
            (_, Some(c @ (codes::INVALID_TO | codes::UNREACHABLE_TO | codes::NOT_MOBILE_TO))) => {
                Self::InvalidRecipient { code: c, message }
            }
            (401 | 403, _) | (_, Some(codes::AUTHENTICATE)) => Self::Unauthorized { status, code },
            (404, _) => Self::NotFound { code },
            _ => Self::Rejected {
                status,
                code,
                message,
            },
        }
    }

    /// Classifies a transport failure. The URL is left out: it names our account.
    pub fn from_reqwest(err: reqwest::Error) -> Self {
        if err.is_timeout() {
            return Self::Timeout;
        }
        let err = err.without_url();
        let mut text = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Network(text)
    }
}

/// Masks every run of 7 or more digits (optionally with a leading `+`), so messages such as
/// "The 'To' number +15005550001 is not valid" can be logged. Error codes (5 digits) survive.
pub fn redact_phone_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if digits >= 7 {
            out.push_str(&djcalls_domain::phone::mask(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '+' && run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: u32, message: &str, status: u16) -> String {
        serde_json::json!({
            "code": code,
            "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status,
        })
        .to_string()
    }

    #[test]
    fn server_errors_and_rate_limits_are_retryable() {
        assert!(TwilioError::from_response(500, "").is_retryable());
        assert!(TwilioError::from_response(503, "<html>").is_retryable());
        assert!(
            TwilioError::from_response(429, &body(20429, "Too Many Requests", 429)).is_retryable()
        );
        assert!(TwilioError::Timeout.is_retryable());
        assert!(TwilioError::Network("connection refused".into()).is_retryable());
    }

    #[test]
    fn an_unsubscribed_recipient_is_opted_out_and_permanent() {
        let err = TwilioError::from_response(
            400,
            &body(21610, "Attempt to send to unsubscribed recipient", 400),
        );
        assert!(err.is_opted_out());
        assert!(!err.is_retryable());
        assert_eq!(err.code(), Some(21610));
    }

    #[test]
    fn invalid_recipients_and_bad_credentials_are_permanent() {
        for code in [21211, 21614] {
            let err = TwilioError::from_response(400, &body(code, "bad To", 400));
            assert!(
                matches!(err, TwilioError::InvalidRecipient { .. }),
                "{code}"
            );
            assert!(!err.is_retryable());
        }
        let auth = TwilioError::from_response(401, &body(20003, "Authenticate", 401));
        assert!(matches!(
            auth,
            TwilioError::Unauthorized { status: 401, .. }
        ));
        assert!(!auth.is_retryable());
    }

    #[test]
    fn error_messages_never_show_a_whole_phone_number() {
        let err = TwilioError::from_response(
            400,
            &body(
                21211,
                "The 'To' number +15005550001 is not a valid phone number.",
                400,
            ),
        );
        let text = err.to_string();
        assert!(!text.contains("5005550001"), "{text}");
        assert!(text.contains("+1******0001"), "{text}");
        assert!(text.contains("21211"), "{text}");
    }

    #[test]
    fn redaction_leaves_short_numbers_alone() {
        assert_eq!(
            redact_phone_numbers("error 21610 at 12:30"),
            "error 21610 at 12:30"
        );
        assert_eq!(redact_phone_numbers("call 4155552671!"), "call 41****2671!");
    }
}
