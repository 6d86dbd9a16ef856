//! Click-to-call events (`widget_clicks`) and the lookup that attributes a call to a click.
//!
//! **Attribution rule** (SPEC §7), applied once, when an incoming call first creates its
//! `dj_calls` row (`store/src/voice.rs`, inside that transaction), with `at` = the time the
//! call's first webhook arrived:
//!
//! - candidates are the same DJ's clicks in `[at − 30 min, at]` (server timestamps on both
//!   sides, so browser clocks never matter); the link goes to the most recent one;
//! - `confidence: "high"` when that click is at most [`HIGH_WINDOW`] (10 min) old and no
//!   *other visitor* clicked that DJ's widget in those 10 minutes (the same visitor clicking
//!   twice does not compete with itself);
//! - `confidence: "low"` when several visitors clicked within 10 minutes, or the newest click
//!   is 10–30 min old;
//! - no click in the 30 minutes → no attribution (`attribution` stays null).
//!
//! One click may be linked to more than one call (a visitor who calls back); a call is never
//! re-attributed later.

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::{Actor, DjProfileId};
use jiff::SignedDuration;
use sqlx::{PgConnection, SqliteConnection};
use uuid::Uuid;

/// A click this recent, alone in its window, is a confident match.
pub const HIGH_WINDOW: SignedDuration = SignedDuration::from_mins(10);
/// Older clicks than this are never linked to a call.
pub const LOW_WINDOW: SignedDuration = SignedDuration::from_mins(30);
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
        Ok(in_tx!(self, actor, read, |conn| {
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
) -> sqlx::Result<Option<String>> {
    let from = DbTime(at.0.saturating_sub(LOW_WINDOW).unwrap_or(at.0));
    let clicks = conn.recent_clicks(dj, from, at).await?;
    Ok(attribute(&clicks, at).map(|(click, confidence)| attribution_json(click, confidence)))
}

/// How sure a link from a call to a click is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confidence {
    High,
    Low,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Low => "low",
        }
    }
}

/// The rule of the module docs over `clicks` (one DJ's, newest first, none after `at`).
pub fn attribute(clicks: &[ClickRecord], at: DbTime) -> Option<(&ClickRecord, Confidence)> {
    let age = |c: &ClickRecord| at.0.duration_since(c.clicked_at.0);
    let newest = clicks
        .iter()
        .filter(|c| age(c) >= SignedDuration::ZERO && age(c) <= LOW_WINDOW)
        .max_by_key(|c| (c.clicked_at, c.id))?;
    if age(newest) > HIGH_WINDOW {
        return Some((newest, Confidence::Low));
    }
    let competing = clicks.iter().any(|c| {
        c.id != newest.id
            && age(c) >= SignedDuration::ZERO
            && age(c) <= HIGH_WINDOW
            && (c.visitor_id.is_none() || c.visitor_id != newest.visitor_id)
    });
    let confidence = if competing {
        Confidence::Low
    } else {
        Confidence::High
    };
    Some((newest, confidence))
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

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn at(mins_before: i64) -> DbTime {
        let call: Timestamp = "2026-06-15T12:00:00Z".parse().unwrap_or_default();
        DbTime(
            call.saturating_sub(SignedDuration::from_mins(mins_before))
                .unwrap_or(call),
        )
    }

    fn click(mins_before: i64, visitor: &str) -> ClickRecord {
        ClickRecord {
            id: Uuid::now_v7(),
            dj_profile_id: DjProfileId(Uuid::nil()),
            page_url: Some("https://www.thebash.com/dj/x".into()),
            referrer: None,
            visitor_id: Some(visitor.into()),
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            utm_term: None,
            utm_content: None,
            gclid: None,
            clicked_at: at(mins_before),
        }
    }

    fn confidence(clicks: &[ClickRecord]) -> Option<(Uuid, Confidence)> {
        attribute(clicks, at(0)).map(|(c, conf)| (c.id, conf))
    }

    #[test]
    fn a_lone_recent_click_is_high() {
        let c = click(3, "v1");
        assert_eq!(
            confidence(std::slice::from_ref(&c)),
            Some((c.id, Confidence::High))
        );
    }

    #[test]
    fn the_same_visitor_does_not_compete_with_itself() {
        let newer = click(2, "v1");
        let older = click(6, "v1");
        assert_eq!(
            confidence(&[newer.clone(), older]),
            Some((newer.id, Confidence::High))
        );
    }

    #[test]
    fn competing_visitors_or_an_old_click_are_low() {
        let newer = click(2, "v1");
        let other = click(6, "v2");
        assert_eq!(
            confidence(&[newer.clone(), other]),
            Some((newer.id, Confidence::Low))
        );
        let old = click(20, "v1");
        assert_eq!(
            confidence(std::slice::from_ref(&old)),
            Some((old.id, Confidence::Low))
        );
        // A competitor outside the 10-minute window does not lower a recent click.
        let recent = click(1, "v1");
        assert_eq!(
            confidence(&[recent.clone(), click(25, "v2")]),
            Some((recent.id, Confidence::High))
        );
    }

    #[test]
    fn nothing_older_than_thirty_minutes_or_after_the_call() {
        assert_eq!(confidence(&[click(31, "v1")]), None);
        assert_eq!(confidence(&[click(-1, "v1")]), None);
        assert_eq!(confidence(&[]), None);
    }
}
