//! DJ profiles: created and updated by the DJ Dash backend or an admin, read by their DJ.

use crate::{App, AppError, AppResult};
use djcalls_domain::{Actor, DjProfileId, PhoneNumber};
use djcalls_store::StoreError;
use djcalls_store::profiles::{Profile, ProfileFields};

/// A create-or-update request; `None` keeps the stored value (or the default on create).
#[derive(Clone, Debug, Default)]
pub struct ProfileInput {
    pub dj_name: Option<String>,
    pub dj_slug: Option<String>,
    pub is_published: Option<bool>,
    pub timezone: Option<String>,
    /// `Some(None)` clears the real number.
    pub real_phone_number: Option<Option<PhoneNumber>>,
}

pub const DEFAULT_TIMEZONE: &str = "America/New_York";

/// `dj-sparkle-events`: lower-case letters, digits and single hyphens, 1–100 characters.
pub fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 100
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

impl App {
    pub async fn get_profile(&self, actor: &Actor, id: DjProfileId) -> AppResult<Profile> {
        if !actor.can_access(id) {
            return Err(AppError::Forbidden);
        }
        self.store
            .profile(actor, id)
            .await?
            .ok_or(AppError::NotFound("dj profile"))
    }

    /// Every DJ's id and name, by name, for platform views (at most 1,000).
    pub async fn profile_names(&self, actor: &Actor) -> AppResult<Vec<(DjProfileId, String)>> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.profile_names(actor, 1000).await?)
    }

    /// `PUT /api/djdash/profiles/{id}`: returns the profile and whether it was created.
    pub async fn put_profile(
        &self,
        actor: &Actor,
        id: DjProfileId,
        input: ProfileInput,
    ) -> AppResult<(Profile, bool)> {
        if !actor.is_platform() {
            return Err(AppError::Forbidden);
        }
        let existing = self.store.profile(actor, id).await?;
        let dj_name = match (input.dj_name, &existing) {
            (Some(name), _) => name.trim().to_string(),
            (None, Some(p)) => p.dj_name.clone(),
            (None, None) => return Err(AppError::invalid("dj_name", "is required")),
        };
        if dj_name.is_empty() || dj_name.chars().count() > 120 {
            return Err(AppError::invalid("dj_name", "must be 1 to 120 characters"));
        }
        let dj_slug = match (input.dj_slug, &existing) {
            (Some(slug), _) => slug.trim().to_string(),
            (None, Some(p)) => p.dj_slug.clone(),
            (None, None) => return Err(AppError::invalid("dj_slug", "is required")),
        };
        if !valid_slug(&dj_slug) {
            return Err(AppError::invalid(
                "dj_slug",
                "must be lower-case letters, digits and single hyphens, like dj-sparkle",
            ));
        }
        let timezone = input
            .timezone
            .map(|t| t.trim().to_string())
            .or_else(|| existing.as_ref().map(|p| p.timezone.clone()))
            .unwrap_or_else(|| DEFAULT_TIMEZONE.to_string());
        if jiff::tz::TimeZone::get(&timezone).is_err() {
            return Err(AppError::invalid(
                "timezone",
                "must be an IANA time zone name such as America/Chicago",
            ));
        }
        // A PUT that says `is_published: true`, or makes a profile with a real number live,
        // publishes it (SPEC §3): that assigns the virtual number.
        let was_live = existing
            .as_ref()
            .is_some_and(|p| p.is_published && p.real_phone_number.is_some());
        let publish_requested = input.is_published == Some(true) || !was_live;
        if let Some(Some(real)) = &input.real_phone_number {
            self.check_forwarding(real).await?;
        }
        let real_number_changed = matches!(input.real_phone_number, Some(Some(_)));
        let fields = ProfileFields {
            dj_name,
            dj_slug,
            is_published: input
                .is_published
                .or(existing.as_ref().map(|p| p.is_published))
                .unwrap_or(false),
            timezone,
            real_phone_number: match input.real_phone_number {
                Some(number) => number.map(|n| n.as_str().to_string()),
                None => existing.as_ref().and_then(|p| p.real_phone_number.clone()),
            },
        };
        match self
            .store
            .upsert_profile(actor, id, &fields, self.now())
            .await
        {
            Ok(result) => {
                self.after_profile_saved(&result.0, publish_requested, real_number_changed)
                    .await;
                self.reroute(id).await;
                Ok(result)
            }
            Err(StoreError::Conflict(_)) => Err(AppError::Conflict {
                code: "slug_taken",
                message: "another profile already uses this dj_slug".into(),
            }),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert!(valid_slug("dj-sparkle-2"));
        for bad in [
            "",
            "-dj",
            "dj-",
            "dj--x",
            "DJ",
            "dj sparkle",
            "dj_sparkle",
            "dj/x",
        ] {
            assert!(!valid_slug(bad), "{bad}");
        }
    }
}
