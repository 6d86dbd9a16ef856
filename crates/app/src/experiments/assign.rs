//! The variant a call's thank-you text comes from while an experiment runs.
//!
//! The variant is `domain::experiment::assign_variant` of the experiment's and the call's ids,
//! so every retry of the job picks the same one; the follow-up claim records it (and holds
//! only while that experiment still runs: `Store::claim_followup_under`), in the transaction
//! that makes the text the one sent. The text is the variant's in the call's language, else its English one
//! (the opt-out line follows the text's language).
//!
//! A call is enrolled only when *every* variant, filled with this DJ's name and links, fits two
//! segments: whether a call takes part then never depends on the variant it would get, so no
//! variant's figures lean towards DJs with short names. Calls not enrolled get the DJ's own
//! text and count nowhere.

use crate::App;
use djcalls_domain::experiment::assign_variant;
use djcalls_domain::followup_template::{self as template, Language, Values};
use djcalls_domain::sms_segments;
use djcalls_domain::{CallId, ExperimentId};
use djcalls_store::StoreError;
use djcalls_store::experiments::Variant;
use djcalls_store::messages::ExperimentArm;

/// A thank-you text chosen by an experiment: the template and its language.
pub(crate) struct VariantText {
    pub text: String,
    pub language: Language,
}

/// The variant's text in `language`, else its English one.
fn text_in(variant: &Variant, language: Language) -> (&str, Language) {
    match (language, variant.thanks_es.as_deref()) {
        (Language::Es, Some(es)) => (es, Language::Es),
        _ => (variant.thanks_en.as_str(), Language::En),
    }
}

fn fits(variant: &Variant, language: Language, values: &Values) -> bool {
    let (text, language) = text_in(variant, language);
    template::render(text, language, values)
        .is_ok_and(|body| sms_segments::segments(&body) <= template::MAX_SEGMENTS)
}

/// The enrolment of one call in one experiment (module docs).
pub(crate) fn enrol(
    experiment: ExperimentId,
    variants: &[Variant],
    call: CallId,
    language: Language,
    values: &Values,
) -> (ExperimentArm, Option<VariantText>) {
    let not_enrolled = ExperimentArm {
        running: Some(experiment),
        variant: None,
    };
    if variants.is_empty() || !variants.iter().all(|v| fits(v, language, values)) {
        return (not_enrolled, None);
    }
    let split: Vec<u8> = variants
        .iter()
        .map(|v| u8::try_from(v.split_percent).unwrap_or(0))
        .collect();
    let chosen = &variants[assign_variant(experiment, call, &split)];
    let (text, language) = text_in(chosen, language);
    (
        ExperimentArm {
            running: Some(experiment),
            variant: Some(chosen.position),
        },
        Some(VariantText {
            text: text.to_string(),
            language,
        }),
    )
}

impl App {
    /// The running experiment's say on a call's thank-you text: the arm to claim with, and the
    /// variant's text when the call is enrolled.
    pub(crate) async fn experiment_text(
        &self,
        call: CallId,
        language: Language,
        values: &Values<'_>,
    ) -> Result<(ExperimentArm, Option<VariantText>), StoreError> {
        Ok(match self.store.running_experiment().await? {
            Some(e) => enrol(e.id, &e.variants, call, language, values),
            None => (ExperimentArm::default(), None),
        })
    }
}
