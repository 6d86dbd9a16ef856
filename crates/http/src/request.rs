//! Request helpers shared by the JSON API and the pages: reading path and query values.

use crate::error::ApiError;

/// A typed id from a path or query value.
pub(crate) fn parse_id<T: std::str::FromStr>(
    field: &'static str,
    raw: &str,
) -> Result<T, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::field(field, "must be a UUID"))
}

/// The digits of a phone search: separators (`+ -().` and spaces) are dropped; anything else,
/// or more than 15 digits (E.164's most), is refused.
pub(crate) fn phone_digits(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if !raw
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return Err(ApiError::field(
            "phone",
            "must be digits of a phone number (spaces, +, -, ( ) and . are ignored)",
        ));
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        0 => Err(ApiError::field("phone", "must contain at least one digit")),
        1..=15 => Ok(Some(digits)),
        _ => Err(ApiError::field("phone", "must be at most 15 digits")),
    }
}

#[cfg(test)]
mod tests {
    use super::phone_digits;

    #[test]
    fn phone_searches_keep_only_digits() {
        assert_eq!(
            phone_digits(Some(" (512) 555-01 ")).unwrap(),
            Some("51255501".into())
        );
        assert_eq!(phone_digits(Some("")).unwrap(), None);
        assert!(phone_digits(Some("abc")).is_err());
        assert!(phone_digits(Some("+-")).is_err());
        assert!(phone_digits(Some("1234567890123456")).is_err());
    }
}
