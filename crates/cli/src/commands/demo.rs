//! `djcalls demo`: a fresh embedded database with three DJs, ~90 days of calls and payments,
//! and logins printed at start; then the same server as `serve`.

use crate::cli::DatabaseArgs;
use crate::cli::DemoArgs;
use anyhow::Context;
use djcalls_app::{App, SystemClock};
use std::sync::Arc;

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let settings = crate::config::settings(&args.service)?;
    let dir = std::env::temp_dir().join(format!("djcalls-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join("demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let database = DatabaseArgs::for_url(format!("sqlite://{}", path.display()));
    let store = crate::config::open_store(&database).await?;
    let telephony = crate::config::telephony(&args.service.twilio)?;
    let payments = crate::config::payments(&args.service.payments, &settings)?;
    let app = App::new(store, settings, Arc::new(SystemClock), telephony, payments);
    let world = app
        .seed_demo()
        .await
        .map_err(|e| anyhow::anyhow!("cannot seed the demo: {e}"))?;
    let banner = |base_url: &str| {
        println!();
        println!("djcalls demo — database {}", path.display());
        println!(
            "  {} calls and {} payments over the last 90 days",
            world.calls, world.payments
        );
        println!("  dashboards: {base_url}/login  (DJ dashboard, call pages, /admin console)");
        println!("  logins:");
        for login in &world.logins {
            let who = login.dj_name.unwrap_or("admin");
            println!(
                "    {:<6} {:<28} password {:<20} {}",
                login.role.as_str(),
                login.email,
                login.password,
                who
            );
        }
        println!("  DJ profiles (simulated telephony: nothing is really dialled or texted):");
        for (id, name, number) in &world.profiles {
            println!("    {name:<16} {id}  virtual number {number}");
        }
        if let Some((_, _, number)) = world.profiles.first() {
            println!(
                "  a call through the real webhook path: cargo run --release -- simulate call --to {number} --outcome voicemail --server {base_url}"
            );
        }
        println!("  admin API token: {}", world.admin_token);
        println!(
            "  try: curl -H 'Authorization: Bearer {}' '{base_url}/api/djdash/admin/analytics'",
            world.admin_token
        );
        println!();
    };
    super::serve::serve(app, &args.service, banner).await
}
