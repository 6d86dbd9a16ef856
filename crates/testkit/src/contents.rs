//! Everything a test database holds, as text: every row of every table (migrations' own
//! bookkeeping included), for tests that assert that something wrote nothing at all.
//! Read behind the application's back — on PostgreSQL as the superuser, so row-level
//! security hides nothing; on SQLite through a connection of its own.

use crate::db::TestDb;
use sqlx::{Connection, PgConnection, SqliteConnection};
use std::collections::BTreeMap;

/// Table name → its rows rendered as text, sorted (so the order rows were written in and the
/// physical order do not matter, their content does).
pub type Contents = BTreeMap<String, Vec<String>>;

impl TestDb {
    /// Every row of every table of this database; equal before and after means that nothing
    /// was written in between.
    pub async fn contents(&self) -> Contents {
        match self.superuser_url() {
            Some(url) => postgres_contents(&url).await,
            None => sqlite_contents(&self.url).await,
        }
    }
}

async fn postgres_contents(url: &str) -> Contents {
    let mut conn = PgConnection::connect(url)
        .await
        .expect("connect as the superuser");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list tables");
    let mut out = Contents::new();
    for table in tables {
        // A row as PostgreSQL's own text form of the record: every column, every byte.
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT r::text FROM public.{} AS r ORDER BY 1",
            quote_ident(&table)
        )))
        .fetch_all(&mut conn)
        .await
        .expect("read a table");
        out.insert(table, rows);
    }
    let _ = conn.close().await;
    out
}

async fn sqlite_contents(url: &str) -> Contents {
    let mut conn = SqliteConnection::connect(url)
        .await
        .expect("open the SQLite database");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list tables");
    let mut out = Contents::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{}') ORDER BY cid",
            table.replace('\'', "''")
        )))
        .fetch_all(&mut conn)
        .await
        .expect("list columns");
        // quote() renders any value exactly (blobs as X'…', text quoted, NULL as NULL).
        let row = columns
            .iter()
            .map(|c| format!("quote({})", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {row} FROM {} ORDER BY 1",
            quote_ident(&table)
        )))
        .fetch_all(&mut conn)
        .await
        .expect("read a table");
        out.insert(table, rows);
    }
    let _ = conn.close().await;
    out
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The tables whose rows differ between two snapshots (for a readable failure).
pub fn changed_tables(before: &Contents, after: &Contents) -> Vec<String> {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|t| before.get(*t) != after.get(*t))
        .cloned()
        .collect()
}
