//! Form posts: the body is parsed only after its `csrf` field matches the session's
//! synchronizer token (else 403). GET handlers never change state.

use super::{PageError, WebSession};
use axum::body::Bytes;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// Equal by digest: the comparison takes the same time wherever the strings differ.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    !expected.is_empty() && Sha256::digest(expected.as_bytes()) == Sha256::digest(given.as_bytes())
}

/// The `csrf` field of a urlencoded body.
pub fn field(pairs: &[(String, String)]) -> &str {
    pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

pub fn pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// Checks the token, then reads the form as `T` (which ignores the `csrf` field).
pub fn form<T: DeserializeOwned>(session: &WebSession, body: &Bytes) -> Result<T, PageError> {
    if !tokens_match(&session.csrf_token, field(&pairs(body))) {
        return Err(PageError::csrf());
    }
    serde_urlencoded::from_bytes(body)
        .map_err(|e| PageError::bad_request(format!("The form is incomplete: {e}.")))
}
