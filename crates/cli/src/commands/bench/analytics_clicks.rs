//! The analytics data set's widget clicks: three calls in five follow a click on the same DJ's
//! widget 2–10 minutes before and carry its attribution (the JSON the voice path stores,
//! `store/src/clicks.rs`); one call in ten also has an earlier click that led to no call. The
//! clicks come from a handful of sources, one with only a `gclid` (reported as `google`/`cpc`);
//! each click's UTC quarter-hour counts the DJ's number as shown a few times.

use djcalls_store::DbTime;
use djcalls_store::calls::NewCall;
use djcalls_store::clicks::NewClick;
use djcalls_store::reports::ShownCount;
use djcalls_store::seeding::SeedClick;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use uuid::Uuid;

/// `(utm_source, utm_medium, utm_campaign, with a gclid)`.
type Source = (
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    bool,
);

const SOURCES: [Source; 7] = [
    (Some("google"), Some("cpc"), Some("wedding-search"), true),
    (None, None, None, true),
    (
        Some("facebook"),
        Some("paid_social"),
        Some("spring-promo"),
        false,
    ),
    (Some("instagram"), Some("social"), None, false),
    (Some("newsletter"), Some("email"), Some("monthly"), false),
    (Some("google"), Some("organic"), None, false),
    (Some("weddingwire"), Some("referral"), None, false),
];

const QUARTER_HOUR_MICROS: i64 = 15 * 60 * 1_000_000;

/// The clicks made so far (counts), and those not yet written.
#[derive(Default)]
pub struct Clicks {
    pub clicks: u64,
    pub attributed: u64,
    pending: Vec<SeedClick>,
    shown: BTreeMap<(Uuid, i64), i64>,
}

impl Clicks {
    /// The `i`-th call of its DJ with its attribution, if it followed a click (then its
    /// `page_url` is the click's page, as on a real call).
    pub fn before(&mut self, mut call: NewCall, i: u64) -> (NewCall, Option<String>) {
        let at = call.timestamp.0;
        if i % 10 == 9 {
            self.click(&call, i + 3, at - SignedDuration::from_mins(40));
        }
        if i % 5 >= 3 {
            return (call, None);
        }
        let minutes = 2 + i64::try_from(i % 9).unwrap_or(0);
        let click = self.click(&call, i, at - SignedDuration::from_mins(minutes));
        call.page_url.clone_from(&click.click.page_url);
        self.attributed += 1;
        (call, Some(attribution_json(&click)))
    }

    /// The clicks and shown counts since the last `take`.
    pub fn take(&mut self) -> (Vec<SeedClick>, Vec<ShownCount>) {
        let shown = std::mem::take(&mut self.shown)
            .into_iter()
            .map(|((dj, bucket), shown)| ShownCount {
                dj_profile_id: djcalls_domain::DjProfileId(dj),
                bucket: DbTime(
                    Timestamp::from_microsecond(bucket).unwrap_or(Timestamp::UNIX_EPOCH),
                ),
                shown,
            })
            .collect();
        (std::mem::take(&mut self.pending), shown)
    }

    fn click(&mut self, call: &NewCall, i: u64, at: Timestamp) -> SeedClick {
        let dj = call.dj_profile_id;
        let (utm_source, utm_medium, utm_campaign, gclid) =
            SOURCES[usize::try_from((i / 5) % 7).unwrap_or(0)];
        let text = |s: Option<&str>| s.map(str::to_string);
        let click = SeedClick {
            id: Uuid::now_v7(),
            dj_profile_id: dj,
            click: NewClick {
                page_url: Some(format!("https://djs.example/{}", dj.0.simple())),
                referrer: utm_source.map(|s| format!("https://{s}.example/")),
                visitor_id: Some(format!("v-{}-{i}", &dj.0.simple().to_string()[24..])),
                utm_source: text(utm_source),
                utm_medium: text(utm_medium),
                utm_campaign: text(utm_campaign),
                utm_term: None,
                utm_content: None,
                gclid: gclid.then(|| format!("EAIaIQobChMI{i:x}")),
            },
            clicked_at: DbTime(at),
        };
        let micros = at.as_microsecond();
        let bucket = micros - micros.rem_euclid(QUARTER_HOUR_MICROS);
        *self.shown.entry((dj.0, bucket)).or_default() += 4 + i64::try_from(i % 25).unwrap_or(0);
        self.clicks += 1;
        self.pending.push(click.clone());
        click
    }
}

/// The attribution JSON the voice path would store for a call following `click`.
fn attribution_json(click: &SeedClick) -> String {
    let k = &click.click;
    serde_json::json!({
        "click_id": click.id.to_string(),
        "dj_profile_id": click.dj_profile_id.to_string(),
        "page_url": k.page_url,
        "referrer": k.referrer,
        "visitor_id": k.visitor_id,
        "utm_source": k.utm_source,
        "utm_medium": k.utm_medium,
        "utm_campaign": k.utm_campaign,
        "utm_term": k.utm_term,
        "utm_content": k.utm_content,
        "gclid": k.gclid,
        "clicked_at": click.clicked_at.0.to_string(),
        "confidence": "high",
    })
    .to_string()
}
