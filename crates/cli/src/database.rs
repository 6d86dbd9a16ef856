//! Opening the database `serve` and the commands use: connect, migrate, check the setup; or,
//! for a `serve` that starts while PostgreSQL is away, a store that connects when it answers.

use crate::cli::DatabaseArgs;
use crate::config::redact_url;
use anyhow::{Context, bail};
use djcalls_store::{Store, StoreOptions};

/// Connects (and to the read replica, when `DATABASE_READ_URL` is set) and applies pending
/// migrations, with errors that say which database (password hidden) and why. Says once at
/// start which role transactions run as, and warns when that role skips row-level security.
pub async fn open_store(db: &DatabaseArgs) -> anyhow::Result<Store> {
    let shown = redact_url(&db.database_url);
    if djcalls_store::backend_of(&db.database_url).is_none() {
        bail!("DATABASE_URL must start with sqlite:// or postgres:// (got {shown})");
    }
    let options = store_options(db)?;
    let store = Store::connect_with(&db.database_url, &options)
        .await
        .with_context(|| match &options.read_url {
            Some(read_url) => format!(
                "cannot open the database at {shown} (DATABASE_READ_URL {})",
                redact_url(read_url)
            ),
            None => format!("cannot open the database at {shown}"),
        })?;
    prepare_store(&store, db).await?;
    Ok(store)
}

/// A PostgreSQL store that connects when the database answers, for a `serve` that starts
/// while it is away; [`prepare_store`] it once it answers.
pub async fn open_store_lazily(db: &DatabaseArgs) -> anyhow::Result<Store> {
    let options = store_options(db)?;
    Store::connect_lazy_with(&db.database_url, &options)
        .await
        .with_context(|| {
            format!(
                "cannot open the database at {}",
                redact_url(&db.database_url)
            )
        })
}

/// Applies pending migrations and checks the setup (the app role, row-level security).
pub async fn prepare_store(store: &Store, db: &DatabaseArgs) -> anyhow::Result<()> {
    let shown = redact_url(&db.database_url);
    store
        .check_setup()
        .await
        .with_context(|| format!("the database at {shown} is not set up as configured"))?;
    store
        .migrate()
        .await
        .with_context(|| format!("cannot apply migrations to {shown}"))?;
    match store.rls_enforced().await {
        Ok(Some(false)) => tracing::warn!(
            app_role = store.app_role(),
            "the database role transactions run as is a superuser or has BYPASSRLS: \
             row-level security does not apply (see README, PostgreSQL)"
        ),
        Ok(Some(true)) => tracing::info!(
            app_role = store.app_role(),
            read_replica = db.database_read_url.is_some(),
            "row-level security binds the database role transactions run as"
        ),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "cannot tell whether row-level security applies"),
    }
    Ok(())
}

/// `DJCALLS_DB_APP_ROLE` and `DATABASE_READ_URL`, blank values counting as unset.
fn store_options(db: &DatabaseArgs) -> anyhow::Result<StoreOptions> {
    let read_url = crate::config::non_empty(&db.database_read_url);
    if let Some(read_url) = &read_url
        && djcalls_store::backend_of(read_url) != Some(djcalls_store::Backend::Postgres)
    {
        bail!(
            "DATABASE_READ_URL must start with postgres:// (got {})",
            redact_url(read_url)
        );
    }
    Ok(StoreOptions {
        app_role: crate::config::non_empty(&db.db_app_role),
        read_url,
    })
}
