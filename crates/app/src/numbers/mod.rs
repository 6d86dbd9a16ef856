//! The virtual-number pool (SPEC §5): assignment, purchase, release and cooling.
//!
//! Authorization is checked here; the pool itself (numbers that belong to no DJ yet) is only
//! visible to the platform, so claims and purchases run as the system once the caller has been
//! found entitled to the DJ they ask for.

mod guards;
mod lookups;
mod pool;
mod public_cache;

pub use guards::REASSIGN_WINDOW;
pub use public_cache::PublicNumbers;

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
        self.check_reassign_limit(actor, dj).await?;
        let real = match real {
            Some(real) => {
                self.check_forwarding(&real).await?;
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
        let assigned = self.assign_to(dj, &real).await;
        self.reroute(dj).await;
        assigned
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
        let urls = self.number_urls();
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

    /// The webhook URLs every number we buy or reconfigure gets: under `PUBLIC_BASE_URL`, and
    /// its static fallback under `TWILIO_VOICE_FALLBACK_BASE_URL` when that is set.
    pub(crate) fn number_urls(&self) -> NumberUrls {
        NumberUrls::for_base_url(&self.settings.public_base_url)
            .with_voice_fallback_base(self.settings.voice_fallback_base_url.as_deref())
    }

    /// Points a pool-owned number's webhooks (and fallback) at our current URLs. Best effort:
    /// the number works already when its URLs are current, and a failure here must not undo an
    /// assignment.
    async fn reconfigure(&self, number: &NumberRecord) {
        let Some(sid) = number
            .twilio_phone_number_sid
            .as_deref()
            .and_then(NumberSid::parse)
        else {
            return;
        };
        let number_e164 = PhoneNumber::from_trusted_e164(number.virtual_number.clone());
        if let Err(e) = self
            .telephony
            .configure_number(&sid, &number_e164, &self.number_urls())
            .await
        {
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
