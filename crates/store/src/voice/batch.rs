//! Group commit for `incoming` on PostgreSQL: the deliveries that arrive while earlier ones are
//! in flight are accepted together by `djcalls_accept_incoming_batch` (migration 0041: one
//! statement whatever the batch's size — the events, their projection rows and the routing
//! answers) in one round trip and one commit. A delivery that finds nothing in flight goes at
//! once, as a batch of one: nothing waits for company. At most [`IN_FLIGHT`] batches run at a
//! time, so under load the queue behind them is what forms the next batch.
//!
//! Each item is accepted exactly as on its own (its event once per delivery key; the call is
//! projected afterwards, `projection.rs`). A batch that fails as a whole is retried item by
//! item, so one bad item never fails the others.

use super::incoming::AcceptedRow;
use crate::dbtime::to_offset_date_time;
use crate::{DbTime, StoreError, StoreResult};
use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use time::OffsetDateTime;
use tokio::sync::{Semaphore, mpsc, oneshot};
use uuid::Uuid;

/// Batches in flight at once (each holds one pooled connection): one runs while the others
/// wait for their commit's WAL flush, and fewer, larger batches share the fixed cost.
/// Measured again with the accept-only batch (0041), 16 connections: 3 beat 6, 8 and 16.
const IN_FLIGHT: usize = 3;
/// Deliveries in one batch at most.
const MAX_BATCH: usize = 64;

/// What `djcalls_accept_incoming_batch` takes for one delivery: the event, and the facts and
/// attribution windows its projection will need.
#[derive(Clone, Debug)]
pub(crate) struct IncomingArgs {
    pub call_sid: String,
    pub dedupe_key: String,
    pub event: String,
    pub at: DbTime,
    pub event_id: Uuid,
    pub call_id: Uuid,
    pub virtual_number: Option<String>,
    pub caller: Option<String>,
    pub caller_name: Option<String>,
    pub call_status: String,
    pub answered: bool,
    pub voicemail_left: bool,
    pub high_from: DbTime,
    pub low_from: DbTime,
}

struct Pending {
    args: IncomingArgs,
    reply: oneshot::Sender<StoreResult<AcceptedRow>>,
}

/// The door to the batching task; cheap to share. The task ends when the store is dropped.
#[derive(Debug)]
pub(crate) struct IncomingBatcher {
    queue: mpsc::UnboundedSender<Pending>,
    sizes: Arc<BatchSizes>,
}

/// How the deliveries were batched so far (for tests and `djcalls bench`).
#[derive(Debug, Default)]
struct BatchSizes {
    batches: AtomicUsize,
    deliveries: AtomicUsize,
    largest: AtomicUsize,
}

/// [`BatchSizes`] read at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IncomingBatches {
    pub batches: usize,
    pub deliveries: usize,
    pub largest: usize,
}

impl IncomingBatcher {
    pub(crate) fn start(pool: PgPool, role: Option<Arc<str>>) -> IncomingBatcher {
        let (queue, waiting) = mpsc::unbounded_channel();
        let sizes = Arc::new(BatchSizes::default());
        tokio::spawn(gather(pool, role, waiting, sizes.clone()));
        IncomingBatcher { queue, sizes }
    }

    pub(crate) fn sizes(&self) -> IncomingBatches {
        IncomingBatches {
            batches: self.sizes.batches.load(Ordering::Relaxed),
            deliveries: self.sizes.deliveries.load(Ordering::Relaxed),
            largest: self.sizes.largest.load(Ordering::Relaxed),
        }
    }

    pub(crate) async fn record(&self, args: IncomingArgs) -> StoreResult<AcceptedRow> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending { args, reply })
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        answer
            .await
            .unwrap_or(Err(StoreError::Database(sqlx::Error::PoolClosed)))
    }
}

async fn gather(
    pool: PgPool,
    role: Option<Arc<str>>,
    mut waiting: mpsc::UnboundedReceiver<Pending>,
    sizes: Arc<BatchSizes>,
) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    while let Some(first) = waiting.recv().await {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH
            && let Ok(next) = waiting.try_recv()
        {
            batch.push(next);
        }
        sizes.batches.fetch_add(1, Ordering::Relaxed);
        sizes.deliveries.fetch_add(batch.len(), Ordering::Relaxed);
        sizes.largest.fetch_max(batch.len(), Ordering::Relaxed);
        let (pool, role) = (pool.clone(), role.clone());
        tokio::spawn(async move {
            record_batch(&pool, role.as_deref(), batch).await;
            drop(slot);
        });
    }
}

async fn record_batch(pool: &PgPool, role: Option<&str>, mut batch: Vec<Pending>) {
    if batch.len() == 1 {
        record_alone(pool, role, batch.remove(0)).await;
        return;
    }
    let args: Vec<&IncomingArgs> = batch.iter().map(|p| &p.args).collect();
    match record_many(pool, role, &args).await {
        Ok(mut rows) if rows.len() == batch.len() => {
            rows.sort_by_key(|(item, _)| *item);
            for (pending, (_, row)) in batch.into_iter().zip(rows) {
                let _ = pending.reply.send(Ok(row));
            }
        }
        outcome => {
            if let Err(e) = &outcome {
                tracing::debug!(error = %e, items = batch.len(), "a batch of incoming calls failed; recording them one by one");
            }
            let singles = batch
                .into_iter()
                .map(|pending| record_alone(pool, role, pending));
            futures::future::join_all(singles).await;
        }
    }
}

/// Records one delivery as a batch of one and answers its caller.
async fn record_alone(pool: &PgPool, role: Option<&str>, pending: Pending) {
    let answer = record_many(pool, role, &[&pending.args]).await;
    let _ = pending.reply.send(answer.and_then(only_row));
}

/// The one row a batch of one answers.
fn only_row(mut rows: Vec<(i32, AcceptedRow)>) -> StoreResult<AcceptedRow> {
    match (rows.pop(), rows.is_empty()) {
        (Some((_, row)), true) => Ok(row),
        _ => Err(StoreError::Corrupt(
            "the incoming batch did not answer one row for one delivery".into(),
        )),
    }
}

#[derive(sqlx::FromRow)]
struct BatchRow {
    item: i32,
    #[sqlx(flatten)]
    row: AcceptedRow,
}

async fn record_many(
    pool: &PgPool,
    role: Option<&str>,
    batch: &[&IncomingArgs],
) -> StoreResult<Vec<(i32, AcceptedRow)>> {
    let column = |f: fn(&IncomingArgs) -> String| batch.iter().map(|a| f(a)).collect::<Vec<_>>();
    let optional =
        |f: fn(&IncomingArgs) -> Option<String>| batch.iter().map(|a| f(a)).collect::<Vec<_>>();
    let uuids = |f: fn(&IncomingArgs) -> Uuid| batch.iter().map(|a| f(a)).collect::<Vec<_>>();
    let flags = |f: fn(&IncomingArgs) -> bool| batch.iter().map(|a| f(a)).collect::<Vec<_>>();
    let times = |f: fn(&IncomingArgs) -> DbTime| {
        batch
            .iter()
            .map(|a| to_offset_date_time(f(a).0))
            .collect::<Result<Vec<OffsetDateTime>, _>>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    let rows: Vec<BatchRow> = sqlx::query_as(
        "SELECT * FROM djcalls_accept_incoming_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15)",
    )
    .bind(role)
    .bind(column(|a| a.call_sid.clone()))
    .bind(column(|a| a.dedupe_key.clone()))
    .bind(column(|a| a.event.clone()))
    .bind(times(|a| a.at)?)
    .bind(uuids(|a| a.event_id))
    .bind(uuids(|a| a.call_id))
    .bind(optional(|a| a.virtual_number.clone()))
    .bind(optional(|a| a.caller.clone()))
    .bind(optional(|a| a.caller_name.clone()))
    .bind(column(|a| a.call_status.clone()))
    .bind(flags(|a| a.answered))
    .bind(flags(|a| a.voicemail_left))
    .bind(times(|a| a.high_from)?)
    .bind(times(|a| a.low_from)?)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.item, r.row)).collect())
}
