//! The demo's answered calls of the last week come with a conversation, sent through the same
//! path as Twilio's Real-Time Transcription segments (`Store::record_transcript_segment`), so
//! the demo's call pages show the conversation and its insights (SPEC §12).

use crate::{App, AppResult};
use djcalls_domain::transcript::{Speaker, TranscriptSegment};
use djcalls_store::DbTime;
use jiff::{SignedDuration, Timestamp};

/// Only calls this recent get a conversation (keeps seeding quick).
pub(crate) const TRANSCRIBED_WITHIN: SignedDuration = SignedDuration::from_hours(7 * 24);

const CONVERSATIONS: [&[(Speaker, &str)]; 4] = [
    &[
        (
            Speaker::Dj,
            "Thanks for calling, this is the DJ, how can I help?",
        ),
        (
            Speaker::Caller,
            "Hi! We're planning a wedding on June 14th at the Riverside Barn.",
        ),
        (
            Speaker::Dj,
            "Congratulations! How many guests are you expecting?",
        ),
        (
            Speaker::Caller,
            "About 150 people. Are you available that day, and what do you charge?",
        ),
    ],
    &[
        (Speaker::Dj, "Hola, habla el DJ, ¿en qué le puedo ayudar?"),
        (
            Speaker::Caller,
            "Buenas tardes, estamos planeando la quinceañera de mi hija para el 7 de noviembre.",
        ),
        (Speaker::Dj, "¡Felicidades! ¿Cuántos invitados serán?"),
        (
            Speaker::Caller,
            "Como ciento cincuenta invitados. ¿Cuánto cobra por la noche?",
        ),
    ],
    &[
        (Speaker::Dj, "DJ speaking, what can I do for you?"),
        (
            Speaker::Caller,
            "I'm organising our company holiday party next month, around 80 people.",
        ),
        (
            Speaker::Caller,
            "Our budget is about $1,500. Could you send me a quote?",
        ),
    ],
    &[
        (Speaker::Dj, "Hello, DJ speaking."),
        (
            Speaker::Caller,
            "Oh sorry, I think I have the wrong number. Bye.",
        ),
    ],
];

impl App {
    /// Sends a demo conversation for the answered call `call_sid` made `at`, when recent.
    pub(crate) async fn seed_demo_conversation(
        &self,
        call_sid: &str,
        pick: usize,
        at: Timestamp,
    ) -> AppResult<()> {
        if self.clock.now().duration_since(at) > TRANSCRIBED_WITHIN {
            return Ok(());
        }
        let lines = CONVERSATIONS[pick % CONVERSATIONS.len()];
        for (index, (speaker, text)) in lines.iter().enumerate() {
            let segment = TranscriptSegment {
                sequence_id: u32::try_from(index + 1).unwrap_or(u32::MAX),
                speaker: *speaker,
                text: (*text).to_string(),
            };
            self.store
                .record_transcript_segment(call_sid, &segment, DbTime(at))
                .await?;
        }
        Ok(())
    }
}
