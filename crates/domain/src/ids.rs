//! Typed ids: a `CallId` can never be passed where a `DjProfileId` is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id (UUID v7).
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

typed_id!(
    /// A call record (`dj_calls.id`).
    CallId
);
typed_id!(
    /// A DJ's public profile on DJ Dash (`dj_profiles.id`); the tenant key of every DJ-owned row.
    DjProfileId
);
typed_id!(
    /// A person who signs in (dashboards) or owns API tokens.
    UserId
);
typed_id!(
    /// A caller as a contact of one DJ (`contacts.id`): one per DJ and phone number.
    ContactId
);
typed_id!(
    /// A URL outbound webhooks are delivered to (`webhook_endpoints.id`).
    WebhookEndpointId
);
typed_id!(
    /// One event's delivery to one endpoint, with its attempts (`webhook_deliveries.id`).
    WebhookDeliveryId
);
typed_id!(
    /// An A/B test of the follow-up text (`experiments.id`).
    ExperimentId
);
