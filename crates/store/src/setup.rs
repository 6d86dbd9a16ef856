//! Bringing a database to the current schema and checking the role it is used as: the
//! migrations, the upgrade shim for migrations edited after release, the grants for
//! `DJCALLS_DB_APP_ROLE`, and whether row-level security binds the role queries run as.

use crate::{Pool, Store, StoreError, StoreResult};
use sqlx::PgConnection;
use sqlx::migrate::Migrator;

/// SHA-384 checksums of PostgreSQL migrations 1–7 as first released. Those versions created
/// role `djcalls_app` and granted it to the migrating user, which a managed database's owner
/// role may not do; issue 8 removed the role statements. A database that applied the old
/// text records these checksums, and sqlx would refuse it ("previously applied but has been
/// modified"), so [`adopt_edited_migrations`] rewrites exactly these values to the current
/// ones. The schema they produced is unchanged; only role statements went.
const RELEASED_PG_CHECKSUMS: [(i64, &str); 7] = [
    (
        1,
        "03e27a508f3547ac778aa046af3b7d2970f385dd93a4dbf7afcfcd7ee56857d5962a6ce4a1bbc2ad2bcd726e137657e4",
    ),
    (
        2,
        "20e224dccadb79ef59769b745c8024c82b77324a94d16ede77ed9f0ea3014c09ed9a38fe8aa22df52ff80ea0c7130299",
    ),
    (
        3,
        "47fcc2962a77ebc4ec09fa848e7eb02aad7ae2226864e3a1567dfae53b525743f29ac914ecaf83352cbb9af10ccde953",
    ),
    (
        4,
        "8e7643e1a985167047ad264d91ceba6544e699a43a6407841792528c8b6410b34c4ec88a77815db103488da0214cfe45",
    ),
    (
        5,
        "d3501c5bdebc7337aacd9e4e5813604f85a1602f8261d0f01e3371df85b0079467d5d04d18202c0f63cf7cd0ff6d6546",
    ),
    (
        6,
        "a358bb894188c534f880b614c379dda878244ddfd933284ac4120dfcd90b9bc76318d91154b42c73ed277d6771308575",
    ),
    (
        7,
        "90ff7cc072ac2b79e0be3c21671dab32f6966bc2b7a36e73ff2bc9b8d46ea426ca701e1b5b7b0fa773f95e8ccae47001",
    ),
];

static PG_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Applies pending migrations (the same file names exist for both backends). On
    /// PostgreSQL it then grants the app role, when one is configured, access to every table.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Pg(pool) => {
                let mut conn = pool.acquire().await?;
                let result = self.migrate_pg(&mut conn).await;
                // The connection carries a session-wide identity: never hand it back to the pool.
                let _ = conn.detach();
                result
            }
            Pool::Lite(pool) => Ok(sqlx::migrate!("./migrations/sqlite").run(pool).await?),
        }
    }

    async fn migrate_pg(&self, conn: &mut PgConnection) -> StoreResult<()> {
        // Tables force row-level security, which binds the owner too: a migration that moves
        // data must see every row, so the migrating session identifies itself as `system`.
        sqlx::query("SELECT set_config('app.role', 'system', false)")
            .execute(&mut *conn)
            .await?;
        adopt_edited_migrations(conn, &PG_MIGRATIONS).await?;
        PG_MIGRATIONS.run(&mut *conn).await?;
        if let Some(role) = self.app_role.as_deref() {
            grant_to_app_role(conn, role).await?;
        }
        Ok(())
    }

    /// Refuses an app role that does not exist or that the connecting user cannot switch to.
    pub(crate) async fn check_app_role(&self) -> StoreResult<()> {
        let (Pool::Pg(pool), Some(role)) = (&self.pool, self.app_role.as_deref()) else {
            return Ok(());
        };
        let (user, exists, member): (String, bool, Option<bool>) = sqlx::query_as(
            "SELECT current_user::text, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1), \
             CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) \
                  THEN pg_has_role(current_user, $1, 'MEMBER') END",
        )
        .bind(role)
        .fetch_one(pool)
        .await?;
        if !exists {
            return Err(StoreError::Setup(format!(
                "DJCALLS_DB_APP_ROLE names role {role}, which does not exist \
                 (CREATE ROLE {role} NOLOGIN, then GRANT {role} TO {user})"
            )));
        }
        if member != Some(true) {
            return Err(StoreError::Setup(format!(
                "DJCALLS_DB_APP_ROLE is {role}, but {user} may not SET ROLE to it \
                 (GRANT {role} TO {user})"
            )));
        }
        Ok(())
    }

    /// Whether row-level security binds the role transactions run as (`None` on SQLite). A
    /// superuser or BYPASSRLS role skips every policy, so the caller should warn.
    pub async fn rls_enforced(&self) -> StoreResult<Option<bool>> {
        let Pool::Pg(pool) = &self.pool else {
            return Ok(None);
        };
        let enforced: bool = sqlx::query_scalar(
            "SELECT NOT (rolsuper OR rolbypassrls) FROM pg_roles \
             WHERE rolname = coalesce($1, current_user::text)",
        )
        .bind(self.app_role.as_deref())
        .fetch_one(pool)
        .await?;
        Ok(Some(enforced))
    }

    /// The role set by `DJCALLS_DB_APP_ROLE`, if any.
    pub fn app_role(&self) -> Option<&str> {
        self.app_role.as_deref()
    }
}

/// Rewrites the recorded checksum of each released-then-edited migration to the current
/// one; returns how many rows it rewrote. Only an exact old checksum is touched, so a
/// migration edited in any other way is still refused by sqlx.
async fn adopt_edited_migrations(conn: &mut PgConnection, migrator: &Migrator) -> StoreResult<u64> {
    let applied: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    if !applied {
        return Ok(0);
    }
    let mut rewritten = 0;
    for (version, released) in RELEASED_PG_CHECKSUMS {
        let Some(current) = migrator.iter().find(|m| m.version == version) else {
            continue;
        };
        rewritten += sqlx::query(
            "UPDATE _sqlx_migrations SET checksum = $1 \
             WHERE version = $2 AND checksum = decode($3, 'hex')",
        )
        .bind(current.checksum.as_ref())
        .bind(version)
        .bind(released)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    if rewritten > 0 {
        tracing::info!(rewritten, "adopted the role-free text of migrations 1-7");
    }
    Ok(rewritten)
}

/// Grants the app role what the application does with every table, now and after each
/// migration (grants cover existing tables only, so this runs on every `migrate`). Table
/// owners may grant on their tables to any role; no role administration is needed.
async fn grant_to_app_role(conn: &mut PgConnection, role: &str) -> StoreResult<()> {
    let quoted: String = sqlx::query_scalar("SELECT quote_ident($1)")
        .bind(role)
        .fetch_one(&mut *conn)
        .await?;
    for template in [
        "GRANT USAGE ON SCHEMA public TO {ROLE}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ROLE}",
        "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {ROLE}",
        // The migration ledger is the migrating user's alone.
        "REVOKE ALL ON _sqlx_migrations FROM {ROLE}",
    ] {
        // `quoted` comes from quote_ident, so it is one identifier whatever the setting says.
        sqlx::query(sqlx::AssertSqlSafe(template.replace("{ROLE}", &quoted)))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_released_checksum_names_a_migration_and_differs_from_its_current_text() {
        for (version, released) in RELEASED_PG_CHECKSUMS {
            let current = PG_MIGRATIONS
                .iter()
                .find(|m| m.version == version)
                .expect("a current migration");
            let current_hex: String = current
                .checksum
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(released.len(), 96, "version {version}");
            assert_ne!(current_hex, released, "version {version}");
        }
    }

    #[test]
    fn no_migration_names_a_role() {
        // Roles are the operator's: a migration that grants to or creates one fails for a
        // managed database's owner. `grant_to_app_role` covers every table instead.
        for migration in PG_MIGRATIONS.iter() {
            let sql = migration.sql.as_str().to_lowercase();
            for forbidden in ["create role", "grant ", "djcalls_app"] {
                assert!(
                    !sql.contains(forbidden),
                    "migration {} contains {forbidden:?}",
                    migration.version
                );
            }
        }
    }
}
