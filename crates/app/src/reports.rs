//! SPEC §15 reports: revenue by source with the spend set per month, and the booking funnel.
//! Same access as the analytics (`App::scope`: a DJ only their own, RLS on PostgreSQL).

pub mod shown;

use crate::calls::storable;
use crate::{App, AppError, AppResult};
use djcalls_domain::range::DateRange;
use djcalls_domain::reports::spend::Month;
use djcalls_domain::reports::{Funnel, SourceKey, SourceRow, source_rows};
use djcalls_domain::{Actor, DjProfileId};
pub use djcalls_store::reports::SpendEntry;
use std::collections::BTreeMap;

/// The largest spend one month may be set to on one source ($100,000,000.00).
pub const MAX_SPEND_CENTS: i64 = 10_000_000_000;
/// Longest source, medium or campaign text.
pub const MAX_KEY_CHARS: usize = 200;

/// What `PUT /api/djdash/reports/spend` sets (texts as sent; checked here).
#[derive(Clone, Debug, Default)]
pub struct SpendInput {
    pub dj_profile_id: Option<DjProfileId>,
    pub month: String,
    pub source: String,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub spend_cents: i64,
}

impl App {
    /// One row per source of `profile`'s calls in `range` (the platform's for admins and the
    /// service), with the spend that falls in the range (`domain::reports::spend`).
    pub async fn source_report(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
    ) -> AppResult<Vec<SourceRow>> {
        let profile = self.scope(actor, profile)?;
        let range = &storable(range);
        let figures = self.store.source_figures(actor, profile, range).await?;
        let (first, last) = Month::bounds_of(range);
        let entries = self
            .store
            .spend_entries(
                actor,
                profile,
                first.map(|m| m.to_string()),
                last.map(|m| m.to_string()),
            )
            .await?;
        let mut spend: BTreeMap<SourceKey, i64> = BTreeMap::new();
        for entry in entries {
            let Ok(month) = entry.month.parse::<Month>() else {
                continue;
            };
            if let Some(share) = month.prorated(entry.spend_cents, range) {
                *spend.entry(entry.key).or_insert(0) += share;
            }
        }
        Ok(source_rows(figures, &spend))
    }

    /// Sets a month's spend on a source: a DJ their own, admins and the service any DJ's or
    /// (without a profile) the platform's.
    pub async fn put_spend(&self, actor: &Actor, input: SpendInput) -> AppResult<SpendEntry> {
        match input.dj_profile_id {
            Some(p) if !actor.can_access(p) => return Err(AppError::Forbidden),
            None if !actor.is_platform() => {
                return Err(AppError::invalid(
                    "dj_profile_id",
                    "is required (only admins set the platform's spend)",
                ));
            }
            _ => {}
        }
        let month: Month = input.month.trim().parse().map_err(
            |e: djcalls_domain::reports::spend::MonthError| {
                AppError::invalid("month", e.to_string())
            },
        )?;
        if !(0..=MAX_SPEND_CENTS).contains(&input.spend_cents) {
            return Err(AppError::invalid(
                "spendCents",
                format!("must be whole cents from 0 to {MAX_SPEND_CENTS}"),
            ));
        }
        let source = key_text("source", Some(input.source))?
            .ok_or_else(|| AppError::invalid("source", "is required"))?;
        let key = SourceKey {
            source: Some(source),
            medium: key_text("medium", input.medium)?,
            campaign: key_text("campaign", input.campaign)?,
        };
        if let Some(p) = input.dj_profile_id
            && self.store.profile(actor, p).await?.is_none()
        {
            return Err(AppError::NotFound("profile"));
        }
        let entry = SpendEntry {
            dj_profile_id: input.dj_profile_id,
            month: month.to_string(),
            key,
            spend_cents: input.spend_cents,
        };
        self.store.put_spend(actor, &entry, self.now()).await?;
        Ok(entry)
    }

    /// The booking funnel of `profile` (the platform's for admins and the service) in `range`.
    pub async fn funnel_report(
        &self,
        actor: &Actor,
        profile: Option<DjProfileId>,
        range: &DateRange,
    ) -> AppResult<Funnel> {
        let profile = self.scope(actor, profile)?;
        let range = &storable(range);
        let min_talk = self.settings.followup_min_talk_secs;
        Ok(self.store.funnel(actor, profile, range, min_talk).await?)
    }
}

/// A source key's text: trimmed, empty → absent, bounded, no control characters.
fn key_text(field: &'static str, raw: Option<String>) -> AppResult<Option<String>> {
    let Some(text) = raw.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_KEY_CHARS || text.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            format!("must be at most {MAX_KEY_CHARS} characters without control characters"),
        ));
    }
    Ok(Some(text))
}
