//! The demo's visitors and texts, consistent with its calls: widget clicks (most calls follow
//! one, some visitors click and never call), the DNI answers that showed each number, and for
//! every call whose payment link was texted, the text and its link (opened before any payment).
//! Written through the store calls the service uses, and raising no outbound webhook events
//! (the demo enqueues no jobs), so the funnel, the sources report, the contacts and the call
//! pages agree with the calls.

use crate::{App, AppResult};
use djcalls_domain::DjProfileId;
use djcalls_store::DbTime;
use djcalls_store::calls::CallRecord;
use djcalls_store::clicks::NewClick;
use djcalls_store::messages::SentFollowup;
use djcalls_store::reports::ShownCount;
use jiff::{SignedDuration, Timestamp};
use rand::RngExt;
use rand::rngs::StdRng;

/// Where a demo visitor came from (a click's UTM fields).
struct Source {
    source: Option<&'static str>,
    medium: Option<&'static str>,
    campaign: Option<&'static str>,
    gclid: bool,
}

const fn source(
    source: Option<&'static str>,
    medium: Option<&'static str>,
    campaign: Option<&'static str>,
    gclid: bool,
) -> Source {
    Source {
        source,
        medium,
        campaign,
        gclid,
    }
}

/// Where the demo's visitors come from; no source: a visitor who came straight to the page.
const SOURCES: [Source; 6] = [
    source(Some("google"), Some("cpc"), Some("wedding-djs"), true),
    source(Some("google"), Some("cpc"), Some("party-djs"), true),
    source(
        Some("facebook"),
        Some("paid_social"),
        Some("spring-weddings"),
        false,
    ),
    source(Some("instagram"), Some("social"), None, false),
    source(Some("djdash"), Some("referral"), None, false),
    source(None, None, None, false),
];

/// The DJ's pages a visitor clicks from.
const PAGES: [&str; 3] = ["", "/reviews", "/pricing"];

/// The share of calls that follow a click (percent); the rest are direct.
const CALLS_AFTER_A_CLICK: u32 = 55;
/// DNI answers per click: visitors see the number far more often than they tap it.
const SHOWN_PER_CLICK: std::ops::RangeInclusive<i64> = 6..=18;

/// A DJ's DNI counts, added once per DJ.
#[derive(Default)]
pub(crate) struct ShownTally(Vec<ShownCount>);

impl ShownTally {
    fn add(&mut self, rng: &mut StdRng, dj: DjProfileId, at: Timestamp) {
        let second = at.as_second();
        let bucket = Timestamp::from_second(second - second.rem_euclid(900)).unwrap_or(at);
        self.0.push(ShownCount {
            dj_profile_id: dj,
            bucket: DbTime(bucket),
            shown: rng.random_range(SHOWN_PER_CLICK),
        });
    }
}

impl App {
    /// A click on the DJ's widget, by a visitor from one of [`SOURCES`], at `at`.
    async fn seed_click(
        &self,
        rng: &mut StdRng,
        dj: DjProfileId,
        slug: &str,
        at: Timestamp,
        shown: &mut ShownTally,
    ) -> AppResult<()> {
        let Source {
            source,
            medium,
            campaign,
            gclid,
        } = SOURCES[rng.random_range(0..SOURCES.len())];
        let page = PAGES[rng.random_range(0..PAGES.len())];
        let click = NewClick {
            page_url: Some(format!("https://djdash.net/dj/{slug}{page}")),
            referrer: source.map(|s| format!("https://{s}.com/")),
            visitor_id: Some(format!("v-{:016x}", rng.random::<u64>())),
            utm_source: source.map(str::to_string),
            utm_medium: medium.map(str::to_string),
            utm_campaign: campaign.map(str::to_string),
            utm_term: None,
            utm_content: None,
            gclid: gclid.then(|| format!("Cj0demo{:012x}", rng.random::<u64>() >> 16)),
        };
        self.store.record_click(dj, &click, DbTime(at)).await?;
        shown.add(rng, dj, at);
        Ok(())
    }

    /// Before a call at `at`: most often the click that led to it, 1 to 25 minutes earlier.
    pub(crate) async fn seed_click_before_call(
        &self,
        rng: &mut StdRng,
        dj: DjProfileId,
        slug: &str,
        at: Timestamp,
        shown: &mut ShownTally,
    ) -> AppResult<()> {
        if rng.random_range(0..100) >= CALLS_AFTER_A_CLICK {
            return Ok(());
        }
        let before = SignedDuration::from_secs(rng.random_range(60..1_500));
        let clicked = at.checked_sub(before).unwrap_or(at);
        self.seed_click(rng, dj, slug, clicked, shown).await
    }

    /// Visitors of the day starting at `day` who clicked and did not call (about as many as
    /// the calls that followed a click).
    pub(crate) async fn seed_clicks_without_calls(
        &self,
        rng: &mut StdRng,
        dj: DjProfileId,
        slug: &str,
        day: Timestamp,
        calls: u32,
        shown: &mut ShownTally,
    ) -> AppResult<()> {
        for _ in 0..rng.random_range(0..=calls.max(1)) {
            let at = day
                .checked_add(SignedDuration::from_secs(rng.random_range(0..86_400)))
                .unwrap_or(day);
            self.seed_click(rng, dj, slug, at, shown).await?;
        }
        Ok(())
    }

    /// Adds a DJ's DNI counts.
    pub(crate) async fn seed_numbers_shown(&self, shown: ShownTally) -> AppResult<()> {
        Ok(self.store.add_numbers_shown(&shown.0).await?)
    }

    /// The follow-up text of a call whose payment link was sent, a minute after it ended,
    /// with its `/pay/…` link; `opened` makes the caller open the link (before any payment).
    pub(crate) async fn seed_followup_text(
        &self,
        rng: &mut StdRng,
        call: &CallRecord,
        dj_name: &str,
        opened: bool,
    ) -> AppResult<()> {
        let (Some(from), Some(to)) = (&call.virtual_number, &call.caller_number) else {
            return Ok(());
        };
        let length = SignedDuration::from_secs(i64::from(call.call_duration_seconds.unwrap_or(0)));
        let sent_at = call.timestamp.0 + length + SignedDuration::from_mins(1);
        let token = format!(
            "demo{:016x}{:016x}",
            rng.random::<u64>(),
            rng.random::<u64>()
        );
        self.store
            .ensure_payment_link(
                call.id,
                call.dj_profile_id,
                &token,
                &format!("ref_{token}"),
                DbTime(sent_at),
            )
            .await?;
        let link = format!("{}/pay/{token}", self.settings.public_base_url);
        let body = format!(
            "Thanks for calling {dj_name}! Your booking and deposit: {link} Reply STOP to opt out."
        );
        let message_sid = format!("SM{}", uuid::Uuid::from_u128(rng.random()).simple());
        self.store
            .record_followup_sent(
                &SentFollowup {
                    call_id: call.id,
                    dj_profile_id: call.dj_profile_id,
                    message_sid: &message_sid,
                    from,
                    to,
                    body: &body,
                    kind: "followup",
                    tipjar_link: Some(&link),
                },
                DbTime(sent_at),
            )
            .await?;
        if opened {
            let opened_at = sent_at + SignedDuration::from_mins(rng.random_range(2..90));
            self.store
                .open_payment_link(&token, DbTime(opened_at))
                .await?;
        }
        Ok(())
    }
}
