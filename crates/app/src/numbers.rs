//! The virtual-number pool (SPEC §5): assignment, purchase, release and cooling.
//!
//! Authorization is checked here; the pool itself (numbers that belong to no DJ yet) is only
//! visible to the platform, so claims and purchases run as the system once the caller has been
//! found entitled to the DJ they ask for.

use crate::settings::NumberPurchase;
use crate::{App, AppError, AppResult};
use djcalls_domain::{Actor, DjProfileId, PhoneNumber};
use djcalls_store::DbTime;
use djcalls_store::numbers::{BoughtNumber, Claim, ReleaseStart, Reservation};
use djcalls_store::profiles::Profile;
use djcalls_telephony::{NumberSid, NumberUrls, TwilioError};
use std::time::Duration;

/// The stored number record and its states, for callers of these use cases.
pub use djcalls_store::numbers::{NumberRecord, NumberState};

/// At most this many DJs per DNI request.
pub const MAX_DNI_IDS: usize = 50;
/// At most this many numbers per pool purchase.
pub const MAX_POOL_PURCHASE: u32 = 10;

/// How long a request waits for another request's purchase for the same DJ.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(30);
const IN_FLIGHT_POLL: Duration = Duration::from_millis(100);

/// What `GET /api/djdash/virtual-numbers` may show the caller.
#[derive(Clone, Debug, PartialEq)]
pub enum NumberView {
    /// Anyone: the DJ and the number to call, nothing else.
    Public {
        dj_profile_id: DjProfileId,
        virtual_number: PhoneNumber,
    },
    /// The DJ, an admin or the service: the whole record.
    Full(Box<NumberRecord>),
}

/// The pool at a glance. Cooling numbers whose rest is over are shown as available.
#[derive(Clone, Debug)]
pub struct PoolInventory {
    /// `(state, count)` for every state, in lifecycle order.
    pub counts: Vec<(NumberState, u64)>,
    pub numbers: Vec<NumberRecord>,
    pub purchase: NumberPurchase,
    /// On-demand purchases made so far (they count toward `NUMBER_PURCHASE_MAX`).
    pub on_demand_purchased: u64,
}

fn pool_exhausted(message: impl Into<String>) -> AppError {
    AppError::Conflict {
        code: "pool_exhausted",
        message: message.into(),
    }
}

/// North American area codes are three digits and never start with 0 or 1.
pub fn valid_area_code(area_code: &str) -> bool {
    let bytes = area_code.as_bytes();
    bytes.len() == 3 && bytes.iter().all(u8::is_ascii_digit) && bytes[0] >= b'2'
}

impl App {
    /// `POST /api/djdash/virtual-numbers`: the DJ's number and whether it was assigned just now.
    /// `real` (if given) becomes the forwarding number, on the profile too.
    pub async fn assign_number(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        real: Option<PhoneNumber>,
    ) -> AppResult<(NumberRecord, bool)> {
        if !actor.can_access(dj) {
            return Err(AppError::Forbidden);
        }
        let profile = self
            .store
            .profile(actor, dj)
            .await?
            .ok_or(AppError::NotFound("dj profile"))?;
        let real = match real {
            Some(real) => {
                self.store
                    .set_real_number(actor, dj, real.as_str(), self.now())
                    .await?;
                real
            }
            None => match profile.real_phone_number {
                Some(stored) => PhoneNumber::from_trusted_e164(stored),
                None => {
                    return Err(AppError::invalid(
                        "real_phone_number",
                        "is required: the profile has no real phone number to forward calls to",
                    ));
                }
            },
        };
        self.assign_to(dj, &real).await
    }

    /// Assigns from the pool, else buys (on-demand), else `pool_exhausted`.
    async fn assign_to(
        &self,
        dj: DjProfileId,
        real: &PhoneNumber,
    ) -> AppResult<(NumberRecord, bool)> {
        let area_code = real.nanp_area_code();
        let claim = self
            .store
            .claim_pool_number(&Actor::System, dj, real.as_str(), area_code, self.now())
            .await
            .map_err(contention)?;
        match claim {
            Claim::Existing(number) => Ok((number, false)),
            Claim::Assigned(number) => {
                self.reconfigure(&number).await;
                tracing::info!(dj_profile_id = %dj, number = %djcalls_domain::phone::mask(&number.virtual_number), "assigned a pool number");
                Ok((number, true))
            }
            Claim::Empty => match self.settings.number_purchase {
                NumberPurchase::Pool => Err(pool_exhausted(
                    "No virtual number is available: the number pool is empty.",
                )),
                NumberPurchase::OnDemand { max } => self.buy_for(dj, real, max).await,
            },
        }
    }

    /// On-demand purchase for one DJ: reserved durably first, so concurrent requests never
    /// buy twice for one DJ nor more than `max` in all.
    async fn buy_for(
        &self,
        dj: DjProfileId,
        real: &PhoneNumber,
        max: u32,
    ) -> AppResult<(NumberRecord, bool)> {
        let Some(area_code) = real.nanp_area_code() else {
            return Err(pool_exhausted(
                "No virtual number is available: the pool is empty, and numbers are only bought \
                 for North American forwarding numbers.",
            ));
        };
        let deadline = tokio::time::Instant::now() + IN_FLIGHT_WAIT;
        let reservation = loop {
            match self
                .store
                .reserve_purchase(&Actor::System, dj, area_code, max, self.now())
                .await?
            {
                Reservation::Reserved(id) => break id,
                Reservation::Assigned(number) => return Ok((*number, false)),
                Reservation::CapReached => {
                    return Err(pool_exhausted(format!(
                        "No virtual number is available: the pool is empty and the on-demand \
                         purchase limit ({max}) has been reached."
                    )));
                }
                Reservation::InFlight if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(IN_FLIGHT_POLL).await;
                }
                Reservation::InFlight => {
                    return Err(AppError::Conflict {
                        code: "assignment_in_progress",
                        message: "A number is being bought for this DJ; try again shortly.".into(),
                    });
                }
            }
        };
        let urls = NumberUrls::for_base_url(&self.settings.public_base_url);
        let owned = match self.telephony.acquire_number(area_code, &urls).await {
            Ok(owned) => owned,
            Err(e) => {
                if let Err(store_error) = self
                    .store
                    .fail_purchase(&Actor::System, reservation, self.now())
                    .await
                {
                    tracing::error!(error = %store_error, "could not close a failed number purchase");
                }
                return Err(match e {
                    TwilioError::NoNumbersAvailable { .. } => pool_exhausted(format!(
                        "No virtual number is available: the pool is empty and Twilio has no \
                         numbers in area code {area_code}."
                    )),
                    other => twilio_unavailable(other),
                });
            }
        };
        if self.settings.caller_name_lookup {
            self.apply_caller_name_lookup(&owned.sid, true).await;
        }
        let bought = BoughtNumber {
            virtual_number: owned.phone_number.as_str().to_string(),
            twilio_phone_number_sid: Some(owned.sid.as_str().to_string()),
            area_code: owned.phone_number.nanp_area_code().map(str::to_string),
        };
        let claim = self
            .store
            .complete_purchase(
                &Actor::System,
                reservation,
                dj,
                real.as_str(),
                &bought,
                self.now(),
            )
            .await
            .inspect_err(|e| {
                // Bought but not recorded: someone must look at it, or it is paid for unused.
                tracing::error!(error = %e, sid = %owned.sid, number = %owned.phone_number.masked(), "bought a number but could not record it");
            })?;
        tracing::info!(dj_profile_id = %dj, number = %owned.phone_number.masked(), sid = %owned.sid, "bought a number on demand");
        match claim {
            Claim::Assigned(number) => Ok((number, true)),
            Claim::Existing(number) => Ok((number, false)),
            Claim::Empty => Err(AppError::internal(std::io::Error::other(
                "a purchase recorded nothing",
            ))),
        }
    }

    /// Points a pool-owned number's webhooks at our current base URL. Best effort: the number
    /// works already when its URLs are current, and a failure here must not undo an assignment.
    async fn reconfigure(&self, number: &NumberRecord) {
        let Some(sid) = number
            .twilio_phone_number_sid
            .as_deref()
            .and_then(NumberSid::parse)
        else {
            return;
        };
        let urls = NumberUrls::for_base_url(&self.settings.public_base_url);
        if let Err(e) = self.telephony.configure_number(&sid, &urls).await {
            tracing::warn!(sid = %sid, error = %e, "could not reconfigure an assigned pool number");
        }
        self.apply_caller_name_lookup(&sid, self.settings.caller_name_lookup)
            .await;
    }

    /// `TWILIO_CALLER_NAME_LOOKUP` on a number we own, best effort (Twilio sends `CallerName`
    /// on incoming calls only when it is on; it bills per lookup).
    async fn apply_caller_name_lookup(&self, sid: &NumberSid, enabled: bool) {
        if let Err(e) = self.telephony.set_caller_name_lookup(sid, enabled).await {
            tracing::warn!(sid = %sid, error = %e, "could not set caller-name lookup");
        }
    }

    /// After `PUT /api/djdash/profiles/{id}`: publishing a profile with a real number assigns
    /// its virtual number (`publish_requested`: the PUT said `is_published: true`, or made the
    /// profile live); a changed real number becomes the forwarding number. Never fails the PUT.
    pub(crate) async fn after_profile_saved(
        &self,
        profile: &Profile,
        publish_requested: bool,
        real_number_changed: bool,
    ) {
        let Some(real) = profile.real_phone_number.as_deref() else {
            return;
        };
        let real = PhoneNumber::from_trusted_e164(real);
        if profile.is_published && publish_requested {
            match self.assign_to(profile.id, &real).await {
                Ok(_) => {}
                Err(AppError::Conflict { code, message }) => {
                    tracing::warn!(dj_profile_id = %profile.id, code, %message, "published a profile without a virtual number");
                }
                Err(e) => {
                    tracing::error!(dj_profile_id = %profile.id, error = %e, "could not assign a virtual number on publish");
                }
            }
        } else if real_number_changed
            && let Err(e) = self
                .store
                .set_real_number(&Actor::System, profile.id, real.as_str(), self.now())
                .await
        {
            tracing::error!(dj_profile_id = %profile.id, error = %e, "could not update the forwarding number");
        }
    }

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
        Ok(self
            .store
            .public_numbers(djs)
            .await?
            .into_iter()
            .map(|(dj, number)| (dj, PhoneNumber::from_trusted_e164(number)))
            .collect())
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
        let Some(mut number) = self.store.assigned_number(actor, dj).await? else {
            return Ok(None);
        };
        if let Some(real) = &real {
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
        let urls = NumberUrls::for_base_url(&self.settings.public_base_url);
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

/// Losing the claim race fifty times in a row is contention, not a fault: ask for a retry.
fn contention(e: djcalls_store::StoreError) -> AppError {
    match e {
        djcalls_store::StoreError::Conflict(_) => AppError::Conflict {
            code: "pool_busy",
            message: "Many numbers are being assigned right now; try again shortly.".into(),
        },
        other => other.into(),
    }
}

/// Twilio refused or did not answer: a 502 the caller may retry, with the cause in the log.
fn twilio_unavailable(e: TwilioError) -> AppError {
    tracing::warn!(error = %e, "Twilio call failed");
    AppError::Unavailable("Twilio did not complete the request; please try again.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_codes_are_north_american() {
        assert!(valid_area_code("415"));
        for bad in ["", "41", "4155", "015", "115", "4a5", " 41"] {
            assert!(!valid_area_code(bad), "{bad}");
        }
    }
}
