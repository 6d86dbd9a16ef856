//! The `djcalls` binary: parses the command line and environment, then hands over to a command.

mod ad_conversions;
mod bench_args;
mod call_capture;
mod call_quality;
mod cli;
mod commands;
mod config;
mod connections;
mod database;
mod followup_args;
mod logging;
mod safety;
mod webhook_args;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // The bench's in-process server would log every request it measures.
    let quiet = matches!(cli.command, cli::Command::Bench(_));
    logging::init(cli.log_json, if quiet { "warn" } else { "info,sqlx=warn" });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One clear line: the context chain, never a backtrace or a secret.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
