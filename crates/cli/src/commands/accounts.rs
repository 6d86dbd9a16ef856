//! `djcalls user add|disable|enable|password` and `djcalls token create|revoke`.

use crate::cli::{DatabaseArgs, RoleArg};
use anyhow::anyhow;
use djcalls_app::{App, AppError, Settings, SystemClock};
use djcalls_domain::{DjProfileId, Role};
use djcalls_telephony::SimulatedTelephony;
use std::sync::Arc;

async fn app(db: &DatabaseArgs) -> anyhow::Result<App> {
    let store = crate::config::open_store(db).await?;
    Ok(App::new(
        store,
        Settings::for_base_url("http://localhost"),
        Arc::new(SystemClock),
        Arc::new(SimulatedTelephony::new()),
        crate::config::simulated_payments(&Settings::for_base_url("http://localhost")),
    ))
}

fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Internal(source) => anyhow!("internal error: {source}"),
        other => anyhow!("{other}"),
    }
}

pub async fn add_user(
    db: &DatabaseArgs,
    email: &str,
    password: &str,
    role: RoleArg,
    profiles: &[uuid::Uuid],
) -> anyhow::Result<()> {
    let app = app(db).await?;
    let role = match role {
        RoleArg::Dj => Role::Dj,
        RoleArg::Admin => Role::Admin,
    };
    let profiles: Vec<DjProfileId> = profiles.iter().copied().map(DjProfileId).collect();
    let user = app
        .add_user(email, password, role, &profiles)
        .await
        .map_err(explain)?;
    eprintln!(
        "created {} user {} ({})",
        role.as_str(),
        user.email,
        user.id
    );
    app.close().await;
    Ok(())
}

pub async fn create_token(db: &DatabaseArgs, email: &str, name: &str) -> anyhow::Result<()> {
    let app = app(db).await?;
    let token = app.create_api_token(email, name).await.map_err(explain)?;
    // Only the token on stdout, so `TOKEN=$(djcalls token create …)` works.
    println!("{token}");
    app.close().await;
    Ok(())
}

pub async fn revoke_tokens(
    db: &DatabaseArgs,
    email: &str,
    name: Option<&str>,
) -> anyhow::Result<()> {
    let app = app(db).await?;
    let revoked = app.revoke_api_tokens(email, name).await.map_err(explain)?;
    eprintln!("revoked {revoked} token(s) of {email}; their dashboard sessions ended");
    app.close().await;
    Ok(())
}

pub async fn set_enabled(db: &DatabaseArgs, email: &str, enabled: bool) -> anyhow::Result<()> {
    let app = app(db).await?;
    app.set_user_enabled(email, enabled)
        .await
        .map_err(explain)?;
    if enabled {
        eprintln!("enabled {email}");
    } else {
        eprintln!("disabled {email}; their tokens and dashboard sessions stopped working");
    }
    app.close().await;
    Ok(())
}

/// The new password is the first line of stdin (never an argument: those show in `ps`).
pub async fn change_password(db: &DatabaseArgs, email: &str) -> anyhow::Result<()> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| anyhow!("cannot read the new password from stdin: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']);
    let app = app(db).await?;
    app.change_password(email, password)
        .await
        .map_err(explain)?;
    eprintln!("changed the password of {email}; their dashboard sessions ended");
    app.close().await;
    Ok(())
}
