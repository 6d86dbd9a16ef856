//! A/B tests of the follow-up text (`experiments`, `experiment_variants`, migration 0032):
//! experiments and their variants, starting and stopping them (one running at a time), and
//! each variant's figures. Platform data: on PostgreSQL only the service, admins and the
//! system see it; the app checks `Actor::is_platform` first on both backends. Which variant a
//! call gets is `domain::experiment`'s; it is written by the follow-up claim
//! (`messages/followups.rs`).

mod figures;

pub use figures::VariantFigures;

use crate::{DbTime, Store, StoreError, StoreResult, sql_with};
use djcalls_domain::experiment::ExperimentState;
use djcalls_domain::{Actor, ExperimentId};
use uuid::Uuid;

/// One variant: its share of calls and its thank-you text (English always, Spanish maybe).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Variant {
    /// 0-based, in the order the variants were given.
    pub position: i32,
    pub name: String,
    pub split_percent: i32,
    pub thanks_en: String,
    pub thanks_es: Option<String>,
}

/// An experiment with its variants in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Experiment {
    pub id: ExperimentId,
    pub name: String,
    pub state: ExperimentState,
    pub created_at: DbTime,
    pub started_at: Option<DbTime>,
    pub stopped_at: Option<DbTime>,
    pub variants: Vec<Variant>,
}

#[derive(sqlx::FromRow)]
struct ExperimentRow {
    id: Uuid,
    name: String,
    #[sqlx(try_from = "String")]
    state: ExperimentState,
    created_at: DbTime,
    started_at: Option<DbTime>,
    stopped_at: Option<DbTime>,
}

#[derive(sqlx::FromRow)]
struct VariantRow {
    experiment_id: Uuid,
    #[sqlx(flatten)]
    variant: Variant,
}

const EXPERIMENT_COLUMNS: &str = "id, name, state, created_at, started_at, stopped_at";
const VARIANT_COLUMNS: &str = "experiment_id, position, name, split_percent, thanks_en, thanks_es";

/// What starting an experiment found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartOutcome {
    /// It runs now (or already did).
    Running,
    /// Another experiment runs: only one at a time.
    AnotherRunning(ExperimentId),
    /// It was stopped: it is not started again.
    Stopped,
    NotFound,
}

/// What stopping an experiment found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopOutcome {
    /// It is stopped now (or already was).
    Stopped,
    /// It never ran.
    NotStarted,
    NotFound,
}

fn assemble(rows: Vec<ExperimentRow>, mut variants: Vec<VariantRow>) -> Vec<Experiment> {
    variants.sort_by_key(|v| v.variant.position);
    rows.into_iter()
        .map(|r| Experiment {
            variants: variants
                .iter()
                .filter(|v| v.experiment_id == r.id)
                .map(|v| v.variant.clone())
                .collect(),
            id: ExperimentId(r.id),
            name: r.name,
            state: r.state,
            created_at: r.created_at,
            started_at: r.started_at,
            stopped_at: r.stopped_at,
        })
        .collect()
}

impl Store {
    /// Stores a new experiment (as a draft) with its variants, in one transaction.
    pub async fn create_experiment(&self, actor: &Actor, e: &Experiment) -> StoreResult<()> {
        in_tx!(self, actor, write, |conn| {
            sqlx::query(
                "INSERT INTO experiments (id, name, state, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(e.id.0)
            .bind(&e.name)
            .bind(ExperimentState::Draft.as_str())
            .bind(e.created_at)
            .execute(&mut *conn)
            .await?;
            for v in &e.variants {
                sqlx::query(
                    "INSERT INTO experiment_variants \
                     (experiment_id, position, name, split_percent, thanks_en, thanks_es) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(e.id.0)
                .bind(v.position)
                .bind(&v.name)
                .bind(v.split_percent)
                .bind(&v.thanks_en)
                .bind(&v.thanks_es)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    /// The most recent experiments first, at most `limit`.
    pub async fn experiments(&self, actor: &Actor, limit: u32) -> StoreResult<Vec<Experiment>> {
        let limit = i64::from(limit);
        Ok(in_tx!(self, actor, read, |conn| {
            let rows = sqlx::query_as::<_, ExperimentRow>(sql_with(
                EXPERIMENT_COLUMNS,
                "SELECT {COLUMNS} FROM experiments ORDER BY created_at DESC, id DESC LIMIT $1",
            ))
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
            let variants = sqlx::query_as::<_, VariantRow>(sql_with(
                VARIANT_COLUMNS,
                "SELECT {COLUMNS} FROM experiment_variants WHERE experiment_id IN \
                 (SELECT id FROM experiments ORDER BY created_at DESC, id DESC LIMIT $1)",
            ))
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
            assemble(rows, variants)
        }))
    }

    pub async fn experiment(
        &self,
        actor: &Actor,
        id: ExperimentId,
    ) -> StoreResult<Option<Experiment>> {
        Ok(in_tx!(self, actor, read, |conn| {
            let rows = sqlx::query_as::<_, ExperimentRow>(sql_with(
                EXPERIMENT_COLUMNS,
                "SELECT {COLUMNS} FROM experiments WHERE id = $1",
            ))
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?;
            let variants = sqlx::query_as::<_, VariantRow>(sql_with(
                VARIANT_COLUMNS,
                "SELECT {COLUMNS} FROM experiment_variants WHERE experiment_id = $1",
            ))
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?;
            assemble(rows, variants).pop()
        }))
    }

    /// The experiment running now, if one is (read by the follow-up job as `system`).
    pub async fn running_experiment(&self) -> StoreResult<Option<Experiment>> {
        let id: Option<Uuid> = in_tx!(self, &Actor::System, read, |conn| {
            sqlx::query_scalar("SELECT id FROM experiments WHERE state = 'running'")
                .fetch_optional(&mut *conn)
                .await?
        });
        match id {
            Some(id) => self.experiment(&Actor::System, ExperimentId(id)).await,
            None => Ok(None),
        }
    }

    /// Starts a draft. Of two starts racing for the one running slot, the unique index
    /// `experiments_one_running` lets one through; the other is told which one runs.
    pub async fn start_experiment(
        &self,
        actor: &Actor,
        id: ExperimentId,
        now: DbTime,
    ) -> StoreResult<StartOutcome> {
        match self.try_start_experiment(actor, id, now).await {
            Err(StoreError::Conflict(_)) => match self.running_experiment().await? {
                Some(other) if other.id != id => Ok(StartOutcome::AnotherRunning(other.id)),
                _ => Ok(StartOutcome::Running),
            },
            other => other,
        }
    }

    async fn try_start_experiment(
        &self,
        actor: &Actor,
        id: ExperimentId,
        now: DbTime,
    ) -> StoreResult<StartOutcome> {
        Ok(in_tx!(self, actor, write, |conn| {
            let state: Option<String> =
                sqlx::query_scalar("SELECT state FROM experiments WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *conn)
                    .await?;
            let running: Option<Uuid> =
                sqlx::query_scalar("SELECT id FROM experiments WHERE state = 'running'")
                    .fetch_optional(&mut *conn)
                    .await?;
            match (state.as_deref(), running) {
                (None, _) => StartOutcome::NotFound,
                (Some("running"), _) => StartOutcome::Running,
                (Some("stopped"), _) => StartOutcome::Stopped,
                (_, Some(other)) => StartOutcome::AnotherRunning(ExperimentId(other)),
                (_, None) => {
                    sqlx::query(
                        "UPDATE experiments SET state = 'running', started_at = $2 \
                         WHERE id = $1 AND state = 'draft'",
                    )
                    .bind(id.0)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                    StartOutcome::Running
                }
            }
        }))
    }

    /// Stops a running experiment; its calls keep their variants and its figures stay.
    pub async fn stop_experiment(
        &self,
        actor: &Actor,
        id: ExperimentId,
        now: DbTime,
    ) -> StoreResult<StopOutcome> {
        Ok(in_tx!(self, actor, write, |conn| {
            let state: Option<String> =
                sqlx::query_scalar("SELECT state FROM experiments WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *conn)
                    .await?;
            match state.as_deref() {
                None => StopOutcome::NotFound,
                Some("draft") => StopOutcome::NotStarted,
                Some("stopped") => StopOutcome::Stopped,
                Some(_) => {
                    sqlx::query(
                        "UPDATE experiments SET state = 'stopped', stopped_at = $2 \
                         WHERE id = $1 AND state = 'running'",
                    )
                    .bind(id.0)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                    StopOutcome::Stopped
                }
            }
        }))
    }
}
