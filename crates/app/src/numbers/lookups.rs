//! Reading numbers: one DJ's (public or full view), the DNI batch, and changes by the DJ.

use super::public_cache::NumberMap;
use super::*;
use djcalls_store::notify::NUMBERS_CHANNEL;
use std::sync::Arc;

impl App {
    /// `GET /api/djdash/virtual-numbers`: the full record for those entitled to the DJ, the
    /// public view for everyone else; `None` when the DJ has no active number.
    pub async fn number_for_dj(
        &self,
        actor: Option<&Actor>,
        dj: DjProfileId,
    ) -> AppResult<Option<NumberView>> {
        match actor {
            Some(actor) if actor.can_access(dj) => Ok(self
                .store
                .assigned_number(actor, dj)
                .await?
                .map(|n| NumberView::Full(Box::new(n)))),
            _ => Ok(self
                .store
                .public_numbers(&[dj])
                .await?
                .into_iter()
                .next()
                .map(|(dj_profile_id, number)| NumberView::Public {
                    dj_profile_id,
                    virtual_number: PhoneNumber::from_trusted_e164(number),
                })),
        }
    }

    /// `GET /api/djdash/dni`: the public numbers of up to 50 DJs, in one query.
    pub async fn dni_numbers(
        &self,
        djs: &[DjProfileId],
    ) -> AppResult<Vec<(DjProfileId, PhoneNumber)>> {
        if djs.len() > MAX_DNI_IDS {
            return Err(AppError::invalid(
                "ids",
                format!("may name at most {MAX_DNI_IDS} DJ profiles"),
            ));
        }
        if !self.public_numbers.is_trusted() {
            return Ok(self
                .store
                .public_numbers(djs)
                .await?
                .into_iter()
                .map(|(dj, number)| (dj, PhoneNumber::from_trusted_e164(number)))
                .collect());
        }
        let numbers = match self.public_numbers.current() {
            Some(numbers) => numbers,
            None => self.load_public_numbers().await?,
        };
        Ok(djs
            .iter()
            .filter_map(|dj| {
                let number = numbers.get(dj)?;
                Some((*dj, PhoneNumber::from_trusted_e164(number.clone())))
            })
            .collect())
    }

    /// Fills the public numbers from the database, one load at a time.
    async fn load_public_numbers(&self) -> AppResult<Arc<NumberMap>> {
        let _turn = self.public_numbers.load_turn().await;
        if let Some(numbers) = self.public_numbers.current() {
            return Ok(numbers); // Loaded by the request this one waited for.
        }
        let generation = self.public_numbers.generation();
        let all = self.store.all_public_numbers().await?;
        Ok(self
            .public_numbers
            .install(generation, all.into_iter().collect()))
    }

    /// After a change to a DJ's number made through this process: this process's public
    /// numbers are dropped, and every other process on the same PostgreSQL database is told.
    pub(crate) async fn public_numbers_changed(&self) {
        self.public_numbers.invalidate();
        if let Err(e) = self
            .store
            .notify(NUMBERS_CHANNEL, self.live.instance())
            .await
        {
            // Their relays drop what they hold when they reconnect; until then MAX_AGE bounds it.
            tracing::warn!(error = %e, "could not tell the other processes that a number changed");
        }
    }

    /// `PATCH /api/djdash/virtual-numbers`: a new forwarding number and/or `is_active: false`
    /// (release to cooling). `None` when the DJ has no active number.
    pub async fn patch_number(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        real: Option<PhoneNumber>,
        is_active: Option<bool>,
    ) -> AppResult<Option<NumberRecord>> {
        if !actor.can_access(dj) {
            return Err(AppError::Forbidden);
        }
        if is_active == Some(true) {
            return Err(AppError::invalid(
                "is_active",
                "can only be false here (it releases the number); assign a number with \
                 POST /api/djdash/virtual-numbers",
            ));
        }
        if real.is_none() && is_active.is_none() {
            return Err(AppError::invalid(
                "real_phone_number",
                "or is_active: false is required",
            ));
        }
        let changed = self.change_number(actor, dj, real, is_active).await;
        self.reroute(dj).await;
        changed
    }

    async fn change_number(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        real: Option<PhoneNumber>,
        is_active: Option<bool>,
    ) -> AppResult<Option<NumberRecord>> {
        let Some(mut number) = self.store.assigned_number(actor, dj).await? else {
            return Ok(None);
        };
        if let Some(real) = &real {
            self.check_forwarding(real).await?;
            match self
                .store
                .set_real_number(actor, dj, real.as_str(), self.now())
                .await?
            {
                Some(updated) => number = updated,
                None => return Ok(None),
            }
        }
        if is_active == Some(false) {
            let now = self.now();
            let days = i64::from(self.settings.number_cooling_days);
            let until = now
                .0
                .checked_add(jiff::SignedDuration::from_hours(days * 24))
                .map_err(AppError::internal)?;
            match self
                .store
                .release_to_cooling(actor, dj, DbTime(until), now)
                .await?
            {
                Some(released) => {
                    tracing::info!(dj_profile_id = %dj, number = %djcalls_domain::phone::mask(&released.virtual_number), "released a number to cooling");
                    number = released;
                }
                None => return Ok(None),
            }
        }
        Ok(Some(number))
    }
}
