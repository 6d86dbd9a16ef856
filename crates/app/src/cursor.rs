//! The keyset cursor of the API's lists (calls, contacts): the position after a page's last
//! row as `(instant, id)`, newest first, ties broken by id. One opaque text for clients:
//! URL-safe base64 (no padding) of `<microseconds since the epoch>:<uuid>`.

use crate::{AppError, AppResult};
use base64::Engine as _;
use djcalls_store::DbTime;
use jiff::Timestamp;
use uuid::Uuid;

/// `(at, id)` as the cursor text clients pass back.
pub(crate) fn encode(at: DbTime, id: Uuid) -> String {
    let raw = format!("{}:{id}", at.0.as_microsecond());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// A cursor text back to `(at, id)`; anything [`encode`] could not have written (or an instant
/// before [`crate::calls::EARLIEST_CALL`], which no row has) is an invalid `cursor`.
pub(crate) fn decode(raw: &str) -> AppResult<(DbTime, Uuid)> {
    let bad = || AppError::invalid("cursor", "is not a cursor this API returned");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (micros, id) = text.split_once(':').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let at = Timestamp::from_microsecond(micros).map_err(|_| bad())?;
    if at < crate::calls::EARLIEST_CALL {
        return Err(bad());
    }
    Ok((DbTime(at), id.parse().map_err(|_| bad())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_comes_back_as_it_was_written() {
        let at = DbTime(Timestamp::from_microsecond(1_781_000_000_123_456).unwrap());
        let id = Uuid::now_v7();
        assert_eq!(decode(&encode(at, id)).unwrap(), (at, id));
    }

    #[test]
    fn other_text_is_an_invalid_cursor() {
        let before_1970 =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("-5:{}", Uuid::nil()));
        for raw in ["", "not base64!", "bm8tY29sb24", before_1970.as_str()] {
            assert!(
                matches!(decode(raw), Err(AppError::Invalid { .. })),
                "{raw}"
            );
        }
    }
}
