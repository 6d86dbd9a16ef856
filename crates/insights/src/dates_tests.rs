use super::*;
use jiff::civil::date;

/// A Wednesday.
const TODAY: Date = date(2026, 3, 11);

fn on(text: &str) -> Option<Date> {
    event_date(
        &Doc::new(text),
        TODAY,
        crate::language::detect(&Doc::new(text)),
    )
}

#[test]
fn month_and_day_in_every_order() {
    assert_eq!(on("a wedding on June 14th"), Some(date(2026, 6, 14)));
    assert_eq!(on("the 14th of June"), Some(date(2026, 6, 14)));
    assert_eq!(on("la boda es el 14 de junio"), Some(date(2026, 6, 14)));
    assert_eq!(on("el catorce de junio"), Some(date(2026, 6, 14)));
    assert_eq!(on("February 2nd"), Some(date(2027, 2, 2)));
    assert_eq!(on("March 11"), Some(TODAY));
    assert_eq!(on("June 14th, 2028"), Some(date(2028, 6, 14)));
    assert_eq!(on("june fourteenth next year"), Some(date(2027, 6, 14)));
    assert_eq!(on("October twenty fourth"), Some(date(2026, 10, 24)));
}

#[test]
fn numeric_dates() {
    assert_eq!(on("on 6/14"), Some(date(2026, 6, 14)));
    assert_eq!(on("on 6/14/27"), Some(date(2027, 6, 14)));
    assert_eq!(on("la fiesta es el 14/6"), Some(date(2026, 6, 14)));
}

#[test]
fn weekdays_and_holidays() {
    assert_eq!(on("this Saturday"), Some(date(2026, 3, 14)));
    assert_eq!(on("next Saturday"), Some(date(2026, 3, 21)));
    assert_eq!(on("el próximo sábado"), Some(date(2026, 3, 14)));
    assert_eq!(on("last Saturday"), Some(date(2026, 3, 7)));
    assert_eq!(on("call me back Monday"), None);
    assert_eq!(on("a New Year's Eve party"), Some(date(2026, 12, 31)));
    assert_eq!(on("on the 20th"), Some(date(2026, 3, 20)));
    assert_eq!(on("our 25th anniversary"), None);
    assert_eq!(on("may I ask a question"), None);
}
