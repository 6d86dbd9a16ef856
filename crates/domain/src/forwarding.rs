//! Where calls may be forwarded (SPEC §11): a DJ's `real_phone_number` must be an ordinary
//! number — fixed line, mobile or VoIP — of a country the platform pays to call
//! (`FORWARDING_COUNTRIES`), never a premium-rate or other special service. That the number
//! is not one of the pool's own is checked against the store by the use case.
//!
//! Country and number type come from libphonenumber's metadata through the `phonenumber`
//! crate (already our parser): a hand-kept list of premium prefixes per country would be
//! wrong the day a regulator changes it, and the metadata is what carriers are checked with.
//! The metadata cannot tell a NANP `976` exchange (the old dial-it premium lines, still
//! billed at premium rates by some carriers) from a plain line, so that rule is added here.

use crate::phone::PhoneNumber;
use phonenumber::Type;
use phonenumber::country::Id;
use std::str::FromStr;

/// The countries forwarding numbers may be in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardingPolicy {
    countries: Vec<Id>,
}

/// Why a number may not be a forwarding destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForbiddenDestination {
    /// In a country that is not allowed (or of no country, e.g. satellite services).
    Country,
    /// Premium-rate, shared-cost, personal, pager or another special service.
    Service,
    /// One of the pool's virtual numbers (a loop, or calls injected into another account),
    /// or the platform's own number.
    OurNumber,
}

impl ForbiddenDestination {
    pub fn message(self) -> &'static str {
        match self {
            ForbiddenDestination::Country => {
                "calls can only be forwarded to numbers in the supported countries"
            }
            ForbiddenDestination::Service => {
                "calls cannot be forwarded to premium-rate or special-service numbers"
            }
            ForbiddenDestination::OurNumber => {
                "calls cannot be forwarded to a tracking number of this service"
            }
        }
    }
}

impl ForwardingPolicy {
    /// From ISO 3166 codes (`US`, `ca`): an unknown code is an error naming it.
    pub fn new<S: AsRef<str>>(codes: &[S]) -> Result<ForwardingPolicy, String> {
        let mut countries = Vec::new();
        for code in codes {
            let code = code.as_ref().trim().to_ascii_uppercase();
            if code.is_empty() {
                continue;
            }
            let id = Id::from_str(&code).map_err(|_| format!("unknown country code {code:?}"))?;
            countries.push(id);
        }
        if countries.is_empty() {
            return Err("at least one country is needed".to_string());
        }
        Ok(ForwardingPolicy { countries })
    }

    /// Whether `number` may receive forwarded calls, as far as the number itself tells.
    pub fn check(&self, number: &PhoneNumber) -> Result<(), ForbiddenDestination> {
        let parsed =
            phonenumber::parse(None, number.as_str()).map_err(|_| ForbiddenDestination::Country)?;
        let country = parsed.country().id().ok_or(ForbiddenDestination::Country)?;
        if !self.countries.contains(&country) {
            return Err(ForbiddenDestination::Country);
        }
        match parsed.number_type(&phonenumber::metadata::DATABASE) {
            Type::FixedLine | Type::Mobile | Type::FixedLineOrMobile | Type::Voip => {}
            _ => return Err(ForbiddenDestination::Service),
        }
        if is_nanp_976(number) {
            return Err(ForbiddenDestination::Service);
        }
        Ok(())
    }
}

/// `+1 NPA 976 ` and four digits: a NANP dial-it (premium) exchange.
fn is_nanp_976(number: &PhoneNumber) -> bool {
    number
        .as_str()
        .strip_prefix("+1")
        .is_some_and(|rest| rest.len() == 10 && &rest[3..6] == "976")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(raw: &str) -> PhoneNumber {
        PhoneNumber::parse(raw).unwrap()
    }

    #[test]
    fn ordinary_numbers_of_allowed_countries_pass() {
        let policy = ForwardingPolicy::new(&["US", "ca"]).unwrap();
        for raw in ["+12125550142", "+14165550123", "+16135550199"] {
            assert_eq!(policy.check(&number(raw)), Ok(()), "{raw}");
        }
    }

    #[test]
    fn other_countries_and_special_services_are_refused() {
        let policy = ForwardingPolicy::new(&["US", "CA"]).unwrap();
        for (raw, why) in [
            ("+442083661177", ForbiddenDestination::Country),
            ("+18765550123", ForbiddenDestination::Country), // Jamaica shares +1
            ("+19002345678", ForbiddenDestination::Service), // premium rate
            ("+18002345678", ForbiddenDestination::Service), // toll-free
            ("+12129765555", ForbiddenDestination::Service), // 976 exchange
        ] {
            assert_eq!(policy.check(&number(raw)), Err(why), "{raw}");
        }
        let uk = ForwardingPolicy::new(&["GB"]).unwrap();
        assert_eq!(uk.check(&number("+442083661177")), Ok(()));
        assert_eq!(
            uk.check(&number("+449098790000")),
            Err(ForbiddenDestination::Service)
        );
    }

    #[test]
    fn unknown_country_codes_are_named() {
        assert!(
            ForwardingPolicy::new(&["US", "XX"])
                .unwrap_err()
                .contains("XX")
        );
        assert!(ForwardingPolicy::new::<&str>(&[]).is_err());
    }
}
