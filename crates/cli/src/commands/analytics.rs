//! `djcalls analytics verify` and `djcalls analytics rebuild`: the summaries behind SPEC §6
//! checked against, or recomputed from, the calls themselves.

use crate::cli::DatabaseArgs;
use anyhow::Context;

pub async fn verify(database: &DatabaseArgs) -> anyhow::Result<()> {
    let store = crate::config::open_store(database).await?;
    let folded = store
        .fold_analytics()
        .await
        .context("folding pending analytics")?;
    let checks = store
        .verify_analytics()
        .await
        .context("verifying analytics");
    store.close().await;
    let checks = checks?;
    let mut differing = 0;
    for check in &checks {
        println!("{:<31} {} differing", check.table, check.differing);
        differing += check.differing;
    }
    println!("({folded} pending changes folded first)");
    if differing > 0 {
        anyhow::bail!(
            "{differing} summary rows differ from a recount; run `djcalls analytics rebuild`"
        );
    }
    println!("every analytics summary equals a recount of the calls");
    Ok(())
}

pub async fn rebuild(database: &DatabaseArgs) -> anyhow::Result<()> {
    let store = crate::config::open_store(database).await?;
    let started = std::time::Instant::now();
    let rebuilt = store
        .rebuild_analytics()
        .await
        .context("rebuilding analytics");
    store.close().await;
    rebuilt?;
    println!(
        "analytics summaries rebuilt from the calls in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
