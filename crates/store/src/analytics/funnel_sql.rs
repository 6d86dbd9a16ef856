//! The SQL of the funnel summaries (migration 0036): a click's journey computed from its calls,
//! and the stage columns every funnel row carries. Everything spliced in is a static name or a
//! `$n` placeholder.

use crate::Pool;

/// The stages after `clicks`, in the order of `Funnel` (and of every funnel summary row).
pub(super) const STAGES: [&str; 7] = [
    "calls",
    "answered",
    "conversations",
    "links_sent",
    "links_opened",
    "paid",
    "revenue_cents",
];

/// How each backend matches a call to the click its attribution names: by `dj_calls.click_id`
/// (migration 0039), a generated column with its own index.
pub(super) struct Keys {
    /// PostgreSQL: each click's calls in a LATERAL subquery, so the planner looks them up
    /// through the index click by click instead of sorting every attributed call to merge;
    /// fenced (`OFFSET 0`) so only the click index is used (combined with the DJ's time index
    /// it read every later call of a busy DJ's for each of its clicks).
    lateral: bool,
    call: &'static str,
    click: &'static str,
    /// The UTC day (days since 1970-01-01) of `clicked_at`.
    pub day: &'static str,
}

pub(super) fn keys(pool: &Pool) -> Keys {
    match pool {
        Pool::Pg(_) => Keys {
            lateral: true,
            call: "c.click_id",
            click: "k.id",
            day: "CAST(floor(extract(epoch FROM clicked_at) / 86400) AS BIGINT)",
        },
        Pool::Lite(_) => Keys {
            lateral: false,
            call: "c.click_id",
            click: "k.id",
            day: "(clicked_at / 86400000000)",
        },
    }
}

/// Each click `k` that satisfies `clicks` with its journey now: `click_id, dj_profile_id,
/// clicked_at` and 0 or 1 per stage (a stage's condition includes every stage above it), and
/// the revenue of its calls that reached `paid`. `talk` is the placeholder of
/// `FOLLOWUP_MIN_TALK_SECONDS`.
pub(super) fn journeys(keys: &Keys, clicks: &str, talk: &str) -> String {
    let answered = "c.answered";
    let talked = format!("{answered} AND c.talk_seconds > {talk}");
    let sent = format!("{talked} AND c.tipjar_link_sent");
    let opened = format!(
        "{sent} AND EXISTS (SELECT 1 FROM payment_links l WHERE l.call_id = c.id AND l.opens > 0)"
    );
    let paid = format!("{opened} AND c.tipjar_payment_received");
    let stage = |cond: &str, name: &str| {
        format!("CAST(coalesce(max(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT) AS {name}")
    };
    if keys.lateral {
        return format!(
            "SELECT k.id AS click_id, k.dj_profile_id AS dj_profile_id, k.clicked_at AS clicked_at, \
               j.calls, j.answered, j.conversations, j.links_sent, j.links_opened, j.paid, \
               j.revenue_cents \
             FROM widget_clicks k CROSS JOIN LATERAL ( \
               SELECT CAST(CASE WHEN count(c.id) > 0 THEN 1 ELSE 0 END AS BIGINT) AS calls, \
                 {answered_col}, {talked_col}, {sent_col}, {opened_col}, {paid_col}, \
                 CAST(coalesce(sum(CASE WHEN {paid} THEN (SELECT coalesce(sum(p.amount_cents), 0) \
                   FROM payments p WHERE p.call_id = c.id) ELSE 0 END), 0) AS BIGINT) AS revenue_cents \
               FROM (SELECT * FROM dj_calls c WHERE c.click_id IS NOT NULL \
                       AND {call_key} = {click_key} OFFSET 0) c \
               WHERE c.dj_profile_id = k.dj_profile_id AND c.\"timestamp\" >= k.clicked_at) j \
             WHERE {clicks}",
            answered_col = stage(answered, "answered"),
            talked_col = stage(&talked, "conversations"),
            sent_col = stage(&sent, "links_sent"),
            opened_col = stage(&opened, "links_opened"),
            paid_col = stage(&paid, "paid"),
            call_key = keys.call,
            click_key = keys.click,
        );
    }
    format!(
        "SELECT k.id AS click_id, k.dj_profile_id AS dj_profile_id, k.clicked_at AS clicked_at, \
           CAST(max(CASE WHEN c.id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS calls, \
           {answered_col}, {talked_col}, {sent_col}, {opened_col}, {paid_col}, \
           CAST(coalesce(sum(CASE WHEN {paid} THEN (SELECT coalesce(sum(p.amount_cents), 0) \
             FROM payments p WHERE p.call_id = c.id) ELSE 0 END), 0) AS BIGINT) AS revenue_cents \
         FROM widget_clicks k LEFT JOIN dj_calls c ON c.click_id IS NOT NULL \
           AND {call_key} = {click_key} AND c.dj_profile_id = k.dj_profile_id \
           AND c.\"timestamp\" >= k.clicked_at \
         WHERE {clicks} GROUP BY k.id, k.dj_profile_id, k.clicked_at",
        answered_col = stage(answered, "answered"),
        talked_col = stage(&talked, "conversations"),
        sent_col = stage(&sent, "links_sent"),
        opened_col = stage(&opened, "links_opened"),
        paid_col = stage(&paid, "paid"),
        call_key = keys.call,
        click_key = keys.click,
    )
}

/// `a, b, …` of the stages, each prefixed.
pub(super) fn stage_list(prefix: &str) -> String {
    STAGES
        .iter()
        .map(|s| format!("{prefix}{s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `sign * sum(s) AS s, …` of the stages, each cast to BIGINT.
pub(super) fn stage_sums(sign: &str) -> String {
    STAGES
        .iter()
        .map(|s| format!("CAST({sign}coalesce(sum({s}), 0) AS BIGINT) AS {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}
