//! The store's error type: constraint outcomes the application acts on, and everything else.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write (the name says which, when the database tells).
    #[error("conflicts with an existing row ({0})")]
    Conflict(String),
    /// A referenced row does not exist.
    #[error("refers to a row that does not exist")]
    MissingReference,
    // The cause is part of the text and deliberately NOT returned as `source()`: logs print
    // store errors with `%e`, and a cause chain must print each cause once.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// The database is reachable but not set up the way the settings say (a missing role,
    /// a setting the backend does not support).
    #[error("database setup: {0}")]
    Setup(String),
    #[error("migration failed: {0}")]
    Migrate(sqlx::migrate::MigrateError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    return StoreError::Conflict(db.constraint().unwrap_or("unique").to_string());
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => return StoreError::MissingReference,
                _ => {}
            }
        }
        if matches!(e, sqlx::Error::RowNotFound) {
            return StoreError::NotFound;
        }
        StoreError::Database(e)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_database_error_prints_its_cause_once() {
        let e = StoreError::from(sqlx::Error::PoolTimedOut);
        assert!(e.source().is_none());
        assert_eq!(
            e.to_string(),
            format!("database error: {}", sqlx::Error::PoolTimedOut)
        );
    }
}
