//! Checking a new experiment: 2–4 variants with distinct names, one whole percentage per
//! variant adding up to 100, and each variant's text valid as a DJ's thank-you text would be
//! (`domain::followup_template`: `{link}` present, known placeholders only, two segments once
//! filled, opt-out line included). The first refusal names its field (`variants[1].thanks.es`).
//!
//! An experiment runs for every DJ, so its texts are filled with sample values: a DJ name as
//! long as any text shows ([`MAX_NAME_CHARS`]), a payment link as long as a real one and the
//! inquiry form of a [`SAMPLE_SLUG_CHARS`]-character slug. A DJ whose real values make some
//! variant too long is not enrolled (`assign.rs`).

use crate::{App, AppError, AppResult};
use djcalls_domain::ExperimentId;
use djcalls_domain::experiment::{self, ExperimentState, MAX_VARIANTS};
use djcalls_domain::followup::{FollowupKind, MAX_NAME_CHARS, inquiry_url};
use djcalls_domain::followup_template::{self as template, Language, Values};
use djcalls_store::experiments::{Experiment, Variant};

/// The slug length the texts are checked with (longer than most: `dj-sparkle` has 10).
pub const SAMPLE_SLUG_CHARS: usize = 30;

/// The longest name of an experiment or a variant.
pub const MAX_NAME_LEN: usize = 100;

/// A variant as given.
#[derive(Clone, Debug)]
pub struct NewVariant {
    pub name: String,
    pub thanks_en: Option<String>,
    pub thanks_es: Option<String>,
}

/// An experiment as given.
#[derive(Clone, Debug)]
pub struct NewExperiment {
    pub name: String,
    pub variants: Vec<NewVariant>,
    pub split: Vec<i64>,
}

/// The fields of variant `i`: `[name, thanks.en, thanks.es]`.
const VARIANT_FIELDS: [[&str; 3]; MAX_VARIANTS] = [
    [
        "variants[0].name",
        "variants[0].thanks.en",
        "variants[0].thanks.es",
    ],
    [
        "variants[1].name",
        "variants[1].thanks.en",
        "variants[1].thanks.es",
    ],
    [
        "variants[2].name",
        "variants[2].thanks.en",
        "variants[2].thanks.es",
    ],
    [
        "variants[3].name",
        "variants[3].thanks.en",
        "variants[3].thanks.es",
    ],
];

/// The error fields of each variant, in order: `[name, thanks.en, thanks.es]`.
pub fn variant_fields() -> [[&'static str; 3]; MAX_VARIANTS] {
    VARIANT_FIELDS
}

fn check_text(
    field: &'static str,
    language: Language,
    text: &str,
    values: &Values,
) -> AppResult<String> {
    template::validate(FollowupKind::Thanks, language, text, values)
        .map_err(|e| AppError::invalid(field, e.message()))?;
    Ok(text.trim().to_string())
}

impl App {
    /// The experiment `input` describes, as a new draft; or the first field at fault.
    pub(super) fn checked_experiment(&self, input: NewExperiment) -> AppResult<Experiment> {
        let name = input.name.trim().to_string();
        if name.is_empty() {
            return Err(AppError::invalid("name", "is required"));
        }
        if !experiment::variant_count_ok(input.variants.len()) {
            return Err(AppError::invalid(
                "variants",
                format!(
                    "must list 2 to {MAX_VARIANTS} variants ({} given)",
                    input.variants.len()
                ),
            ));
        }
        let split = experiment::check_split(&input.split, input.variants.len())
            .map_err(|e| AppError::invalid("split", e.message()))?;
        let sample_name = "W".repeat(MAX_NAME_CHARS);
        let sample_link = format!("{}/pay/{}", self.settings.public_base_url, "x".repeat(22));
        let sample_form = inquiry_url(&"d".repeat(SAMPLE_SLUG_CHARS));
        let values = Values {
            dj_name: &sample_name,
            link: &sample_link,
            form_link: &sample_form,
        };
        let mut variants: Vec<Variant> = Vec::with_capacity(input.variants.len());
        for (i, (v, share)) in input.variants.into_iter().zip(split).enumerate() {
            let [name_field, en_field, es_field] = VARIANT_FIELDS[i];
            let name = v.name.trim().to_string();
            if name.is_empty() {
                return Err(AppError::invalid(name_field, "is required"));
            }
            if name.chars().count() > MAX_NAME_LEN {
                return Err(AppError::invalid(
                    name_field,
                    format!("must be at most {MAX_NAME_LEN} characters"),
                ));
            }
            if variants.iter().any(|other| other.name == name) {
                return Err(AppError::invalid(
                    name_field,
                    "must differ from the other variants' names",
                ));
            }
            let en = v
                .thanks_en
                .ok_or_else(|| AppError::invalid(en_field, "is required: the English text"))?;
            let thanks_en = check_text(en_field, Language::En, &en, &values)?;
            let thanks_es = match v.thanks_es {
                Some(es) => Some(check_text(es_field, Language::Es, &es, &values)?),
                None => None,
            };
            variants.push(Variant {
                position: i32::try_from(i).unwrap_or(0),
                name,
                split_percent: i32::from(share),
                thanks_en,
                thanks_es,
            });
        }
        Ok(Experiment {
            id: ExperimentId::new_v7(),
            name,
            state: ExperimentState::Draft,
            created_at: self.now(),
            started_at: None,
            stopped_at: None,
            variants,
        })
    }
}
