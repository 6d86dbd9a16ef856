//! `djcalls user …` and `djcalls token …` (SPEC §1, §11).

use super::{DatabaseArgs, RoleArg};
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user (a dj user is linked to the given profiles, which need not exist yet).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long = "dj-profile-id")]
        dj_profile_ids: Vec<uuid::Uuid>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Stop a user signing in or using their tokens, at once; their dashboard sessions end.
    Disable {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Let a disabled user sign in and use their (unrevoked) tokens again.
    Enable {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Set a user's password to the first line of stdin; their dashboard sessions end.
    Password {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Mint an API token for a user; prints only the token.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a user's API tokens (all of them, or those named NAME); they get 401 at once and
    /// the user's dashboard sessions end.
    Revoke {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}
