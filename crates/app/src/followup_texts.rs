//! The DJ's follow-up texts (SPEC §13): reading and replacing them through the API, and
//! choosing the one a call gets. Validation is `domain::followup_template`'s, with the DJ's real
//! name, inquiry form and a payment link as long as a real one.

use crate::{App, AppError, AppResult};
use djcalls_domain::followup::{self as rules, FollowupKind};
use djcalls_domain::followup_template::{self as template, KINDS, Language, Values};
use djcalls_domain::followup_wait::next_look_for_insights;
use djcalls_domain::sms_segments::SegmentCount;
use djcalls_domain::transcript::LiveTranscription;
use djcalls_domain::{Actor, CallSource, DjProfileId};
use djcalls_store::calls::CallRecord;
use djcalls_store::followup_texts::FollowupText;
use djcalls_store::messages::ExperimentArm;
use djcalls_store::profiles::Profile;
use djcalls_store::{DbTime, StoreError};
use std::collections::BTreeMap;

/// Length of a payment link's token (`followup::random_token`).
const TOKEN_CHARS: usize = 22;

/// Texts by kind and language: what a PUT gives (absent = the platform's default) and what a
/// GET shows.
pub type TextsByKind = BTreeMap<&'static str, BTreeMap<&'static str, String>>;

/// A DJ's follow-up texts as the API shows them.
#[derive(Clone, Debug)]
pub struct FollowupTexts {
    /// What each kind and language sends: the DJ's text or the platform's default.
    pub texts: TextsByKind,
    /// The platform's defaults.
    pub defaults: TextsByKind,
    /// The fields (`thanks.es`) the DJ wrote.
    pub custom: Vec<&'static str>,
    /// The size of each text once filled, by field.
    pub segments: BTreeMap<&'static str, SegmentCount>,
}

/// One new text, before validation.
#[derive(Clone, Debug)]
pub struct TextInput {
    pub kind: FollowupKind,
    pub language: Language,
    pub body: String,
}

fn parse_kind(kind: &str) -> Option<FollowupKind> {
    KINDS.into_iter().find(|k| k.as_str() == kind)
}

impl App {
    /// The values a DJ's texts are filled with; `link` as long as a real payment link.
    fn template_values(&self, profile: &Profile) -> (String, String, String) {
        (
            rules::display_name(&profile.dj_name),
            format!(
                "{}/pay/{}",
                self.settings.public_base_url,
                "x".repeat(TOKEN_CHARS)
            ),
            rules::inquiry_url(&profile.dj_slug),
        )
    }

    async fn profile_for_texts(&self, actor: &Actor, dj: DjProfileId) -> AppResult<Profile> {
        self.get_profile(actor, dj).await
    }

    /// `GET /api/djdash/profiles/{id}/followup`.
    pub async fn followup_texts(&self, actor: &Actor, dj: DjProfileId) -> AppResult<FollowupTexts> {
        let profile = self.profile_for_texts(actor, dj).await?;
        let own = self.store.followup_texts(actor, dj).await?;
        let (name, link, form) = self.template_values(&profile);
        let values = Values {
            dj_name: &name,
            link: &link,
            form_link: &form,
        };
        let mut view = FollowupTexts {
            texts: BTreeMap::new(),
            defaults: BTreeMap::new(),
            custom: Vec::new(),
            segments: BTreeMap::new(),
        };
        for kind in KINDS {
            for language in Language::ALL {
                let default = template::platform_default(kind, language);
                let mine = own
                    .iter()
                    .find(|t| t.kind == kind.as_str() && t.language == language.as_str());
                let field = template::field_name(kind, language);
                if mine.is_some() {
                    view.custom.push(field);
                }
                let text = mine.map_or(default, |t| t.body.as_str());
                if let Ok(rendered) = template::render(text, language, &values) {
                    view.segments
                        .insert(field, djcalls_domain::sms_segments::count(&rendered));
                }
                view.texts
                    .entry(kind.as_str())
                    .or_default()
                    .insert(language.as_str(), text.to_string());
                view.defaults
                    .entry(kind.as_str())
                    .or_default()
                    .insert(language.as_str(), default.to_string());
            }
        }
        Ok(view)
    }

    /// `PUT /api/djdash/profiles/{id}/followup`: replaces the DJ's texts; a kind and language
    /// not given uses the platform's default. Every text is checked before any is stored; the
    /// first refusal names its field (`thanks.es`).
    pub async fn put_followup_texts(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        texts: Vec<TextInput>,
    ) -> AppResult<FollowupTexts> {
        let profile = self.profile_for_texts(actor, dj).await?;
        let (name, link, form) = self.template_values(&profile);
        let values = Values {
            dj_name: &name,
            link: &link,
            form_link: &form,
        };
        let mut rows = Vec::with_capacity(texts.len());
        for text in texts {
            let field = template::field_name(text.kind, text.language);
            template::validate(text.kind, text.language, &text.body, &values)
                .map_err(|e| AppError::invalid(field, e.message()))?;
            rows.push(FollowupText {
                kind: text.kind.as_str().to_string(),
                language: text.language.as_str().to_string(),
                body: text.body.trim().to_string(),
            });
        }
        self.store
            .replace_followup_texts(actor, dj, &rows, self.now())
            .await?;
        self.followup_texts(actor, dj).await
    }

    /// The template a call's follow-up uses: the DJ's text in `language`, else the platform's
    /// default in it; `language` is the call's insights language when one is known, else
    /// English.
    pub(crate) async fn followup_template(
        &self,
        dj: DjProfileId,
        kind: FollowupKind,
        language: Language,
    ) -> Result<String, StoreError> {
        let own = self.store.followup_texts(&Actor::System, dj).await?;
        Ok(own
            .into_iter()
            .find(|t| parse_kind(&t.kind) == Some(kind) && t.language == language.as_str())
            .map(|t| t.body)
            .unwrap_or_else(|| template::platform_default(kind, language).to_string()))
    }
}

/// What a follow-up job sends, or when it looks again for the call's insights.
pub(crate) enum Composed {
    Text {
        body: String,
        link: Option<String>,
        /// For a thank-you text, the experiment it was composed under (to claim with).
        experiment: Option<ExperimentArm>,
    },
    LookAgainAt(DbTime),
}

/// The language the call's insights found, if there are insights.
fn insights_language(call: &CallRecord) -> Option<Language> {
    let json: serde_json::Value = serde_json::from_str(call.insights.as_deref()?).ok()?;
    Language::parse(json.get("language")?.as_str()?)
}

/// Whether insights may still come for the call: Twilio transcribes voicemails, and a
/// transcription that has not settled yet (completed or failed) brings them; with
/// `TRANSCRIBE_CALLS` an answered Twilio call is transcribed live, and while that transcription
/// runs (started, not stopped: its last segments may trail the call's end) it brings them. An
/// answered call whose transcription never started (Twilio said nothing, or the setting was
/// off when it rang) or has stopped has nothing more to wait for.
pub(crate) fn insights_expected(call: &CallRecord, transcribe_calls: bool) -> bool {
    let voicemail_pending = call.voicemail_left && call.transcription_status.is_none();
    let conversation_pending = transcribe_calls
        && call.answered
        && call.source == CallSource::Twilio
        && call.live_transcription.as_deref() == Some(LiveTranscription::Started.as_str());
    call.insights.is_none() && (voicemail_pending || conversation_pending)
}

impl App {
    /// The text of a call's follow-up: the template in the call's insights language (English
    /// without insights, after a bounded wait for them when they may still come), filled, with
    /// the opt-out line. A payment link is made only when the text uses `{link}`. A filled text
    /// that no longer fits two segments (the DJ's name changed since) falls back to the
    /// platform's shortest English wording. While an experiment runs, a thank-you text of a
    /// call it enrols is its variant's (`experiments/assign.rs`).
    pub(crate) async fn compose_followup(
        &self,
        call: &CallRecord,
        profile: &Profile,
        kind: FollowupKind,
        enqueued_at: DbTime,
    ) -> Result<Composed, StoreError> {
        let now = self.now();
        let language = match insights_language(call) {
            Some(language) => language,
            None if insights_expected(call, self.settings.transcribe_calls) => {
                let tz = rules::time_zone(&profile.timezone);
                let quiet = self.settings.quiet_hours;
                match next_look_for_insights(now.0, enqueued_at.0, &tz, quiet) {
                    Some(at) => return Ok(Composed::LookAgainAt(DbTime(at))),
                    None => Language::En,
                }
            }
            None => Language::En,
        };
        let text = self
            .followup_template(call.dj_profile_id, kind, language)
            .await?;
        let link = if template::uses_link(&text) || kind == FollowupKind::Thanks {
            let link = self
                .store
                .ensure_payment_link(
                    call.id,
                    call.dj_profile_id,
                    &crate::followup::random_token(),
                    &format!("ref_{}", crate::followup::random_token()),
                    now,
                )
                .await?;
            Some(format!(
                "{}/pay/{}",
                self.settings.public_base_url, link.token
            ))
        } else {
            None
        };
        let name = rules::display_name(&profile.dj_name);
        let form = rules::inquiry_url(&profile.dj_slug);
        let values = Values {
            dj_name: &name,
            link: link.as_deref().unwrap_or_default(),
            form_link: &form,
        };
        let (text, language, experiment) = match kind {
            FollowupKind::Thanks => match self.experiment_text(call.id, language, &values).await? {
                (arm, Some(variant)) => (variant.text, variant.language, Some(arm)),
                (arm, None) => (text, language, Some(arm)),
            },
            FollowupKind::Missed => (text, language, None),
        };
        let body = template::render(&text, language, &values)
            .ok()
            .filter(|b| djcalls_domain::sms_segments::segments(b) <= template::MAX_SEGMENTS)
            .unwrap_or_else(|| match kind {
                FollowupKind::Thanks => rules::thanks_text(&profile.dj_name, values.link, &form),
                FollowupKind::Missed => rules::missed_text(&profile.dj_name, &form),
            });
        let link = link.filter(|l| body.contains(l.as_str()));
        Ok(Composed::Text {
            body,
            link,
            experiment,
        })
    }
}
