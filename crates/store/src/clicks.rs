//! Click-to-call events (`widget_clicks`) and the lookup that attributes a call to a click.
//!
//! The attribution rule itself is `djcalls_domain::attribution`; this module fetches the
//! candidate clicks for it (inside the voice transaction that first creates the call's
//! `dj_calls` row, `store/src/voice.rs`) and turns the outcome into the stored JSON.

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::attribution::{self, CandidateClick, Confidence};
use djcalls_domain::{Actor, DjProfileId};
use sqlx::{PgConnection, SqliteConnection};
use uuid::Uuid;

/// How many of the newest clicks in the window the rule looks at.
const CANDIDATES: i64 = 50;

/// A click as the widget reported it; every text is already validated and bounded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewClick {
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub visitor_id: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub gclid: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ClickRecord {
    pub id: Uuid,
    #[sqlx(try_from = "Uuid")]
    pub dj_profile_id: DjProfileId,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
    pub visitor_id: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub gclid: Option<String>,
    pub clicked_at: DbTime,
}

const COLUMNS: &str = "id, dj_profile_id, page_url, referrer, visitor_id, utm_source, utm_medium, \
     utm_campaign, utm_term, utm_content, gclid, clicked_at";

/// Inserts only when the profile exists, so an unknown id is ignored, not an error.
const INSERT_SQL: &str = "INSERT INTO widget_clicks (id, dj_profile_id, page_url, referrer, visitor_id, \
     utm_source, utm_medium, utm_campaign, utm_term, utm_content, gclid, clicked_at) \
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 \
     WHERE EXISTS (SELECT 1 FROM dj_profiles WHERE id = $2)";

const CANDIDATES_SQL: &str = "SELECT id, dj_profile_id, page_url, referrer, visitor_id, utm_source, \
     utm_medium, utm_campaign, utm_term, utm_content, gclid, clicked_at FROM widget_clicks \
     WHERE dj_profile_id = $1 AND clicked_at >= $2 AND clicked_at <= $3 \
     ORDER BY clicked_at DESC, id DESC LIMIT $4";

impl Store {
    /// Stores a click on `dj`'s widget at `at`; false (nothing stored) when no such profile.
    pub async fn record_click(
        &self,
        dj: DjProfileId,
        click: &NewClick,
        at: DbTime,
    ) -> StoreResult<bool> {
        let done = in_tx!(self, &Actor::System, write, |conn| {
            sqlx::query(INSERT_SQL)
                .bind(Uuid::now_v7())
                .bind(dj.0)
                .bind(&click.page_url)
                .bind(&click.referrer)
                .bind(&click.visitor_id)
                .bind(&click.utm_source)
                .bind(&click.utm_medium)
                .bind(&click.utm_campaign)
                .bind(&click.utm_term)
                .bind(&click.utm_content)
                .bind(&click.gclid)
                .bind(at)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }

    /// A DJ's newest clicks (at most `limit`), as `actor` may see them.
    pub async fn clicks_of(
        &self,
        actor: &Actor,
        dj: DjProfileId,
        limit: u32,
    ) -> StoreResult<Vec<ClickRecord>> {
        Ok(in_tx!(self, actor, replica, |conn| {
            sqlx::query_as::<_, ClickRecord>(crate::sql_with(
                COLUMNS,
                "SELECT {COLUMNS} FROM widget_clicks WHERE dj_profile_id = $1 \
                 ORDER BY clicked_at DESC, id DESC LIMIT $2",
            ))
            .bind(dj.0)
            .bind(i64::from(limit))
            .fetch_all(&mut *conn)
            .await?
        }))
    }
}

/// A connection the attribution lookup can run on: the `conn` inside an `in_tx!` body, on
/// either backend.
pub trait ClickConn: Send {
    /// The clicks on `dj`'s widget in `[from, to]`, newest first.
    fn recent_clicks(
        &mut self,
        dj: Uuid,
        from: DbTime,
        to: DbTime,
    ) -> impl Future<Output = sqlx::Result<Vec<ClickRecord>>> + Send;
}

macro_rules! impl_click_conn {
    ($conn:ty) => {
        impl ClickConn for $conn {
            async fn recent_clicks(
                &mut self,
                dj: Uuid,
                from: DbTime,
                to: DbTime,
            ) -> sqlx::Result<Vec<ClickRecord>> {
                sqlx::query_as::<_, ClickRecord>(CANDIDATES_SQL)
                    .bind(dj)
                    .bind(from)
                    .bind(to)
                    .bind(CANDIDATES)
                    .fetch_all(&mut *self)
                    .await
            }
        }
    };
}

impl_click_conn!(PgConnection);
impl_click_conn!(SqliteConnection);

/// The attribution JSON for a call to `dj` that arrived at `at` (see the module docs), or
/// `None` when no click qualifies.
pub async fn attribution_for<C: ClickConn + ?Sized>(
    conn: &mut C,
    dj: Uuid,
    at: DbTime,
) -> sqlx::Result<Option<ClickAttribution>> {
    let from = DbTime(attribution::earliest_candidate(at.0));
    let clicks = conn.recent_clicks(dj, from, at).await?;
    Ok(
        attribution::attribute(&clicks, at.0).map(|(click, confidence)| ClickAttribution {
            json: attribution_json(click, confidence),
            page_url: click.page_url.clone(),
        }),
    )
}

/// A new call's attribution to a click: the `attribution` JSON, and the click's page, which
/// becomes the call's `page_url`.
pub struct ClickAttribution {
    pub json: String,
    pub page_url: Option<String>,
}

impl CandidateClick for ClickRecord {
    fn click_id(&self) -> Uuid {
        self.id
    }
    fn clicked_at(&self) -> jiff::Timestamp {
        self.clicked_at.0
    }
    fn visitor_id(&self) -> Option<&str> {
        self.visitor_id.as_deref()
    }
}

fn attribution_json(click: &ClickRecord, confidence: Confidence) -> String {
    serde_json::json!({
        "click_id": click.id.to_string(),
        "dj_profile_id": click.dj_profile_id.to_string(),
        "page_url": click.page_url,
        "referrer": click.referrer,
        "visitor_id": click.visitor_id,
        "utm_source": click.utm_source,
        "utm_medium": click.utm_medium,
        "utm_campaign": click.utm_campaign,
        "utm_term": click.utm_term,
        "utm_content": click.utm_content,
        "gclid": click.gclid,
        "clicked_at": click.clicked_at.0.to_string(),
        "confidence": confidence.as_str(),
    })
    .to_string()
}
