//! The calls of accepted `incoming` deliveries (PostgreSQL; migration 0041). `incoming` made
//! its delivery durable and answered; this brings the call in line with it, in batches as
//! large as the backlog (up to [`Store::project_incoming_jobs`]'s limit): a new call's row,
//! attribution, summaries, contact and outbound event set-based in one function call, and any
//! call with other deliveries folded on the general path. Any process may project any
//! delivery; each is projected once (its row in `incoming_unprojected` is locked, skipped by
//! the others, and removed in the transaction that projects it).

use super::{Delivery, VoiceUpdate};
use crate::calls::CallRecord;
use crate::contacts::ContactUpsert;
use crate::jobs::NewJob;
use crate::{DbTime, Pool, Store, StoreResult};
use djcalls_domain::voice::CallFacts;
use djcalls_domain::{Actor, CallId, ContactId, DjProfileId};
use uuid::Uuid;

/// One accepted delivery, projected.
#[derive(Clone, Debug)]
pub struct IncomingProjected {
    pub call_sid: String,
    /// The call row it created or updated; `None` when its number has no owner.
    pub call: Option<(CallId, DjProfileId)>,
    /// True when the projection enqueued a job (the contact's outbound event, or on the
    /// general path the follow-up).
    pub followup_enqueued: bool,
    /// The caller's contact, made or found with the call.
    pub contact: Option<ContactUpsert>,
}

/// What one [`Store::project_incoming_jobs`] did.
#[derive(Clone, Debug, Default)]
pub struct Projection {
    /// Deliveries this transaction took (none: nothing was waiting, or others have them).
    pub claimed: usize,
    /// The deliveries projected; fewer than `claimed` when a call to fold on the general path
    /// was taken by another process meanwhile.
    pub projected: Vec<IncomingProjected>,
    /// Calls to fold on the general path that failed; their deliveries wait for the next
    /// projection.
    pub failed: usize,
}

/// What `djcalls_project_incoming` answers for one delivery.
#[derive(Debug, sqlx::FromRow)]
struct ProjectedRow {
    event_id: Uuid,
    call_sid: String,
    received_at: DbTime,
    outcome: String,
    call_id: Option<Uuid>,
    owner: Option<Uuid>,
    contact_id: Option<Uuid>,
    contact_created: Option<bool>,
    event_queued: Option<bool>,
}

impl ProjectedRow {
    fn projected(&self) -> IncomingProjected {
        let call = self
            .call_id
            .zip(self.owner)
            .map(|(c, o)| (CallId(c), DjProfileId(o)));
        let contact = call
            .zip(self.contact_id)
            .map(|((_, owner), id)| ContactUpsert {
                contact_id: ContactId(id),
                dj_profile_id: owner,
                created: self.contact_created.unwrap_or(false),
            });
        IncomingProjected {
            call_sid: self.call_sid.clone(),
            call,
            followup_enqueued: self.event_queued.unwrap_or(false),
            contact,
        }
    }
}

impl Store {
    /// True when `incoming` only accepts its delivery and calls are projected afterwards
    /// (PostgreSQL); SQLite records the whole call with the delivery.
    pub fn projects_incoming(&self) -> bool {
        matches!(self.pool, Pool::Pg(_))
    }

    /// Accepted `incoming` deliveries waiting for their projection (always 0 on SQLite).
    pub async fn incoming_waiting(&self) -> StoreResult<u64> {
        if !self.projects_incoming() {
            return Ok(0);
        }
        let waiting: i64 = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar("SELECT count(*) FROM incoming_unprojected")
                .fetch_one(&mut *conn)
                .await?
        });
        Ok(u64::try_from(waiting).unwrap_or(0))
    }

    /// Projects `call_sid`'s accepted `incoming` deliveries now (on the general path, as
    /// [`Store::project_incoming_jobs`] folds a call), for a delivery that needs the call's
    /// row. Nothing when none waits, or on SQLite.
    pub async fn project_call_jobs<F>(
        &self,
        call_sid: &str,
        jobs: F,
    ) -> StoreResult<Vec<IncomingProjected>>
    where
        F: Fn(&CallFacts, &CallRecord, Option<&ContactUpsert>) -> Vec<NewJob> + Send + Sync,
    {
        if !self.projects_incoming() {
            return Ok(Vec::new());
        }
        let waiting: Vec<(Uuid, DbTime)> = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_as(
                "SELECT event_id, received_at FROM incoming_unprojected WHERE call_sid = $1 \
                 ORDER BY event_id",
            )
            .bind(call_sid)
            .fetch_all(&mut *conn)
            .await?
        });
        let mut projected = Vec::new();
        for (event_id, at) in waiting {
            let delivery = Delivery::Accepted {
                event_id,
                wait: true,
            };
            if let Some(update) = self.fold_delivery(call_sid, delivery, at, &jobs).await? {
                projected.push(from_general_path(call_sid.to_string(), update));
            }
        }
        Ok(projected)
    }

    /// Projects up to `limit` accepted `incoming` deliveries, oldest first. `jobs` is the hook
    /// of [`Store::record_voice_event_jobs`], for the calls folded on the general path (a
    /// call whose status callback overtook its `incoming`); a new call's first delivery
    /// causes no job but its contact's outbound event, which the database enqueues. Nothing
    /// to do on SQLite.
    pub async fn project_incoming_jobs<F>(&self, limit: usize, jobs: F) -> StoreResult<Projection>
    where
        F: Fn(&CallFacts, &CallRecord, Option<&ContactUpsert>) -> Vec<NewJob> + Send + Sync,
    {
        let Pool::Pg(pool) = &self.pool else {
            return Ok(Projection::default());
        };
        let limit = i32::try_from(limit).unwrap_or(i32::MAX);
        let mut failed = 0;
        let rows = match self.project_set_based(pool, limit, None).await {
            Ok(rows) => rows,
            // A batch fails as a whole: its deliveries one at a time, so that one that cannot
            // be projected holds up no other (and is set aside after a few tries).
            Err(e) if limit > 1 && !e.is_unavailable() => {
                tracing::warn!(error = %e, "a projection batch failed; projecting its deliveries one by one");
                let mut rows = Vec::new();
                for event_id in self.claimable_incoming(limit).await? {
                    match self.project_set_based(pool, 1, Some(event_id)).await {
                        Ok(projected) => rows.extend(projected),
                        Err(e) => {
                            self.projection_failed(event_id, &e).await?;
                            failed += 1;
                        }
                    }
                }
                rows
            }
            Err(e) => return Err(e),
        };
        let mut projection = Projection {
            claimed: rows.len() + failed,
            projected: Vec::with_capacity(rows.len()),
            failed,
        };
        for row in rows {
            if row.outcome == "recorded" {
                projection.projected.push(row.projected());
                continue;
            }
            let delivery = Delivery::Accepted {
                event_id: row.event_id,
                wait: false,
            };
            // One call that cannot be folded must not hold up the others: its failure is
            // counted against its row (which waits for the next drain) and the rest go on.
            match self
                .fold_delivery(&row.call_sid, delivery, row.received_at, &jobs)
                .await
            {
                Ok(folded) => projection
                    .projected
                    .extend(folded.map(|update| from_general_path(row.call_sid, update))),
                Err(e) => {
                    tracing::warn!(error = %e, call_sid = %row.call_sid, "an accepted incoming call could not be folded; it waits for the next projection");
                    self.projection_failed(row.event_id, &e).await?;
                    projection.failed += 1;
                }
            }
        }
        Ok(projection)
    }
}

impl Store {
    /// One call of `djcalls_project_incoming`: up to `limit` waiting deliveries, or `only` one.
    async fn project_set_based(
        &self,
        pool: &sqlx::PgPool,
        limit: i32,
        only: Option<Uuid>,
    ) -> StoreResult<Vec<ProjectedRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM djcalls_project_incoming($1, $2, $3)")
                .bind(self.app_role.as_deref())
                .bind(limit)
                .bind(only)
                .fetch_all(pool)
                .await?,
        )
    }

    /// The deliveries a projection would take now, oldest first.
    async fn claimable_incoming(&self, limit: i32) -> StoreResult<Vec<Uuid>> {
        Ok(in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar(
                "SELECT event_id FROM incoming_unprojected WHERE attempts < $1 \
                 ORDER BY event_id LIMIT $2",
            )
            .bind(SET_ASIDE_AFTER)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }

    /// Counts a failed projection of `event_id` and keeps its error; the fifth sets it aside.
    async fn projection_failed(
        &self,
        event_id: Uuid,
        error: &crate::StoreError,
    ) -> StoreResult<()> {
        let message = error.to_string();
        let attempts: Option<i32> = in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query_scalar(
                "UPDATE incoming_unprojected SET attempts = attempts + 1, last_error = $2 \
                 WHERE event_id = $1 RETURNING attempts",
            )
            .bind(event_id)
            .bind(&message)
            .fetch_optional(&mut *conn)
            .await?
        });
        if attempts.is_some_and(|a| a >= SET_ASIDE_AFTER) {
            tracing::error!(event_id = %event_id, error = %message, "an accepted incoming call could not be projected and is set aside in incoming_unprojected; set its attempts to 0 to retry it");
        }
        Ok(())
    }
}

/// Failed projections after which a delivery is no longer taken (as in migration 0041).
const SET_ASIDE_AFTER: i32 = 5;

fn from_general_path(call_sid: String, update: VoiceUpdate) -> IncomingProjected {
    IncomingProjected {
        call_sid,
        call: update.call.map(|c| (c.id, c.dj_profile_id)),
        followup_enqueued: update.followup_enqueued,
        contact: update.contact,
    }
}
