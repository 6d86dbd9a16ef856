//! Pure types and rules of djcalls: ids, phone numbers, money and refunds, call states, click
//! attribution, actors, date ranges, analytics arithmetic and the jobs' retry schedule. No I/O
//! and no clock: time always comes in as a parameter.

pub mod actor;
pub mod analytics;
pub mod attribution;
pub mod call;
pub mod experiment;
pub mod experiment_stats;
pub mod followup;
pub mod followup_state;
pub mod followup_template;
pub mod followup_wait;
pub mod forwarding;
pub mod ids;
pub mod money;
pub mod phone;
pub mod quality;
pub mod range;
pub mod rate_limit;
pub mod refund;
pub mod reports;
pub mod retry;
pub mod rollup_plan;
pub mod sms_segments;
pub mod transcript;
pub mod vocab;
pub mod voice;

pub use actor::{Actor, Role};
pub use call::{CallSource, CallStatus, LeadScore};
pub use ids::{
    CallId, ContactId, DjProfileId, ExperimentId, UserId, WebhookDeliveryId, WebhookEndpointId,
};
pub use money::{Cents, CutRate};
pub use phone::PhoneNumber;
