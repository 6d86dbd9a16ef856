//! `GET/PUT /api/djdash/profiles/{id}/followup`: the DJ's follow-up texts (SPEC §13).

use super::text;
use crate::api_doc::StandardErrors;
use crate::error::ApiResult;
use crate::extract::{Caller, JsonBody};
use crate::request::parse_id;
use crate::state::HttpState;
use axum::Json;
use axum::extract::{Path, State};
use djcalls_app::followup_texts::{FollowupTexts, TextInput, TextsByKind};
use djcalls_domain::DjProfileId;
use djcalls_domain::followup::FollowupKind;
use djcalls_domain::followup_template::{Language, field_name};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<HttpState> {
    OpenApiRouter::new().routes(routes!(get_followup_texts, put_followup_texts))
}

/// A template per language. Placeholders: `{dj_name}`, `{link}` (the payment link),
/// `{form_link}` (the DJ's inquiry form). The opt-out line is added by the service.
#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
struct LanguageTexts {
    en: Option<String>,
    es: Option<String>,
}

/// The DJ's texts; a kind or language left out (or empty) uses the platform's default.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct FollowupTextsBody {
    /// After an answered call: must contain `{link}`.
    #[serde(default)]
    thanks: LanguageTexts,
    /// After a missed or voicemail call (`FOLLOWUP_MISSED_CALLS`): must contain `{link}` or
    /// `{form_link}`.
    #[serde(default)]
    missed: LanguageTexts,
}

#[derive(Serialize, ToSchema)]
struct KindTexts {
    thanks: LanguageTexts,
    missed: LanguageTexts,
}

/// A text's size once filled with the DJ's values and the opt-out line.
#[derive(Serialize, ToSchema)]
struct SegmentsJson {
    /// `GSM-7` or `UCS-2`.
    encoding: &'static str,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    units: usize,
    segments: usize,
}

/// `{"success": true, "thanks": {"en", "es"}, "missed": {…}, "defaults": {…}, "custom": […],
/// "segments": {"thanks.en": {…}, …}}`.
#[derive(Serialize, ToSchema)]
struct FollowupTextsEnvelope {
    success: bool,
    /// What each kind and language sends: the DJ's text or the platform's default.
    thanks: LanguageTexts,
    missed: LanguageTexts,
    /// The platform's defaults.
    defaults: KindTexts,
    /// The texts the DJ wrote, by field (`thanks.es`).
    custom: Vec<&'static str>,
    segments: BTreeMap<&'static str, SegmentsJson>,
}

fn language_texts(texts: &TextsByKind, kind: FollowupKind) -> LanguageTexts {
    let of = |l: Language| {
        texts
            .get(kind.as_str())
            .and_then(|m| m.get(l.as_str()))
            .cloned()
    };
    LanguageTexts {
        en: of(Language::En),
        es: of(Language::Es),
    }
}

fn envelope(view: FollowupTexts) -> Json<FollowupTextsEnvelope> {
    Json(FollowupTextsEnvelope {
        success: true,
        thanks: language_texts(&view.texts, FollowupKind::Thanks),
        missed: language_texts(&view.texts, FollowupKind::Missed),
        defaults: KindTexts {
            thanks: language_texts(&view.defaults, FollowupKind::Thanks),
            missed: language_texts(&view.defaults, FollowupKind::Missed),
        },
        custom: view.custom,
        segments: view
            .segments
            .into_iter()
            .map(|(field, c)| {
                let json = SegmentsJson {
                    encoding: c.encoding.as_str(),
                    units: c.units,
                    segments: c.segments,
                };
                (field, json)
            })
            .collect(),
    })
}

const ID: &str = "The DJ profile's id (DJ Dash's)";

/// The DJ's follow-up texts.
#[utoipa::path(get, path = "/api/djdash/profiles/{id}/followup", tag = "profiles", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = ID)),
    responses((status = 200, description = "The texts", body = FollowupTextsEnvelope), StandardErrors))]
async fn get_followup_texts(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<FollowupTextsEnvelope>> {
    let id: DjProfileId = parse_id("id", &id)?;
    Ok(envelope(state.app.followup_texts(&actor, id).await?))
}

/// Replaces the DJ's follow-up texts. 400 names the field (`thanks.es`) of a text without its
/// link, with an unknown placeholder, or over two SMS segments once filled.
#[utoipa::path(put, path = "/api/djdash/profiles/{id}/followup", tag = "profiles", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = ID)),
    request_body = FollowupTextsBody,
    responses((status = 200, description = "Saved", body = FollowupTextsEnvelope), StandardErrors))]
async fn put_followup_texts(
    State(state): State<HttpState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<FollowupTextsBody>,
) -> ApiResult<Json<FollowupTextsEnvelope>> {
    let id: DjProfileId = parse_id("id", &id)?;
    let mut inputs = Vec::new();
    for (kind, texts) in [
        (FollowupKind::Thanks, body.thanks),
        (FollowupKind::Missed, body.missed),
    ] {
        for (language, value) in [(Language::En, texts.en), (Language::Es, texts.es)] {
            if let Some(body) = text(field_name(kind, language), value, 1000)? {
                inputs.push(TextInput {
                    kind,
                    language,
                    body,
                });
            }
        }
    }
    Ok(envelope(
        state.app.put_followup_texts(&actor, id, inputs).await?,
    ))
}
