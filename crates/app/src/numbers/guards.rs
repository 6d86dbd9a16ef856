//! What keeps forwarding from turning into fraud (SPEC §11): calls are forwarded only to
//! ordinary numbers of `FORWARDING_COUNTRIES` that are not our own.

use crate::{App, AppError, AppResult};
use djcalls_domain::forwarding::{ForbiddenDestination, ForwardingPolicy};
use djcalls_domain::PhoneNumber;

impl App {
    /// Refuses a forwarding number that is abroad, a special service, one of the pool's
    /// numbers (ours or another DJ's) or the platform number: 400 `forbidden_destination`.
    pub(crate) async fn check_forwarding(&self, real: &PhoneNumber) -> AppResult<()> {
        let policy = ForwardingPolicy::new(&self.settings.forwarding_countries)
            .map_err(|e| AppError::internal(std::io::Error::other(e)))?;
        let verdict = match policy.check(real) {
            Err(why) => Err(why),
            Ok(()) if self.settings.platform_number.as_ref() == Some(real) => {
                Err(ForbiddenDestination::OurNumber)
            }
            Ok(()) if self.store.is_pool_number(real.as_str()).await? => {
                Err(ForbiddenDestination::OurNumber)
            }
            Ok(()) => Ok(()),
        };
        verdict.map_err(|why| {
            tracing::info!(number = %real.masked(), ?why, "refused a forwarding number");
            AppError::Refused {
                code: "forbidden_destination",
                field: "real_phone_number",
                message: why.message().to_string(),
            }
        })
    }
}
