//! SMS: the per-call follow-up claim, the texts we sent and received with their delivery
//! states, and the platform-wide opt-out list.

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

impl Store {
    /// Claims "follow-up sent" for a call, atomically with the checks that must hold right
    /// before sending: the call has no live claim, the caller is not opted out, and the same
    /// caller got nothing from the same DJ since `not_since`. A claim in state `failed` (Twilio
    /// definitely refused it) may be claimed again.
    pub async fn claim_followup(
        &self,
        req: &FollowupRequest<'_>,
        now: DbTime,
    ) -> StoreResult<FollowupClaim> {
        let is_postgres = self.backend() == crate::Backend::Postgres;
        let lock_key = format!("followup:{}:{}", req.dj_profile_id, req.caller);
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            if is_postgres {
                // Two calls of one caller to one DJ claim in turn, so the 24 h rule holds
                // under concurrency; SQLite's BEGIN IMMEDIATE already serialises writers.
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(&lock_key)
                    .execute(&mut *conn)
                    .await?;
            }
            let existing: Option<String> =
                sqlx::query_scalar("SELECT state FROM followups WHERE call_id = $1")
                    .bind(req.call_id.0)
                    .fetch_optional(&mut *conn)
                    .await?;
            let opted_out: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM sms_opt_outs WHERE phone_number = $1")
                    .bind(req.caller)
                    .fetch_optional(&mut *conn)
                    .await?;
            let recent: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM followups WHERE dj_profile_id = $1 AND caller_number = $2 \
                 AND call_id <> $3 AND state IN ('claimed', 'sent', 'unknown') AND claimed_at > $4 LIMIT 1",
            )
            .bind(req.dj_profile_id.0)
            .bind(req.caller)
            .bind(req.call_id.0)
            .bind(req.not_since)
            .fetch_optional(&mut *conn)
            .await?;
            if existing.as_deref().is_some_and(|s| s != "failed") {
                FollowupClaim::AlreadyClaimed
            } else if opted_out.is_some() {
                FollowupClaim::OptedOut
            } else if recent.is_some() {
                FollowupClaim::RecentFollowup
            } else {
                sqlx::query(
                    "INSERT INTO followups (call_id, dj_profile_id, caller_number, kind, state, claimed_at, updated_at) \
                     VALUES ($1, $2, $3, $4, 'claimed', $5, $5) \
                     ON CONFLICT (call_id) DO UPDATE SET state = 'claimed', kind = excluded.kind, \
                       caller_number = excluded.caller_number, message_sid = NULL, \
                       claimed_at = excluded.claimed_at, updated_at = excluded.updated_at \
                     WHERE followups.state = 'failed'",
                )
                .bind(req.call_id.0)
                .bind(req.dj_profile_id.0)
                .bind(req.caller)
                .bind(req.kind)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                FollowupClaim::Claimed
            }
        }))
    }

    /// Records a follow-up Twilio accepted: the claim becomes `sent`, the message is kept, and
    /// the call's `tipjar_link_sent` / `tipjar_link` are set — one transaction.
    pub async fn record_followup_sent(
        &self,
        sent: &SentFollowup<'_>,
        now: DbTime,
    ) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "UPDATE followups SET state = 'sent', message_sid = $2, sent_at = $3, updated_at = $3 \
                 WHERE call_id = $1",
            )
            .bind(sent.call_id.0)
            .bind(sent.message_sid)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            // A status callback may have beaten us here and left a bare row: fill it in.
            sqlx::query(
                "INSERT INTO messages (id, direction, kind, message_sid, dj_profile_id, call_id, \
                 from_number, to_number, body, status, status_rank, created_at, updated_at) \
                 VALUES ($1, 'outbound', $2, $3, $4, $5, $6, $7, $8, 'accepted', 0, $9, $9) \
                 ON CONFLICT (message_sid) DO UPDATE SET kind = excluded.kind, \
                   dj_profile_id = excluded.dj_profile_id, call_id = excluded.call_id, \
                   from_number = excluded.from_number, to_number = excluded.to_number, \
                   body = excluded.body, updated_at = excluded.updated_at",
            )
            .bind(Uuid::now_v7())
            .bind(sent.kind)
            .bind(sent.message_sid)
            .bind(sent.dj_profile_id.0)
            .bind(sent.call_id.0)
            .bind(sent.from)
            .bind(sent.to)
            .bind(sent.body)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            if let Some(link) = sent.tipjar_link {
                sqlx::query(
                    "UPDATE dj_calls SET tipjar_link_sent = true, tipjar_link = $2, updated_at = $3 \
                     WHERE id = $1",
                )
                .bind(sent.call_id.0)
                .bind(link)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    /// Settles a claim that did not end in `sent`: `failed` (definitely not sent; may be
    /// claimed again) or `unknown` (maybe sent; never again).
    pub async fn settle_followup(
        &self,
        call_id: CallId,
        state: &str,
        now: DbTime,
    ) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("UPDATE followups SET state = $2, updated_at = $3 WHERE call_id = $1 AND state = 'claimed'")
                .bind(call_id.0)
                .bind(state)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// The state of a call's follow-up claim, if it has one.
    pub async fn followup_state(&self, call_id: CallId) -> StoreResult<Option<String>> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar("SELECT state FROM followups WHERE call_id = $1")
                .bind(call_id.0)
                .fetch_optional(&mut *conn)
                .await?
        }))
    }

    /// Keeps an inbound text once per MessageSid, linked to the DJ whose assigned number got
    /// it and to that DJ's latest call from the sender. Returns whether it was new and the DJ.
    pub async fn record_inbound_message(
        &self,
        message: &InboundMessage<'_>,
        now: DbTime,
    ) -> StoreResult<(bool, Option<DjProfileId>)> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            let dj: Option<Uuid> = sqlx::query_scalar(
                "SELECT dj_profile_id FROM dj_virtual_numbers WHERE virtual_number = $1 AND state = 'assigned'",
            )
            .bind(message.to)
            .fetch_optional(&mut *conn)
            .await?;
            let call: Option<Uuid> =
                match dj {
                    Some(dj) => sqlx::query_scalar(
                        "SELECT id FROM dj_calls WHERE dj_profile_id = $1 AND caller_number = $2 \
                         ORDER BY \"timestamp\" DESC, id DESC LIMIT 1",
                    )
                    .bind(dj)
                    .bind(message.from)
                    .fetch_optional(&mut *conn)
                    .await?,
                    None => None,
                };
            let inserted = sqlx::query(
                "INSERT INTO messages (id, direction, kind, message_sid, dj_profile_id, call_id, \
                 from_number, to_number, body, status, status_rank, created_at, updated_at) \
                 VALUES ($1, 'inbound', $2, $3, $4, $5, $6, $7, $8, 'received', $9, $10, $10) \
                 ON CONFLICT (message_sid) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(message.kind)
            .bind(message.message_sid)
            .bind(dj)
            .bind(call)
            .bind(message.from)
            .bind(message.to)
            .bind(message.body)
            .bind(status_rank("received"))
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0;
            (inserted, dj.map(DjProfileId))
        }))
    }

    /// Records a delivery report for `message_sid`; a report older than what we know changes
    /// nothing. A report for a message we have not recorded yet (it raced our own write) is
    /// kept and completed later. Returns the recipient as stored.
    pub async fn record_message_status(
        &self,
        message_sid: &str,
        status: &str,
        error_code: Option<i32>,
        to: Option<&str>,
        from: Option<&str>,
        now: DbTime,
    ) -> StoreResult<Option<String>> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query_scalar::<_, Option<String>>(
                "INSERT INTO messages (id, direction, kind, message_sid, from_number, to_number, \
                 status, status_rank, error_code, created_at, updated_at) \
                 VALUES ($1, 'outbound', 'unknown', $2, $3, $4, $5, $6, $7, $8, $8) \
                 ON CONFLICT (message_sid) DO UPDATE SET \
                   status = CASE WHEN excluded.status_rank >= messages.status_rank \
                                 THEN excluded.status ELSE messages.status END, \
                   status_rank = CASE WHEN excluded.status_rank >= messages.status_rank \
                                 THEN excluded.status_rank ELSE messages.status_rank END, \
                   error_code = COALESCE(excluded.error_code, messages.error_code), \
                   to_number = COALESCE(messages.to_number, excluded.to_number), \
                   from_number = COALESCE(messages.from_number, excluded.from_number), \
                   updated_at = excluded.updated_at \
                 RETURNING to_number",
            )
            .bind(Uuid::now_v7())
            .bind(message_sid)
            .bind(from)
            .bind(to)
            .bind(status)
            .bind(status_rank(status))
            .bind(error_code)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
        }))
    }

    pub async fn message_by_sid(
        &self,
        actor: &Actor,
        message_sid: &str,
    ) -> StoreResult<Option<Message>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, Message>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM messages WHERE message_sid = $1",
            ))
            .bind(message_sid)
            .fetch_optional(&mut *conn)
            .await?
        }))
    }

    /// A call's texts, oldest first.
    pub async fn messages_for_call(
        &self,
        actor: &Actor,
        call_id: CallId,
    ) -> StoreResult<Vec<Message>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, Message>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM messages WHERE call_id = $1 ORDER BY created_at, id",
            ))
            .bind(call_id.0)
            .fetch_all(&mut *conn)
            .await?
        }))
    }

    /// A DJ's texts (sent and received), newest first.
    pub async fn messages_for_profile(
        &self,
        actor: &Actor,
        dj_profile_id: DjProfileId,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, Message>(sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM messages WHERE dj_profile_id = $1 \
                 ORDER BY created_at DESC, id DESC LIMIT $2",
            ))
            .bind(dj_profile_id.0)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }

    /// Puts `phone_number` on the opt-out list; true when it was not on it.
    pub async fn record_opt_out(
        &self,
        phone_number: &str,
        source: &str,
        now: DbTime,
    ) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(
                "INSERT INTO sms_opt_outs (phone_number, source, opted_out_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (phone_number) DO NOTHING",
            )
            .bind(phone_number)
            .bind(source)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0
        }))
    }

    /// Takes `phone_number` off the opt-out list (START); true when it was on it.
    pub async fn clear_opt_out(&self, phone_number: &str) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("DELETE FROM sms_opt_outs WHERE phone_number = $1")
                .bind(phone_number)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                > 0
        }))
    }

    pub async fn is_opted_out(&self, phone_number: &str) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar::<_, i32>("SELECT 1 FROM sms_opt_outs WHERE phone_number = $1")
                .bind(phone_number)
                .fetch_optional(&mut *conn)
                .await?
                .is_some()
        }))
    }

    /// The opt-out list, most recent first (the admin console).
    pub async fn opt_outs(&self, actor: &Actor, limit: u32) -> StoreResult<Vec<OptOut>> {
        Ok(in_tx!(self, actor, read, |conn| {
            sqlx::query_as::<_, OptOut>(
                "SELECT phone_number, source, opted_out_at FROM sms_opt_outs \
                 ORDER BY opted_out_at DESC, phone_number LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }
}
