//! The pool's inventory for admins: listing, buying into it, and giving numbers back.

use super::*;

impl App {
    /// `GET /api/djdash/virtual-numbers/pool`.
    pub async fn pool_inventory(&self, actor: &Actor) -> AppResult<PoolInventory> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        let mut numbers = self.store.pool_numbers(actor).await?;
        let mut counts: Vec<(NumberState, u64)> =
            NumberState::ALL.into_iter().map(|s| (s, 0)).collect();
        for number in &mut numbers {
            let state = number.effective_state(now);
            number.state = state.as_str().to_string();
            if let Some((_, count)) = counts.iter_mut().find(|(s, _)| *s == state) {
                *count += 1;
            }
        }
        let on_demand_purchased = self.store.purchase_count(actor).await?;
        Ok(PoolInventory {
            counts,
            numbers,
            purchase: self.settings.number_purchase,
            on_demand_purchased,
        })
    }

    /// `POST /api/djdash/virtual-numbers/pool`: buys `count` numbers into the pool. Each is
    /// recorded as soon as it is bought; a failure part-way answers what was bought so far.
    pub async fn buy_pool_numbers(
        &self,
        actor: &Actor,
        count: u32,
        area_code: Option<&str>,
    ) -> AppResult<Vec<NumberRecord>> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        if !(1..=MAX_POOL_PURCHASE).contains(&count) {
            return Err(AppError::invalid(
                "count",
                format!("must be a whole number from 1 to {MAX_POOL_PURCHASE}"),
            ));
        }
        let area_code = match area_code {
            Some(code) if valid_area_code(code) => code.to_string(),
            Some(_) => {
                return Err(AppError::invalid(
                    "area_code",
                    "must be a three-digit North American area code, like 415",
                ));
            }
            None => self.default_area_code(actor).await?,
        };
        let urls = self.number_urls();
        let mut added = Vec::new();
        for _ in 0..count {
            let owned = match self.telephony.acquire_number(&area_code, &urls).await {
                Ok(owned) => owned,
                Err(e) if !added.is_empty() => {
                    tracing::warn!(error = %e, bought = added.len(), "pool purchase stopped part-way");
                    break;
                }
                Err(TwilioError::NoNumbersAvailable { .. }) => {
                    return Err(AppError::Conflict {
                        code: "no_numbers_available",
                        message: format!(
                            "Twilio has no numbers available in area code {area_code}."
                        ),
                    });
                }
                Err(e) => return Err(twilio_unavailable(e)),
            };
            let bought = BoughtNumber {
                virtual_number: owned.phone_number.as_str().to_string(),
                twilio_phone_number_sid: Some(owned.sid.as_str().to_string()),
                area_code: owned.phone_number.nanp_area_code().map(str::to_string),
            };
            let mut rows = self
                .store
                .add_pool_numbers(actor, &[bought], self.now())
                .await
                .inspect_err(|e| {
                    tracing::error!(error = %e, sid = %owned.sid, number = %owned.phone_number.masked(), "bought a pool number but could not record it");
                })?;
            added.append(&mut rows);
        }
        tracing::info!(count = added.len(), area_code = %area_code, "bought numbers into the pool");
        Ok(added)
    }

    /// The area code to buy in when none is given: the platform number's, else the one most
    /// DJs' real numbers share.
    async fn default_area_code(&self, actor: &Actor) -> AppResult<String> {
        if let Some(code) = self
            .settings
            .platform_number
            .as_ref()
            .and_then(PhoneNumber::nanp_area_code)
        {
            return Ok(code.to_string());
        }
        match self.store.common_area_code(actor).await? {
            Some(code) if valid_area_code(&code) => Ok(code),
            _ => Err(AppError::invalid(
                "area_code",
                "is required (there is no platform number or DJ number to take one from)",
            )),
        }
    }

    /// `DELETE /api/djdash/virtual-numbers/pool/{number}`: gives a pool-owned number back to
    /// Twilio. An assigned number is refused; releasing twice answers the released record.
    pub async fn release_pool_number(
        &self,
        actor: &Actor,
        number: &PhoneNumber,
    ) -> AppResult<NumberRecord> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        match self
            .store
            .begin_release(actor, number.as_str(), self.now())
            .await?
        {
            ReleaseStart::NotFound => Err(AppError::NotFound("pool number")),
            ReleaseStart::Assigned => Err(AppError::Conflict {
                code: "number_assigned",
                message: "This number is assigned to a DJ; release it from the DJ first \
                          (PATCH /api/djdash/virtual-numbers with is_active: false)."
                    .into(),
            }),
            ReleaseStart::NotOwned => Err(AppError::Conflict {
                code: "number_not_owned",
                message: "The pool does not own this number at Twilio, so it cannot release it."
                    .into(),
            }),
            ReleaseStart::AlreadyReleased(record) => Ok(*record),
            ReleaseStart::Releasing { before, after } => {
                let sid = before
                    .twilio_phone_number_sid
                    .as_deref()
                    .and_then(NumberSid::parse);
                let result = match &sid {
                    Some(sid) => self.telephony.release_number(sid).await,
                    None => Err(TwilioError::InvalidArgument("stored number SID".into())),
                };
                match result {
                    Ok(()) => {
                        tracing::info!(number = %number.masked(), "released a number to Twilio");
                        Ok(*after)
                    }
                    Err(e) => {
                        if let Err(store_error) =
                            self.store.undo_release(actor, &before, self.now()).await
                        {
                            tracing::error!(error = %store_error, number = %number.masked(), "could not undo a failed release");
                        }
                        Err(twilio_unavailable(e))
                    }
                }
            }
        }
    }
}
