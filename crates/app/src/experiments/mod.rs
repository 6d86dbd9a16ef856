//! A/B tests of the follow-up text (SPEC §13): creating experiments, starting and stopping
//! them (one running at a time), and their report — each variant's figures with its
//! conversion rate, 95 % Wilson interval and the z-test's winner (`domain::experiment_stats`).
//! Which variant a follow-up gets is `assign.rs`'s. Platform roles only (service, admin).

mod assign;
mod validate;

pub use validate::{NewExperiment, NewVariant, SAMPLE_SLUG_CHARS, variant_fields};

use crate::{App, AppError, AppResult};
use djcalls_domain::experiment_stats::{self as stats, Conversions, Rate, Verdict};
use djcalls_domain::{Actor, ExperimentId};
use djcalls_store::experiments::{Experiment, StartOutcome, StopOutcome, Variant, VariantFigures};

/// The most experiments a listing shows.
pub const LIST_LIMIT: u32 = 200;

/// One variant as reported: its text and split, its figures, and its conversion rate with
/// the interval (`None` before anything was sent).
#[derive(Clone, Debug)]
pub struct VariantReport {
    pub variant: Variant,
    pub figures: VariantFigures,
    pub rate: Option<Rate>,
}

/// An experiment with its figures and the verdict of its test.
#[derive(Clone, Debug)]
pub struct ExperimentReport {
    pub experiment: Experiment,
    pub variants: Vec<VariantReport>,
    pub verdict: Verdict,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Joins an experiment with its figures (by position; a variant without any is at zero).
pub fn report(experiment: Experiment, figures: &[VariantFigures]) -> ExperimentReport {
    let variants: Vec<VariantReport> = experiment
        .variants
        .iter()
        .map(|v| {
            let figures = figures
                .iter()
                .find(|f| f.position == v.position)
                .copied()
                .unwrap_or(VariantFigures {
                    position: v.position,
                    sent: 0,
                    opened: 0,
                    paid: 0,
                    revenue_cents: 0,
                });
            VariantReport {
                rate: stats::conversion_rate(conversions(&figures)),
                variant: v.clone(),
                figures,
            }
        })
        .collect();
    let verdict = stats::verdict(
        &variants
            .iter()
            .map(|v| conversions(&v.figures))
            .collect::<Vec<_>>(),
    );
    ExperimentReport {
        experiment,
        variants,
        verdict,
    }
}

fn conversions(f: &VariantFigures) -> Conversions {
    Conversions {
        sent: count(f.sent),
        paid: count(f.paid),
    }
}

fn platform_only(actor: &Actor) -> AppResult<()> {
    if actor.is_platform() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl App {
    /// `POST /api/djdash/experiments`: checks and stores a new experiment as a draft.
    pub async fn create_experiment(
        &self,
        actor: &Actor,
        input: NewExperiment,
    ) -> AppResult<ExperimentReport> {
        platform_only(actor)?;
        let experiment = self.checked_experiment(input)?;
        self.store.create_experiment(actor, &experiment).await?;
        Ok(report(experiment, &[]))
    }

    /// Every experiment (most recent first) with its figures.
    pub async fn experiments(&self, actor: &Actor) -> AppResult<Vec<ExperimentReport>> {
        platform_only(actor)?;
        let mut reports = Vec::new();
        for experiment in self.store.experiments(actor, LIST_LIMIT).await? {
            let figures = self.store.experiment_figures(actor, experiment.id).await?;
            reports.push(report(experiment, &figures));
        }
        Ok(reports)
    }

    pub async fn experiment(&self, actor: &Actor, id: ExperimentId) -> AppResult<ExperimentReport> {
        platform_only(actor)?;
        let experiment = self
            .store
            .experiment(actor, id)
            .await?
            .ok_or(AppError::NotFound("experiment"))?;
        let figures = self.store.experiment_figures(actor, id).await?;
        Ok(report(experiment, &figures))
    }

    /// Starts a draft; starting the running one again changes nothing. Another running → 409
    /// `experiment_running`; a stopped one → 409 `experiment_stopped`.
    pub async fn start_experiment(
        &self,
        actor: &Actor,
        id: ExperimentId,
    ) -> AppResult<ExperimentReport> {
        platform_only(actor)?;
        match self.store.start_experiment(actor, id, self.now()).await? {
            StartOutcome::Running => self.experiment(actor, id).await,
            StartOutcome::AnotherRunning(other) => Err(AppError::Conflict {
                code: "experiment_running",
                message: format!(
                    "another experiment ({other}) is running: stop it first, only one runs at a time"
                ),
            }),
            StartOutcome::Stopped => Err(AppError::Conflict {
                code: "experiment_stopped",
                message: "this experiment was stopped; create a new one to test again".into(),
            }),
            StartOutcome::NotFound => Err(AppError::NotFound("experiment")),
        }
    }

    /// Stops the running experiment; stopping it again changes nothing. A draft → 409
    /// `experiment_not_started`.
    pub async fn stop_experiment(
        &self,
        actor: &Actor,
        id: ExperimentId,
    ) -> AppResult<ExperimentReport> {
        platform_only(actor)?;
        match self.store.stop_experiment(actor, id, self.now()).await? {
            StopOutcome::Stopped => self.experiment(actor, id).await,
            StopOutcome::NotStarted => Err(AppError::Conflict {
                code: "experiment_not_started",
                message: "this experiment has not been started".into(),
            }),
            StopOutcome::NotFound => Err(AppError::NotFound("experiment")),
        }
    }
}
