//! Telephony events written directly, for calls made up by the demo seed (`app/src/demo.rs`):
//! their call pages show a timeline like a real call's, and their attribution follows the
//! widget clicks seeded before them by the rule a Twilio call's does. Real calls' events only
//! come through the webhooks (`record_voice_event`).

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::voice::VoiceEvent;
use djcalls_domain::{Actor, CallId};
use uuid::Uuid;

impl Store {
    /// Stores `events` (with the instants they happened) as call `call_sid`'s telephony
    /// events, in one transaction; a second seed of the same call adds nothing.
    pub async fn insert_seeded_call_events(
        &self,
        call_sid: &str,
        events: &[(VoiceEvent, DbTime)],
    ) -> StoreResult<()> {
        let rows = events
            .iter()
            .enumerate()
            .map(|(i, (event, at))| {
                serde_json::to_string(event)
                    .map(|json| (format!("seed:{call_sid}:{i}"), json, *at))
                    .map_err(|e| crate::StoreError::Corrupt(e.to_string()))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        in_tx!(self, &Actor::System, write, |conn| {
            for (dedupe_key, json, at) in &rows {
                sqlx::query(
                    "INSERT INTO call_events (id, call_sid, dedupe_key, event, received_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING",
                )
                .bind(Uuid::now_v7())
                .bind(call_sid)
                .bind(dedupe_key)
                .bind(json)
                .bind(*at)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    /// Attributes the seeded call `call_id` to a click as an incoming Twilio call is
    /// (`clicks::attribution_for` at the call's instant: its `attribution` and, from the
    /// click, its `page_url`); true when a click qualified. A call with no click in the
    /// window keeps what it has.
    pub async fn attribute_seeded_call(&self, call_id: CallId) -> StoreResult<bool> {
        Ok(in_tx!(self, &Actor::System, write, |conn| {
            let call: Option<(Uuid, DbTime)> =
                sqlx::query_as("SELECT dj_profile_id, \"timestamp\" FROM dj_calls WHERE id = $1")
                    .bind(call_id.0)
                    .fetch_optional(&mut *conn)
                    .await?;
            let found = match call {
                Some((dj, at)) => crate::clicks::attribution_for(conn, dj, at).await?,
                None => None,
            };
            if let Some(found) = &found {
                sqlx::query(
                    "UPDATE dj_calls SET attribution = $2, page_url = coalesce($3, page_url) \
                     WHERE id = $1",
                )
                .bind(call_id.0)
                .bind(&found.json)
                .bind(&found.page_url)
                .execute(&mut *conn)
                .await?;
            }
            found.is_some()
        }))
    }
}
