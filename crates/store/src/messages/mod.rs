//! SMS: the per-call follow-up claim, the texts we sent and received with their delivery
//! states, and the platform-wide opt-out list.

mod conversation;
mod followups;
mod inbound;
mod opt_outs;

pub use conversation::{REPLY_KIND, SentReply};
pub use inbound::InboundRecorded;

use crate::{DbTime, Store, StoreResult, sql_with};
use djcalls_domain::{Actor, CallId, DjProfileId};
use uuid::Uuid;

/// What trying to claim a call's follow-up found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowupClaim {
    /// Ours: send now, then record the outcome.
    Claimed,
    /// This call's follow-up was claimed before (sent, being sent, or maybe sent): never again.
    AlreadyClaimed,
    /// The caller's number is on the opt-out list.
    OptedOut,
    /// The same caller got a follow-up from the same DJ within the window.
    RecentFollowup,
    /// The running experiment is not the one the text was composed under (one was started or
    /// stopped meanwhile): nothing was claimed; compose again.
    ExperimentChanged,
}

/// The experiment a follow-up's text was composed under: the one running then (if any), and
/// the variant the call got in it (`None`: not enrolled, the DJ's own text).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExperimentArm {
    pub running: Option<djcalls_domain::ExperimentId>,
    pub variant: Option<i32>,
}

/// The claim of one call's follow-up.
#[derive(Clone, Debug)]
pub struct FollowupRequest<'a> {
    pub call_id: CallId,
    pub dj_profile_id: DjProfileId,
    /// E.164.
    pub caller: &'a str,
    /// `thanks` or `missed`.
    pub kind: &'a str,
    /// Follow-ups claimed after this instant (for other calls of the same caller and DJ) block
    /// this one.
    pub not_since: DbTime,
}

/// A text we sent, as recorded once Twilio accepted it.
#[derive(Clone, Debug)]
pub struct SentFollowup<'a> {
    pub call_id: CallId,
    pub dj_profile_id: DjProfileId,
    pub message_sid: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub body: &'a str,
    /// `followup` or `missed`.
    pub kind: &'a str,
    /// The `/pay/…` URL the text carried: stored on the call as `tipjar_link`.
    pub tipjar_link: Option<&'a str>,
}

/// An inbound text, already classified.
#[derive(Clone, Debug)]
pub struct InboundMessage<'a> {
    pub message_sid: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub body: &'a str,
    /// `lead`, `opt_out`, `opt_in` or `help`.
    pub kind: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Message {
    pub id: Uuid,
    pub direction: String,
    pub kind: String,
    pub message_sid: Option<String>,
    pub dj_profile_id: Option<Uuid>,
    pub call_id: Option<Uuid>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub body: Option<String>,
    pub status: String,
    pub status_rank: i32,
    pub error_code: Option<i32>,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

const COLUMNS: &str = "id, direction, kind, message_sid, dj_profile_id, call_id, from_number, \
    to_number, body, status, status_rank, error_code, created_at, updated_at";

/// Orders Twilio's message states so a late or repeated callback never moves a message back
/// (`delivered` stays `delivered` when a `sent` arrives after it).
pub fn status_rank(status: &str) -> i32 {
    match status {
        "accepted" | "scheduled" | "queued" => 0,
        "sending" | "receiving" => 1,
        "sent" => 2,
        "delivered" | "undelivered" | "failed" | "canceled" | "received" => 3,
        "read" => 4,
        _ => 0,
    }
}

/// An opt-out list entry.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OptOut {
    pub phone_number: String,
    /// `keyword` (the person texted STOP), `twilio_21610` (a send was refused), or
    /// `status_callback` (a delivery report said 21610).
    pub source: String,
    pub opted_out_at: DbTime,
}
