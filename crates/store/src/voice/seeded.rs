//! Telephony events written directly, for calls made up by the demo seed (`app/src/demo.rs`):
//! their call pages show a timeline like a real call's. Real calls' events only come through
//! the webhooks (`record_voice_event`).

use crate::{DbTime, Store, StoreResult};
use djcalls_domain::Actor;
use djcalls_domain::voice::VoiceEvent;
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
}
