//! Call-list rows (shared by the dashboard, the admin console and the live row fragment), the
//! `range` parameter, and query parsing with HTML errors.

use super::PageError;
use askama::Template;
use askama_web::WebTemplate;
use djcalls_app::records::CallRecord;
use djcalls_domain::range::DateRange;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::de::DeserializeOwned;

/// One call as a table row.
pub struct CallRow {
    pub id: String,
    pub dj_profile_id: String,
    /// The DJ's name where the page knows it (the admin console), else the id's first block.
    pub dj_name: String,
    pub when: String,
    pub timestamp: String,
    pub caller: String,
    pub status: String,
    pub event_type: String,
    pub lead_score: String,
    pub booked: bool,
    pub duration: String,
    pub paid: String,
}

impl CallRow {
    pub fn of(c: &CallRecord, tz: &TimeZone) -> CallRow {
        CallRow {
            id: c.id.to_string(),
            dj_profile_id: c.dj_profile_id.to_string(),
            dj_name: c.dj_profile_id.to_string().chars().take(8).collect(),
            when: local(c.timestamp.0, tz),
            timestamp: c.timestamp.0.to_string(),
            caller: c
                .caller_name
                .clone()
                .or_else(|| c.caller_number.clone())
                .unwrap_or_else(|| "Unknown caller".into()),
            status: c.call_status.to_string(),
            event_type: c.event_type.clone().unwrap_or_else(|| "—".into()),
            lead_score: c.lead_score.to_string(),
            booked: c.is_booked,
            duration: c
                .call_duration_seconds
                .filter(|s| *s > 0)
                .map(|s| format!("{}:{:02}", s / 60, s % 60))
                .unwrap_or_else(|| "—".into()),
            paid: if c.tipjar_payment_received {
                dollars(c.tipjar_payment_amount_cents)
            } else {
                "—".into()
            },
        }
    }
}

impl CallRow {
    /// The row with its DJ's name from `names` (id → name), when there.
    pub fn named(mut self, names: &std::collections::HashMap<String, String>) -> CallRow {
        if let Some(name) = names.get(&self.dj_profile_id) {
            self.dj_name.clone_from(name);
        }
        self
    }
}

/// `<tr>` alone, for live updates.
#[derive(Template, WebTemplate)]
#[template(path = "call_row.html")]
pub struct RowFragment {
    pub row: CallRow,
    pub show_dj: bool,
}

pub fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}${}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// The call statuses a list can be filtered by.
pub const STATUSES: [&str; 8] = [
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "no-answer",
    "failed",
    "canceled",
    "voicemail",
];

/// `7d`, `30d`, `90d` or `all` (default `30d`); anything else is a 400 page.
pub fn range_of(
    raw: Option<&str>,
    now: Timestamp,
    tz: TimeZone,
    tz_name: &str,
) -> Result<(&'static str, DateRange), PageError> {
    let (name, days) = match raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("30d")
    {
        "7d" => ("7d", Some(7)),
        "30d" => ("30d", Some(30)),
        "90d" => ("90d", Some(90)),
        "all" => ("all", None),
        _ => return Err(PageError::bad_request("range must be 7d, 30d, 90d or all.")),
    };
    let range = match days {
        Some(n) => DateRange::last_days(n, now, tz, tz_name),
        None => DateRange::unbounded(tz, tz_name),
    };
    Ok((name, range))
}

/// The range as the API's `start_date`/`end_date` (local dates; the end date is inclusive).
pub fn api_bounds(range: &DateRange) -> (String, String) {
    let start = range
        .start
        .map(|s| s.to_zoned_datetime(range.tz.clone()).date().to_string())
        .unwrap_or_default();
    let end = range
        .end
        .and_then(|e| {
            e.to_zoned_datetime(range.tz.clone())
                .date()
                .yesterday()
                .ok()
        })
        .map(|d| d.to_string())
        .unwrap_or_default();
    (start, end)
}

/// `/api/djdash/calls/export.csv` for a page's view: `(start, end, tz)` from [`api_bounds`]
/// (empty for all time), the profile and the status filter (empty for none).
pub fn export_link((start, end, tz): (&str, &str, &str), profile: &str, status: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("dj_profile_id", profile),
        ("start_date", start),
        ("end_date", end),
        ("call_status", status),
    ] {
        if !value.is_empty() {
            q.append_pair(key, value);
        }
    }
    q.append_pair("tz", tz);
    format!("/api/djdash/calls/export.csv?{}", q.finish())
}

/// `/api/djdash/contacts/export.csv` for a page's view: the contacts whose last call falls in
/// `(start, end, tz)` from [`api_bounds`] (empty for all time), of the profile (empty for every
/// one the session may see) and whose number contains `phone`'s digits (empty for any).
pub fn contacts_export_link(
    (start, end, tz): (&str, &str, &str),
    profile: &str,
    phone: &str,
) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("dj_profile_id", profile),
        ("start_date", start),
        ("end_date", end),
        ("phone", phone),
    ] {
        if !value.is_empty() {
            q.append_pair(key, value);
        }
    }
    q.append_pair("tz", tz);
    format!("/api/djdash/contacts/export.csv?{}", q.finish())
}

pub fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, PageError> {
    crate::extract::parse_query(raw).map_err(PageError::from)
}

pub fn zone(name: &str) -> (TimeZone, String) {
    match TimeZone::get(name) {
        Ok(tz) => (tz, name.to_string()),
        Err(_) => (TimeZone::UTC, "UTC".to_string()),
    }
}
