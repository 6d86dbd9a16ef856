//! The demo's world: three DJs with logins and ~90 days of realistic calls and payments, the
//! widget clicks and texts around them (`demo_journeys.rs`), written oldest first through the
//! same store calls the service uses, so every figure is real. The demo raises no outbound
//! webhook events.

use crate::demo_journeys::ShownTally;
use crate::{App, AppResult};
use djcalls_domain::{
    Actor, CallId, CallSource, CallStatus, Cents, DjProfileId, LeadScore, PhoneNumber, Role,
};
use djcalls_store::DbTime;
use djcalls_store::calls::NewCall;
use djcalls_store::payments::NewPayment;
use djcalls_store::profiles::ProfileFields;
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use uuid::Uuid;

/// A login the demo creates and prints.
#[derive(Clone, Debug)]
pub struct DemoLogin {
    pub email: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub dj_name: Option<&'static str>,
}

/// What the demo seeded, for the start-up banner.
#[derive(Clone, Debug)]
pub struct DemoWorld {
    pub logins: Vec<DemoLogin>,
    /// `(profile id, DJ name, virtual number)`.
    pub profiles: Vec<(DjProfileId, &'static str, String)>,
    pub calls: usize,
    pub payments: usize,
    pub admin_token: String,
}

struct DemoDj {
    id: u128,
    name: &'static str,
    slug: &'static str,
    timezone: &'static str,
    real_number: &'static str,
    email: &'static str,
    password: &'static str,
    calls_per_day: u32,
}

const DJS: [DemoDj; 3] = [
    DemoDj {
        id: 0x0d1a_0000_0000_4000_8000_0000_0000_0001,
        name: "DJ Sparkle",
        slug: "dj-sparkle",
        timezone: "America/New_York",
        real_number: "+12125550142",
        email: "sparkle@demo.djcalls.test",
        password: "sparkle-demo-pass",
        calls_per_day: 4,
    },
    DemoDj {
        id: 0x0d1a_0000_0000_4000_8000_0000_0000_0002,
        name: "Beats by Marco",
        slug: "beats-by-marco",
        timezone: "America/Chicago",
        real_number: "+13125550178",
        email: "marco@demo.djcalls.test",
        password: "marco-demo-pass",
        calls_per_day: 3,
    },
    DemoDj {
        id: 0x0d1a_0000_0000_4000_8000_0000_0000_0003,
        name: "Luna Waves",
        slug: "luna-waves",
        timezone: "America/Los_Angeles",
        real_number: "+14155550199",
        email: "luna@demo.djcalls.test",
        password: "luna-demo-pass",
        calls_per_day: 2,
    },
];

const ADMIN: DemoLogin = DemoLogin {
    email: "admin@demo.djcalls.test",
    password: "admin-demo-pass",
    role: Role::Admin,
    dj_name: None,
};

/// Area codes of the demo pool's unassigned numbers.
const DEMO_SPARE_AREA_CODES: [&str; 3] = ["212", "646", "773"];

const EVENT_TYPES: [Option<&str>; 7] = [
    Some("wedding"),
    Some("wedding"),
    Some("corporate"),
    Some("birthday"),
    Some("quinceanera"),
    Some("school-dance"),
    None,
];

impl App {
    /// Seeds the demo world ending at the clock's now. Deterministic apart from the token.
    pub async fn seed_demo(&self) -> AppResult<DemoWorld> {
        let now = self.clock.now();
        let mut rng = StdRng::seed_from_u64(2026);
        let mut logins = vec![ADMIN];
        let mut profiles = Vec::new();
        let (mut calls, mut payments) = (0, 0);
        self.add_user(ADMIN.email, ADMIN.password, Role::Admin, &[])
            .await?;
        for dj in &DJS {
            let id = DjProfileId(Uuid::from_u128(dj.id));
            let fields = ProfileFields {
                dj_name: dj.name.to_string(),
                dj_slug: dj.slug.to_string(),
                is_published: true,
                timezone: dj.timezone.to_string(),
                real_phone_number: Some(dj.real_number.to_string()),
            };
            self.store
                .upsert_profile(&Actor::System, id, &fields, DbTime(now))
                .await?;
            // A pool number in the DJ's own area code, assigned as publishing would.
            let area_code = PhoneNumber::from_trusted_e164(dj.real_number)
                .nanp_area_code()
                .map(str::to_string);
            self.buy_pool_numbers(&Actor::System, 1, area_code.as_deref())
                .await?;
            let (number, _) = self.assign_number(&Actor::System, id, None).await?;
            self.add_user(dj.email, dj.password, Role::Dj, &[id])
                .await?;
            logins.push(DemoLogin {
                email: dj.email,
                password: dj.password,
                role: Role::Dj,
                dj_name: Some(dj.name),
            });
            profiles.push((id, dj.name, number.virtual_number.clone()));
            let mut shown = ShownTally::default();
            // Oldest first, as they happened: a contact is made by its first call.
            for day in (0..90i64).rev() {
                let count =
                    rng.random_range(0..=dj.calls_per_day * 2) / 2 + u32::from(day % 7 == 5);
                let mut offsets: Vec<i64> = (0..count)
                    .map(|_| day * 86_400 + rng.random_range(0..86_400))
                    .collect();
                offsets.sort_unstable_by(|a, b| b.cmp(a));
                for offset in offsets {
                    let at = now
                        .checked_sub(SignedDuration::from_secs(offset))
                        .unwrap_or(now);
                    self.seed_click_before_call(&mut rng, id, dj.slug, at, &mut shown)
                        .await?;
                    let (paid, _) = self
                        .seed_call(&mut rng, id, dj, &number.virtual_number, at)
                        .await?;
                    calls += 1;
                    payments += usize::from(paid);
                }
                let day_start = now
                    .checked_sub(SignedDuration::from_secs((day + 1) * 86_400))
                    .unwrap_or(now);
                self.seed_clicks_without_calls(&mut rng, id, dj.slug, day_start, count, &mut shown)
                    .await?;
            }
            self.seed_numbers_shown(shown).await?;
        }
        // Spare numbers, so the admin console shows a pool with room to grow.
        for area_code in DEMO_SPARE_AREA_CODES {
            self.buy_pool_numbers(&Actor::System, 1, Some(area_code))
                .await?;
        }
        let admin_token = self.create_api_token(ADMIN.email, "demo").await?;
        Ok(DemoWorld {
            logins,
            profiles,
            calls,
            payments,
            admin_token,
        })
    }

    async fn seed_call(
        &self,
        rng: &mut StdRng,
        profile: DjProfileId,
        dj: &DemoDj,
        virtual_number: &str,
        at: Timestamp,
    ) -> AppResult<(bool, CallId)> {
        let roll = rng.random_range(0..100);
        let status = match roll {
            0..65 => CallStatus::Completed,
            65..80 => CallStatus::Voicemail,
            80..92 => CallStatus::NoAnswer,
            92..97 => CallStatus::Busy,
            _ => CallStatus::Failed,
        };
        let answered = status == CallStatus::Completed;
        let talk = if answered {
            rng.random_range(8..900)
        } else {
            0
        };
        let ring = rng.random_range(3..20);
        let voicemail_secs = if status == CallStatus::Voicemail {
            rng.random_range(10..90)
        } else {
            0
        };
        let duration = match status {
            CallStatus::Busy | CallStatus::Failed => 0,
            _ => ring + talk + voicemail_secs,
        };
        let booked = answered && talk > 120 && rng.random_bool(0.45);
        let lead = match (booked, talk) {
            (true, _) => LeadScore::Hot,
            (false, t) if t > 300 => LeadScore::Hot,
            (false, t) if t > 60 => LeadScore::Warm,
            _ => [LeadScore::Warm, LeadScore::Cold][rng.random_range(0..2)],
        };
        let caller = format!(
            "+1{}555{:04}",
            ["212", "312", "415", "646", "773"][rng.random_range(0..5)],
            rng.random_range(100..200)
        );
        let link_sent =
            answered && talk > i32::try_from(self.settings.followup_min_talk_secs).unwrap_or(10);
        let id = CallId::new_v7();
        let call = NewCall {
            id,
            dj_profile_id: profile,
            virtual_number: Some(virtual_number.to_string()),
            caller_number: PhoneNumber::parse(&caller).ok().map(|n| n.as_str().to_string()),
            caller_name: None,
            timestamp: DbTime(at),
            // From the click the call follows, if any (`attribute_seeded_call`), as on Twilio.
            page_url: None,
            event_type: EVENT_TYPES[rng.random_range(0..EVENT_TYPES.len())].map(str::to_string),
            lead_score: lead,
            is_booked: false,
            call_duration_seconds: Some(duration),
            call_status: status,
            call_sid: Some(format!("CA{}", Uuid::new_v4().simple())),
            notes: None,
            source: CallSource::Demo,
            answered,
            talk_seconds: answered.then_some(talk),
            voicemail_left: status == CallStatus::Voicemail,
            recording_sid: (answered || status == CallStatus::Voicemail)
                .then(|| format!("RE{}", Uuid::new_v4().simple())),
            transcription_status: (status == CallStatus::Voicemail).then(|| "completed".to_string()),
            transcription_text: (status == CallStatus::Voicemail).then(|| {
                "Hi, I'm planning a wedding in June and wanted to check your availability. Please call me back.".to_string()
            }),
            tipjar_link_sent: link_sent,
        };
        let (record, contact) = self
            .store
            .insert_call_and_contact(&Actor::System, &call, DbTime(at))
            .await?;
        self.count_contact_of_call(contact);
        self.store.attribute_seeded_call(record.id).await?;
        let pays = booked || (link_sent && rng.random_bool(0.1));
        if link_sent {
            let opened = pays || rng.random_bool(0.35);
            self.seed_followup_text(rng, &record, dj.name, opened)
                .await?;
        }
        if let Some(sid) = &call.call_sid {
            let events = crate::demo_timeline::demo_events(&call, ring);
            self.store.insert_seeded_call_events(sid, &events).await?;
        }
        if let Some(sid) = record.call_sid.as_deref().filter(|_| answered) {
            self.seed_demo_conversation(sid, usize::from(record.id.0.as_bytes()[15]), at)
                .await?;
        }
        let mut paid = false;
        if pays {
            let amount =
                Cents(rng.random_range(5..=50) * 1_000 + [0, 2_500, 9_990][rng.random_range(0..3)]);
            let payment_id = format!("pi_demo_{}", Uuid::new_v4().simple());
            // After the link was opened (within 2 h of the text).
            let paid_at = at
                .checked_add(SignedDuration::from_hours(rng.random_range(3..48)))
                .unwrap_or(at);
            self.store
                .record_payment(
                    &Actor::System,
                    &NewPayment {
                        call_id: record.id,
                        dj_profile_id: profile,
                        provider: "simulator".into(),
                        provider_entry_id: payment_id.clone(),
                        provider_payment_id: payment_id,
                        amount,
                        currency: "usd".into(),
                        at: DbTime(paid_at),
                    },
                    self.settings.platform_cut,
                )
                .await?;
            paid = true;
        }
        Ok((paid, record.id))
    }
}
