//! The two migration trees (`migrations/sqlite`, `migrations/postgres`) must describe one
//! schema: a fresh database of each kind is migrated and their catalogs are compared — tables
//! and views, columns, nullability, which columns are generated, primary keys, unique constraints and
//! named indexes (name, columns in order with their direction, unique, partial).
//!
//! Differences accepted by design, so not compared:
//! - column types: `uuid` vs 16-byte `BLOB`, `timestamptz` vs INTEGER microseconds, `text` vs
//!   `TEXT`, `numeric` vs `REAL` (see `DbTime` and ARCHITECTURE.md, "one query text");
//! - the generated column `dj_calls.tipjar_payment_amount` is `STORED` on PostgreSQL and
//!   `VIRTUAL` on SQLite (only "is generated" is compared);
//! - defaults, `CHECK` constraints and the text of partial-index predicates (each dialect
//!   renders them its own way; only "is partial" is compared);
//! - names of the indexes behind `PRIMARY KEY` / `UNIQUE` (`<table>_pkey`, `<table>_<col>_key`
//!   vs `sqlite_autoindex_<table>_<n>`): their columns are compared instead;
//! - on SQLite a `PRIMARY KEY` column counts as `NOT NULL`, as PostgreSQL makes it;
//! - PostgreSQL-only objects: functions (`djcalls_can_see`, the analytics triggers' helpers;
//!   SQLite's triggers are written out instead) and the row-level-security
//!   policies listed in [`POSTGRES_POLICIES`] (checked to be exactly those). Roles are the
//!   operator's, never the migrations' (`store/src/setup.rs`).
//!
//! Runs whenever PostgreSQL answers; under CI (`DJCALLS_REQUIRE_POSTGRES=1`) it must.

use djcalls_testkit::TestDb;
use sqlx::{PgPool, SqlitePool};
use std::collections::{BTreeMap, BTreeSet};

/// Every row-level-security policy, `(table, policy)`: one per table, since every table holds
/// either a DJ's data (`…_tenant`) or platform data (`…_platform`) — and a second, read-only
/// one on the opt-out list, through which a DJ sees whether their own contacts opted out, and
/// on the funnel settings, through which every reader sees which threshold the funnel holds.
const POSTGRES_POLICIES: &[(&str, &str)] = &[
    ("ad_spend", "ad_spend_tenant"),
    ("analytics_deltas", "analytics_deltas_tenant"),
    ("analytics_dj_blocks", "analytics_dj_blocks_tenant"),
    ("analytics_dj_days", "analytics_dj_days_tenant"),
    ("analytics_dj_day_totals", "analytics_dj_day_totals_tenant"),
    ("analytics_dj_hours", "analytics_dj_hours_tenant"),
    (
        "analytics_dj_type_blocks",
        "analytics_dj_type_blocks_tenant",
    ),
    (
        "analytics_dj_source_days",
        "analytics_dj_source_days_tenant",
    ),
    ("analytics_funnel_clicks", "analytics_funnel_clicks_tenant"),
    ("analytics_funnel_dirty", "analytics_funnel_dirty_tenant"),
    (
        "analytics_funnel_dj_days",
        "analytics_funnel_dj_days_tenant",
    ),
    (
        "analytics_funnel_platform_days",
        "analytics_funnel_platform_days_platform",
    ),
    (
        "analytics_funnel_settings",
        "analytics_funnel_settings_platform",
    ),
    (
        "analytics_funnel_settings",
        "analytics_funnel_settings_read",
    ),
    (
        "analytics_platform_days",
        "analytics_platform_days_platform",
    ),
    (
        "analytics_platform_hours",
        "analytics_platform_hours_platform",
    ),
    (
        "analytics_platform_source_days",
        "analytics_platform_source_days_platform",
    ),
    ("api_tokens", "api_tokens_platform"),
    ("call_events", "call_events_platform"),
    ("incoming_unprojected", "incoming_unprojected_platform"),
    (
        "call_transcript_segments",
        "call_transcript_segments_platform",
    ),
    ("contacts", "contacts_tenant"),
    ("dj_calls", "dj_calls_tenant"),
    ("dj_profiles", "dj_profiles_tenant"),
    ("dj_virtual_numbers", "dj_virtual_numbers_tenant"),
    ("experiment_variants", "experiment_variants_platform"),
    ("experiments", "experiments_platform"),
    ("followups", "followups_tenant"),
    ("followup_texts", "followup_texts_tenant"),
    (
        "foreign_currency_payments",
        "foreign_currency_payments_tenant",
    ),
    ("jobs", "jobs_platform"),
    ("messages", "messages_tenant"),
    ("number_purchase_lock", "number_purchase_lock_platform"),
    ("numbers_shown", "numbers_shown_tenant"),
    ("numbers_shown_dj_days", "numbers_shown_dj_days_tenant"),
    (
        "numbers_shown_platform_days",
        "numbers_shown_platform_days_platform",
    ),
    ("number_assignments", "number_assignments_tenant"),
    ("number_purchases", "number_purchases_tenant"),
    ("payment_links", "payment_links_tenant"),
    ("payments", "payments_tenant"),
    ("pending_refunds", "pending_refunds_platform"),
    ("rate_limits", "rate_limits_platform"),
    ("sign_in_links", "sign_in_links_tenant"),
    ("sms_opt_outs", "sms_opt_outs_contacts"),
    ("sms_opt_outs", "sms_opt_outs_platform"),
    ("user_profiles", "user_profiles_platform"),
    ("users", "users_platform"),
    ("web_sessions", "web_sessions_platform"),
    ("webhook_deliveries", "webhook_deliveries_platform"),
    ("webhook_endpoints", "webhook_endpoints_platform"),
    ("widget_clicks", "widget_clicks_tenant"),
];

#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    tables: BTreeSet<String>,
    /// `(table, column)` → (nullable, generated).
    columns: BTreeMap<(String, String), (bool, bool)>,
    /// table → primary-key columns in key order.
    primary_keys: BTreeMap<String, Vec<String>>,
    /// `(table, columns)` of every `UNIQUE` constraint (inline or table-level).
    unique_constraints: BTreeSet<(String, Vec<String>)>,
    /// `(table, index name)` → (columns with ` DESC` where descending, unique, partial).
    indexes: BTreeMap<(String, String), (Vec<String>, bool, bool)>,
}

async fn postgres_schema(pool: &PgPool) -> Schema {
    let mut schema = Schema::default();
    let columns: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text, is_generated::text \
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(pool)
    .await
    .expect("postgres columns");
    for (table, column, nullable, generated) in columns {
        schema.tables.insert(table.clone());
        schema
            .columns
            .insert((table, column), (nullable == "YES", generated == "ALWAYS"));
    }
    // Every index with its columns in key order; `kind` is the constraint it backs, if any
    // ('p' primary key, 'u' unique), so constraint indexes are compared by columns, not name.
    let indexes: Vec<(String, String, String, bool, bool, Vec<String>)> = sqlx::query_as(
        "SELECT t.relname::text, i.relname::text, coalesce(c.contype::text, ''), \
                ix.indisunique, ix.indpred IS NOT NULL, \
                ARRAY(SELECT coalesce(a.attname::text, '(expression)') \
                             || CASE WHEN k.opt & 1 = 1 THEN ' DESC' ELSE '' END \
                      FROM unnest(ix.indkey::int2[], ix.indoption::int2[]) \
                           WITH ORDINALITY AS k(attnum, opt, ord) \
                      LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                      ORDER BY k.ord) \
         FROM pg_index ix \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         LEFT JOIN pg_constraint c \
                ON c.conindid = ix.indexrelid AND c.conrelid = t.oid AND c.contype IN ('p', 'u') \
         WHERE n.nspname = 'public'",
    )
    .fetch_all(pool)
    .await
    .expect("postgres indexes");
    for (table, name, kind, unique, partial, columns) in indexes {
        match kind.as_str() {
            "p" => {
                schema.primary_keys.insert(table, columns);
            }
            "u" => {
                schema.unique_constraints.insert((table, columns));
            }
            _ => {
                schema
                    .indexes
                    .insert((table, name), (columns, unique, partial));
            }
        }
    }
    schema
}

async fn sqlite_schema(pool: &SqlitePool) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(pool)
    .await
    .expect("sqlite tables");
    for table in tables {
        // `hidden` is 2 or 3 for generated columns; `pk` is the column's position in the key.
        let columns: Vec<(String, bool, i64, i64)> = sqlx::query_as(
            "SELECT name, \"notnull\", pk, hidden FROM pragma_table_xinfo($1) ORDER BY cid",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("sqlite columns");
        let mut key: Vec<(i64, String)> = Vec::new();
        for (column, not_null, pk, hidden) in columns {
            if pk > 0 {
                key.push((pk, column.clone()));
            }
            let nullable = !not_null && pk == 0;
            schema
                .columns
                .insert((table.clone(), column), (nullable, matches!(hidden, 2 | 3)));
        }
        key.sort();
        if !key.is_empty() {
            let key = key.into_iter().map(|(_, column)| column).collect();
            schema.primary_keys.insert(table.clone(), key);
        }
        // `origin`: 'c' CREATE INDEX, 'u' UNIQUE constraint, 'pk' the primary key (already
        // read from the columns, and absent for an INTEGER PRIMARY KEY).
        let indexes: Vec<(String, bool, String, bool)> =
            sqlx::query_as("SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)")
                .bind(&table)
                .fetch_all(pool)
                .await
                .expect("sqlite indexes");
        for (name, unique, origin, partial) in indexes {
            let columns: Vec<(Option<String>, bool)> = sqlx::query_as(
                "SELECT name, \"desc\" FROM pragma_index_xinfo($1) WHERE key = 1 ORDER BY seqno",
            )
            .bind(&name)
            .fetch_all(pool)
            .await
            .expect("sqlite index columns");
            let columns: Vec<String> = columns
                .into_iter()
                .map(|(column, desc)| {
                    let column = column.unwrap_or_else(|| "(expression)".to_string());
                    if desc {
                        format!("{column} DESC")
                    } else {
                        column
                    }
                })
                .collect();
            match origin.as_str() {
                "pk" => {}
                "u" => {
                    schema.unique_constraints.insert((table.clone(), columns));
                }
                _ => {
                    schema
                        .indexes
                        .insert((table.clone(), name), (columns, unique, partial));
                }
            }
        }
        schema.tables.insert(table);
    }
    schema
}

/// Asserts `left == right` part by part, naming what only one side has.
fn assert_same<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    what: &str,
    postgres: &BTreeMap<K, V>,
    sqlite: &BTreeMap<K, V>,
) {
    let mut drift = Vec::new();
    for (key, value) in postgres {
        match sqlite.get(key) {
            None => drift.push(format!("only on PostgreSQL: {key:?} = {value:?}")),
            Some(other) if other != value => {
                drift.push(format!("{key:?}: PostgreSQL {value:?}, SQLite {other:?}"))
            }
            Some(_) => {}
        }
    }
    for (key, value) in sqlite {
        if !postgres.contains_key(key) {
            drift.push(format!("only on SQLite: {key:?} = {value:?}"));
        }
    }
    assert!(
        drift.is_empty(),
        "{what} drifted:\n  {}",
        drift.join("\n  ")
    );
}

fn as_map<K: Ord + Clone>(set: &BTreeSet<K>) -> BTreeMap<K, ()> {
    set.iter().map(|k| (k.clone(), ())).collect()
}

#[tokio::test]
async fn both_migration_trees_make_the_same_schema() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let lite = TestDb::sqlite().await;
    let pg_pool = pg.store.pg_pool().expect("a PostgreSQL store").clone();
    let lite_pool = SqlitePool::connect(&lite.url).await.expect("open sqlite");
    let postgres = postgres_schema(&pg_pool).await;
    let sqlite = sqlite_schema(&lite_pool).await;

    assert_same("tables", &as_map(&postgres.tables), &as_map(&sqlite.tables));
    assert_same(
        "columns (nullable, generated)",
        &postgres.columns,
        &sqlite.columns,
    );
    assert_same("primary keys", &postgres.primary_keys, &sqlite.primary_keys);
    assert_same(
        "unique constraints",
        &as_map(&postgres.unique_constraints),
        &as_map(&sqlite.unique_constraints),
    );
    assert_same(
        "indexes (columns, unique, partial)",
        &postgres.indexes,
        &sqlite.indexes,
    );
    // Guard the comparison itself: a query that silently read nothing would pass above.
    assert!(postgres.tables.len() > 10 && postgres.indexes.len() > 10);

    // The PostgreSQL-only objects are exactly the documented ones.
    let policies: BTreeSet<(String, String)> = sqlx::query_as(
        "SELECT tablename::text, policyname::text FROM pg_policies WHERE schemaname = 'public'",
    )
    .fetch_all(&pg_pool)
    .await
    .expect("policies")
    .into_iter()
    .collect();
    let expected: BTreeSet<(String, String)> = POSTGRES_POLICIES
        .iter()
        .map(|(t, p)| (t.to_string(), p.to_string()))
        .collect();
    assert_eq!(policies, expected, "row-level-security policies");
    let rls_off: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relrowsecurity \
           AND c.relname <> '_sqlx_migrations'",
    )
    .fetch_all(&pg_pool)
    .await
    .expect("tables without RLS");
    assert!(
        rls_off.is_empty(),
        "tables without row-level security: {rls_off:?}"
    );
    lite_pool.close().await;
}
