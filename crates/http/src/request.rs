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
