use super::*;
use crate::insights::Language;
use djcalls_domain::LeadScore;
use jiff::civil::date;

#[test]
fn the_issue_example_is_a_hot_wedding() {
    let i = analyse(
        "Hi, we're planning a wedding on June 14th, about 150 guests. Are you available?",
        date(2026, 3, 11),
    );
    assert_eq!(i.language, Language::En);
    assert_eq!(i.event_type, Some(EventType::Wedding));
    assert_eq!(i.event_date, Some(date(2026, 6, 14)));
    assert_eq!(i.guest_count, Some(150));
    assert_eq!(i.lead_score, LeadScore::Hot);
    assert!(i.asked_availability);
    assert_eq!(
        i.summary,
        "Wedding inquiry for 2026-06-14, about 150 guests; asked about availability; wants to book."
    );
}

#[test]
fn a_spanish_quinceanera_with_a_budget() {
    let i = analyse(
        "Hola, buenas tardes. Quiero saber cuánto cobra para la quinceañera de mi hija, \
         es el 14 de junio, vamos a ser ciento cincuenta invitados y tenemos como dos mil dólares.",
        date(2026, 3, 11),
    );
    assert_eq!(i.language, Language::Es);
    assert_eq!(i.event_type, Some(EventType::Quinceanera));
    assert_eq!(i.event_date, Some(date(2026, 6, 14)));
    assert_eq!(i.guest_count, Some(150));
    assert_eq!(i.budget_cents, Some(200_000));
    assert!(i.asked_price);
    assert_eq!(i.lead_score, LeadScore::Hot);
}

#[test]
fn non_prospects_are_cold_without_event_details() {
    let i = analyse(
        "Hi, this is Jake with LeadBoost, we help DJs like you get more wedding bookings.",
        date(2026, 3, 11),
    );
    assert_eq!(i.lead_score, LeadScore::Cold);
    assert_eq!(i.event_type, None);
    assert_eq!(i.summary, "Sales pitch: not a prospective client.");
    assert_eq!(analyse("", date(2026, 3, 11)).lead_score, LeadScore::Cold);
}

#[test]
fn a_caller_without_details_is_warm() {
    let i = analyse(
        "Hey, it's Dana, give me a call back when you get a chance, thanks.",
        date(2026, 3, 11),
    );
    assert_eq!(i.lead_score, LeadScore::Warm);
    assert_eq!(i.event_type, None);
}

#[test]
fn an_enormous_transcript_is_read_up_to_the_cap() {
    let mut said = String::from("We're planning a wedding on June 14th, are you available? ");
    while said.len() < 4 * MAX_TRANSCRIPT_BYTES {
        said.push_str("ñ blah 4111 ");
    }
    said.push_str("it's actually a bar mitzvah");
    let i = analyse(&said, date(2026, 3, 11));
    assert_eq!(i.event_type, Some(EventType::Wedding));
    assert_eq!(i.lead_score, LeadScore::Hot);
}
