//! The application's error: what went wrong in terms a caller can act on. The HTTP edge maps
//! each variant to a status and the SPEC's JSON envelope; internals never reach the text.

use djcalls_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("you do not have access to this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Bad input, naming the field at fault.
    #[error("{field} {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Well-formed but not allowed by a rule (SPEC §11), naming the field at fault.
    #[error("{message}")]
    Refused {
        code: &'static str,
        field: &'static str,
        message: String,
    },
    /// A limit is reached; the same request may succeed after `retry_after_secs`.
    #[error("{message}")]
    Limited {
        code: &'static str,
        message: String,
        retry_after_secs: u64,
    },
    /// A provider we depend on did not answer usefully; worth retrying later.
    #[error("{0}")]
    Unavailable(&'static str),
    /// The database cannot be reached or cannot take the write right now (SPEC §10): the
    /// request may be retried shortly. The cause is for the log.
    #[error("the database is unavailable: {0}")]
    DatabaseUnavailable(StoreError),
    // The cause is part of the text (logs print `%e`) and deliberately not `source()`, so a
    // cause chain prints it once.
    #[error("internal error: {0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> AppError {
        AppError::Internal(Box::new(e))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("record"),
            e if e.is_unavailable() => AppError::DatabaseUnavailable(e),
            other => AppError::Internal(Box::new(other)),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
