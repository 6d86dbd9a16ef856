//! The `t=<unix>,v1=<hex>` webhook signature scheme Stripe and TipJar share:
//! `v1 = hex(HMAC-SHA256(secret, "{t}.{raw_body}"))`, any `v1` may match, and `t` must be within
//! a tolerance of now in either direction.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Both providers' replay window: five minutes.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Longer headers are refused unparsed; a real one holds a timestamp and a few signatures.
const MAX_HEADER_LEN: usize = 4096;

/// Why a webhook signature was refused. `Display` never echoes the header or the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no webhook secret is configured")]
    NoSecret,
    #[error("signature header is malformed")]
    Malformed,
    #[error("signature header has no timestamp")]
    MissingTimestamp,
    #[error("signature header has no v1 signature")]
    MissingSignature,
    #[error("signature timestamp is outside the allowed tolerance")]
    OutsideTolerance,
    #[error("signature does not match")]
    Mismatch,
}

struct ParsedHeader {
    timestamp: i64,
    /// Decoded `v1` values; entries that are not 32 bytes of hex are dropped (they cannot match).
    candidates: Vec<Vec<u8>>,
}

fn parse_header(header: &str) -> Result<ParsedHeader, SignatureError> {
    if header.len() > MAX_HEADER_LEN {
        return Err(SignatureError::Malformed);
    }
    let mut timestamp = None;
    let mut saw_v1 = false;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        let (key, value) = part.split_once('=').ok_or(SignatureError::Malformed)?;
        match key.trim() {
            "t" => {
                if timestamp.is_some() {
                    return Err(SignatureError::Malformed);
                }
                let t = value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| SignatureError::Malformed)?;
                timestamp = Some(t);
            }
            "v1" => {
                saw_v1 = true;
                if let Ok(bytes) = hex::decode(value.trim())
                    && bytes.len() == 32
                {
                    candidates.push(bytes);
                }
            }
            // Other schemes (Stripe's test-mode `v0`, future versions) are not ours to check.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::MissingTimestamp)?;
    if !saw_v1 {
        return Err(SignatureError::MissingSignature);
    }
    Ok(ParsedHeader {
        timestamp,
        candidates,
    })
}

fn mac_for(secret: &[u8], timestamp: i64, body: &[u8]) -> Result<Hmac<Sha256>, SignatureError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| SignatureError::NoSecret)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// Checks a `t=…,v1=…` header against the raw request body.
pub(crate) fn verify(
    secret: &[u8],
    header: &str,
    raw_body: &[u8],
    now_unix: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    if secret.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let parsed = parse_header(header)?;
    let tolerance = u64::try_from(tolerance_secs).unwrap_or(0);
    // Both directions: an old timestamp is a replay, one far ahead a forged or broken clock.
    if now_unix.abs_diff(parsed.timestamp) > tolerance {
        return Err(SignatureError::OutsideTolerance);
    }
    let mac = mac_for(secret, parsed.timestamp, raw_body)?;
    // `verify_slice` compares in constant time; every candidate is checked.
    let matched = parsed.candidates.iter().fold(false, |ok, candidate| {
        ok | mac.clone().verify_slice(candidate).is_ok()
    });
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The header value a provider would send for `raw_body` at `timestamp_unix`.
pub(crate) fn sign(secret: &[u8], timestamp_unix: i64, raw_body: &[u8]) -> String {
    let v1 = match mac_for(secret, timestamp_unix, raw_body) {
        Ok(mac) => hex::encode(mac.finalize().into_bytes()),
        // HMAC takes keys of any length; this arm is unreachable in practice.
        Err(_) => String::new(),
    };
    format!("t={timestamp_unix},v1={v1}")
}

#[cfg(test)]
mod contract_tests;
#[cfg(test)]
pub(crate) use contract_tests::signature_contract_tests;
