//! `GET/POST /dashboard/followup`: the DJ's follow-up texts (SPEC §13) as a form, with a live
//! preview and SMS segment count per text (`assets/web/followup.js`, counting as
//! `domain::sms_segments` does). The post is CSRF-checked and saved through the same use case
//! as `PUT /api/djdash/profiles/{id}/followup`; a refusal re-renders the form with the typed
//! texts and says which field and why.

use super::{Nav, PageError, WebSession, csrf};
use crate::request::parse_id;
use crate::state::HttpState;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use djcalls_app::AppError;
use djcalls_app::followup_texts::{FollowupTexts, TextInput};
use djcalls_domain::DjProfileId;
use djcalls_domain::followup::{self as rules, FollowupKind};
use djcalls_domain::followup_template::{KINDS, Language, field_name};
use serde::Deserialize;

/// One text of the form.
pub struct TextField {
    /// `thanks.es`; the input's name is `thanks_es`.
    pub field: &'static str,
    pub name: String,
    pub label: String,
    pub language: &'static str,
    pub value: String,
    pub default: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "followup.html")]
pub struct FollowupPage {
    nav: Nav,
    profile_id: String,
    dj_name: String,
    sample_link: String,
    form_link: String,
    texts: Vec<TextField>,
    saved: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    dj_profile_id: Option<String>,
    saved: Option<String>,
}

/// The profile the page is about: the one asked for, else the DJ's first.
async fn profile_id(session: &WebSession, asked: Option<&str>) -> Result<DjProfileId, PageError> {
    match asked.filter(|s| !s.is_empty()) {
        Some(id) => Ok(parse_id("dj_profile_id", id)?),
        None => session.profiles.first().copied().ok_or_else(|| {
            PageError::bad_request("Choose a DJ: add ?dj_profile_id=… to the address.")
        }),
    }
}

fn label(kind: FollowupKind, language: Language) -> String {
    let what = match kind {
        FollowupKind::Thanks => "After an answered call",
        FollowupKind::Missed => "After a missed call or voicemail",
    };
    let lang = match language {
        Language::En => "English",
        Language::Es => "Spanish",
    };
    format!("{what} ({lang})")
}

async fn render(
    state: &HttpState,
    session: &WebSession,
    dj: DjProfileId,
    typed: Option<&[(String, String)]>,
    saved: bool,
    error: Option<String>,
) -> Result<FollowupPage, PageError> {
    let profile = state.app.get_profile(&session.actor, dj).await?;
    let view: FollowupTexts = state.app.followup_texts(&session.actor, dj).await?;
    let mut texts = Vec::new();
    for kind in KINDS {
        for language in Language::ALL {
            let field = field_name(kind, language);
            let name = field.replace('.', "_");
            let stored = view.texts[kind.as_str()][language.as_str()].clone();
            let value = typed
                .and_then(|t| t.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()))
                .unwrap_or(stored);
            texts.push(TextField {
                field,
                name,
                label: label(kind, language),
                language: language.as_str(),
                value,
                default: view.defaults[kind.as_str()][language.as_str()].clone(),
            });
        }
    }
    Ok(FollowupPage {
        nav: Nav::of(session),
        profile_id: dj.to_string(),
        dj_name: rules::display_name(&profile.dj_name),
        sample_link: format!("{}/pay/{}", state.app.public_base_url(), "x".repeat(22)),
        form_link: rules::inquiry_url(&profile.dj_slug),
        texts,
        saved,
        error,
    })
}

pub async fn page(
    State(state): State<HttpState>,
    session: WebSession,
    Query(q): Query<PageQuery>,
) -> Result<FollowupPage, PageError> {
    let dj = profile_id(&session, q.dj_profile_id.as_deref()).await?;
    render(&state, &session, dj, None, q.saved.is_some(), None).await
}

#[derive(Deserialize)]
struct SaveForm {
    dj_profile_id: String,
}

pub async fn save(
    State(state): State<HttpState>,
    session: WebSession,
    body: Bytes,
) -> Result<Response, PageError> {
    let form: SaveForm = csrf::form(&session, &body)?;
    let dj = profile_id(&session, Some(&form.dj_profile_id)).await?;
    let pairs = csrf::pairs(&body);
    let mut inputs = Vec::new();
    for kind in KINDS {
        for language in Language::ALL {
            let name = field_name(kind, language).replace('.', "_");
            let value = pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.trim().replace("\r\n", "\n"))
                .unwrap_or_default();
            // A text left as the platform's default stays the default (and follows it).
            let default = djcalls_domain::followup_template::platform_default(kind, language);
            if !value.is_empty() && value != default {
                inputs.push(TextInput {
                    kind,
                    language,
                    body: value,
                });
            }
        }
    }
    match state
        .app
        .put_followup_texts(&session.actor, dj, inputs)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/dashboard/followup?dj_profile_id={dj}&saved=1"))
                .into_response(),
        ),
        Err(AppError::Invalid { field, message }) => {
            let page = render(
                &state,
                &session,
                dj,
                Some(&pairs),
                false,
                Some(format!("{field}: {message}")),
            )
            .await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
