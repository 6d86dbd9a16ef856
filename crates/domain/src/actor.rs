//! Who is asking, and what they may see. The same rule is enforced a second time by
//! PostgreSQL row-level security (see the store's migrations).

use crate::ids::{DjProfileId, UserId};
use serde::{Deserialize, Serialize};

/// A user's role as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Dj,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Dj => "dj",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "dj" => Some(Role::Dj),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The authenticated party behind a request or a background task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The DJ Dash backend, holding `DJCALLS_SERVICE_KEY`.
    Service,
    /// An admin user (or one of their API tokens).
    Admin { user: UserId },
    /// A DJ user, linked to the profiles they own.
    Dj {
        user: UserId,
        profiles: Vec<DjProfileId>,
    },
    /// The service itself acting on a verified webhook or a job: sees everything it must touch.
    System,
}

impl Actor {
    /// Whether this actor may read and change the data of `profile`.
    pub fn can_access(&self, profile: DjProfileId) -> bool {
        match self {
            Actor::Service | Actor::Admin { .. } | Actor::System => true,
            Actor::Dj { profiles, .. } => profiles.contains(&profile),
        }
    }

    /// Platform-wide views (all DJs, the pool, the money) and profile management.
    pub fn is_platform(&self) -> bool {
        matches!(self, Actor::Service | Actor::Admin { .. } | Actor::System)
    }

    /// The name PostgreSQL row-level-security policies see in `app.role`.
    pub fn rls_role(&self) -> &'static str {
        match self {
            Actor::Service => "service",
            Actor::Admin { .. } => "admin",
            Actor::Dj { .. } => "dj",
            Actor::System => "system",
        }
    }

    /// The profiles a DJ owns, as the comma-separated list RLS policies read from `app.dj_profile_ids`.
    pub fn rls_profiles(&self) -> String {
        match self {
            Actor::Dj { profiles, .. } => profiles
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(","),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn a_dj_reaches_only_their_own_profiles() {
        let mine = DjProfileId(Uuid::from_u128(1));
        let theirs = DjProfileId(Uuid::from_u128(2));
        let dj = Actor::Dj {
            user: UserId(Uuid::from_u128(9)),
            profiles: vec![mine],
        };
        assert!(dj.can_access(mine));
        assert!(!dj.can_access(theirs));
        assert!(!dj.is_platform());
        assert!(Actor::Service.can_access(theirs));
        assert_eq!(dj.rls_profiles(), mine.to_string());
    }
}
