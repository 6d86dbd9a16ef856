//! One module per subcommand; `run` dispatches.

mod accounts;
mod analytics;
mod bench;
mod demo;
mod fallback;
mod serve;
pub(crate) mod simulate;

use crate::cli::{
    AnalyticsCommand, Command, FallbackCommand, SimulateCommand, TokenCommand, UserCommand,
};

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => serve::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Migrate(db) => {
            crate::config::open_store(&db).await?.close().await;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::User(UserCommand::Add {
            email,
            password,
            role,
            dj_profile_ids,
            database,
        }) => accounts::add_user(&database, &email, &password, role, &dj_profile_ids).await,
        Command::Token(TokenCommand::Create {
            email,
            name,
            database,
        }) => accounts::create_token(&database, &email, &name).await,
        Command::Token(TokenCommand::Revoke {
            email,
            name,
            database,
        }) => accounts::revoke_tokens(&database, &email, name.as_deref()).await,
        Command::User(UserCommand::Disable { email, database }) => {
            accounts::set_enabled(&database, &email, false).await
        }
        Command::User(UserCommand::Enable { email, database }) => {
            accounts::set_enabled(&database, &email, true).await
        }
        Command::User(UserCommand::Password { email, database }) => {
            accounts::change_password(&database, &email).await
        }
        Command::Simulate(SimulateCommand::Call(args)) => simulate::call(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Fallback(FallbackCommand::Export { dir, database }) => {
            fallback::export(&database, &dir).await
        }
        Command::Reconcile(args) => fallback::reconcile(args).await,
        Command::Analytics(AnalyticsCommand::Verify { database }) => {
            analytics::verify(&database).await
        }
        Command::Analytics(AnalyticsCommand::Rebuild { database }) => {
            analytics::rebuild(&database).await
        }
    }
}
