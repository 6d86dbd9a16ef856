//! The follow-up claim: at most one text per call, ever.

use super::*;
use djcalls_domain::ExperimentId;
use djcalls_domain::followup_state::FollowupState;

impl Store {
    /// Claims "follow-up sent" for a call, atomically with the checks that must hold right
    /// before sending: the call has no live claim, the caller is not opted out, and the same
    /// caller got nothing from the same DJ since `not_since`. A claim in state `failed` (Twilio
    /// definitely refused it) may be claimed again. Experiments do not apply (a `missed` text).
    pub async fn claim_followup(
        &self,
        req: &FollowupRequest<'_>,
        now: DbTime,
    ) -> StoreResult<FollowupClaim> {
        self.claim_followup_under(req, None, now).await
    }

    /// [`Store::claim_followup`] for a text experiments apply to (`thanks`), composed under
    /// `experiment`: the claim also decides the text's experiment. It records the arm's variant
    /// only while that experiment is still the running one (none ran: none runs), else it
    /// claims nothing (`ExperimentChanged`). On PostgreSQL the running experiment's row is
    /// share-locked until the claim commits, so a stop waits for it; SQLite serialises writers.
    /// `None`: experiments do not apply.
    pub async fn claim_followup_under(
        &self,
        req: &FollowupRequest<'_>,
        experiment: Option<ExperimentArm>,
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
            let existing = decode_state(existing)?;
            let opted_out: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM sms_opt_outs WHERE phone_number = $1")
                    .bind(req.caller)
                    .fetch_optional(&mut *conn)
                    .await?;
            // Another call's claim counts unless it definitely sent nothing (the one state
            // `FollowupState::may_be_claimed_again` allows).
            let recent: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM followups WHERE dj_profile_id = $1 AND caller_number = $2 \
                 AND call_id <> $3 AND state <> $5 AND claimed_at > $4 LIMIT 1",
            )
            .bind(req.dj_profile_id.0)
            .bind(req.caller)
            .bind(req.call_id.0)
            .bind(req.not_since)
            .bind(FollowupState::Failed.as_str())
            .fetch_optional(&mut *conn)
            .await?;
            let running: Option<Uuid> = sqlx::query_scalar(if is_postgres {
                "SELECT id FROM experiments WHERE state = 'running' FOR SHARE"
            } else {
                "SELECT id FROM experiments WHERE state = 'running'"
            })
            .fetch_optional(&mut *conn)
            .await?;
            if existing.is_some_and(|s| !s.may_be_claimed_again()) {
                FollowupClaim::AlreadyClaimed
            } else if opted_out.is_some() {
                FollowupClaim::OptedOut
            } else if recent.is_some() {
                FollowupClaim::RecentFollowup
            } else if experiment.is_some_and(|arm| arm.running != running.map(ExperimentId)) {
                FollowupClaim::ExperimentChanged
            } else {
                let (experiment, variant) = match experiment {
                    Some(ExperimentArm {
                        running: Some(e),
                        variant: Some(v),
                    }) => (Some(e.0), Some(v)),
                    _ => (None, None),
                };
                sqlx::query(
                    "INSERT INTO followups (call_id, dj_profile_id, caller_number, kind, state, claimed_at, updated_at, \
                       experiment_id, experiment_variant) \
                     VALUES ($1, $2, $3, $4, 'claimed', $5, $5, $6, $7) \
                     ON CONFLICT (call_id) DO UPDATE SET state = 'claimed', kind = excluded.kind, \
                       caller_number = excluded.caller_number, message_sid = NULL, \
                       claimed_at = excluded.claimed_at, updated_at = excluded.updated_at, \
                       experiment_id = excluded.experiment_id, \
                       experiment_variant = excluded.experiment_variant \
                     WHERE followups.state = 'failed'",
                )
                .bind(req.call_id.0)
                .bind(req.dj_profile_id.0)
                .bind(req.caller)
                .bind(req.kind)
                .bind(now)
                .bind(experiment)
                .bind(variant)
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
        self.record_followup_sent_with(sent, now, &[]).await
    }

    /// [`Store::record_followup_sent`], enqueueing `jobs` (what the text causes: its outbound
    /// webhook event) in the same transaction.
    pub async fn record_followup_sent_with(
        &self,
        sent: &SentFollowup<'_>,
        now: DbTime,
        jobs: &[crate::jobs::NewJob],
    ) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            for job in jobs {
                crate::jobs::enqueue(conn, job, now).await?;
            }
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
        state: FollowupState,
        now: DbTime,
    ) -> StoreResult<()> {
        in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query("UPDATE followups SET state = $2, updated_at = $3 WHERE call_id = $1 AND state = 'claimed'")
                .bind(call_id.0)
                .bind(state.as_str())
                .bind(now)
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// The experiment and variant a call's follow-up was given, if any.
    pub async fn followup_variant(
        &self,
        call_id: CallId,
    ) -> StoreResult<Option<(ExperimentId, i32)>> {
        let row: Option<(Option<Uuid>, Option<i32>)> = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as(
                "SELECT experiment_id, experiment_variant FROM followups WHERE call_id = $1",
            )
            .bind(call_id.0)
            .fetch_optional(&mut *conn)
            .await?
        });
        Ok(match row {
            Some((Some(e), Some(v))) => Some((ExperimentId(e), v)),
            _ => None,
        })
    }

    /// The state of a call's follow-up claim, if it has one.
    pub async fn followup_state(&self, call_id: CallId) -> StoreResult<Option<FollowupState>> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            let state: Option<String> =
                sqlx::query_scalar("SELECT state FROM followups WHERE call_id = $1")
                    .bind(call_id.0)
                    .fetch_optional(&mut *conn)
                    .await?;
            decode_state(state)?
        }))
    }
}

/// Decodes a stored `followups.state`; the schema's CHECK keeps it inside the vocabulary.
fn decode_state(state: Option<String>) -> sqlx::Result<Option<FollowupState>> {
    state
        .map(FollowupState::try_from)
        .transpose()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}
