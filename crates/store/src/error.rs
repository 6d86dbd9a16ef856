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

impl StoreError {
    /// The database could not be reached or could not take a write right now (down, starting
    /// or shutting down, out of connections, locked, out of disk): worth answering
    /// `database_unavailable` and trying again later, unlike a bad query or bad data.
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Database(e) = self else {
            return false;
        };
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => {
                let sqlite = db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some();
                db.code().is_some_and(|code| {
                    if sqlite {
                        unavailable_sqlite_code(&code)
                    } else {
                        unavailable_sqlstate(&code)
                    }
                })
            }
            _ => false,
        }
    }
}

/// PostgreSQL SQLSTATEs (connection exceptions, shutdown, start-up, too many connections,
/// read-only standby, disk full) that mean "not now" rather than "not this".
fn unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "53300" | "53100" | "25006"
        )
}

/// SQLite result codes (busy, locked, read-only, I/O error, full, cannot open) that mean "not
/// now". Only for SQLite's errors: a SQLSTATE of digits alone (`22021`, bad data) would
/// otherwise read as an extended SQLite code.
fn unavailable_sqlite_code(code: &str) -> bool {
    // SQLite's extended codes keep the primary code in the low byte.
    code.parse::<i32>()
        .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 8 | 10 | 13 | 14))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn outages_are_told_apart_from_bad_queries() {
        assert!(StoreError::from(sqlx::Error::PoolTimedOut).is_unavailable());
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(StoreError::from(sqlx::Error::Io(refused)).is_unavailable());
        assert!(!StoreError::from(sqlx::Error::RowNotFound).is_unavailable());
        assert!(!StoreError::Corrupt("x".into()).is_unavailable());
        assert!(!StoreError::Conflict("calls_pkey".into()).is_unavailable());
        for code in ["08006", "57P01", "57P03", "53300"] {
            assert!(unavailable_sqlstate(code), "{code}");
        }
        // 22021 (a NUL in text) reads as SQLite's BUSY (0x5605 & 0xff = 5) if taken for one.
        for code in ["23505", "42P01", "22021", "22001"] {
            assert!(!unavailable_sqlstate(code), "{code}");
        }
        for code in ["5", "517", "8", "1032", "10"] {
            assert!(unavailable_sqlite_code(code), "{code}");
        }
        for code in ["19", "2067", "1"] {
            assert!(!unavailable_sqlite_code(code), "{code}");
        }
    }

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
