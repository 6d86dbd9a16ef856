//! What the caller asked or wants, and callers who are not prospective clients.

use crate::text::{Doc, Phrases};
use std::sync::OnceLock;

/// Why a caller is not a prospective client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotProspect {
    WrongNumber,
    SalesPitch,
    JobSeeker,
    Robocall,
    Silence,
}

impl NotProspect {
    pub fn reason(self) -> &'static str {
        match self {
            NotProspect::WrongNumber => "wrong number",
            NotProspect::SalesPitch => "sales pitch",
            NotProspect::JobSeeker => "job seeker",
            NotProspect::Robocall => "spam or robocall",
            NotProspect::Silence => "nothing said",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ask {
    Price,
    Availability,
    Booking,
    Not(NotProspect),
}

use Ask::*;
use NotProspect::*;

const PHRASES: &[(&str, Ask)] = &[
    ("how much", Price),
    ("what do you charge", Price),
    ("what you charge", Price),
    ("do you charge", Price),
    ("your rates", Price),
    ("your rate", Price),
    ("your prices", Price),
    ("your pricing", Price),
    ("pricing", Price),
    ("price", Price),
    ("prices", Price),
    ("a quote", Price),
    ("quote", Price),
    ("what would it cost", Price),
    ("cost", Price),
    ("packages", Price),
    ("ballpark", Price),
    ("cuanto cobra", Price),
    ("cuanto cobran", Price),
    ("cuanto cuesta", Price),
    ("cuanto sale", Price),
    ("cuanto seria", Price),
    ("precio", Price),
    ("precios", Price),
    ("cotizacion", Price),
    ("cotizar", Price),
    ("paquetes", Price),
    ("available", Availability),
    ("availability", Availability),
    ("are you free", Availability),
    ("youre free", Availability),
    ("you are free", Availability),
    ("you free", Availability),
    ("still open", Availability),
    ("are you booked", Availability),
    ("already booked", Availability),
    ("have that date", Availability),
    ("date open", Availability),
    ("date is open", Availability),
    ("disponible", Availability),
    ("disponibilidad", Availability),
    ("tiene libre", Availability),
    ("esta libre", Availability),
    ("tienen libre", Availability),
    ("book you", Booking),
    ("planning", Booking),
    ("were planning", Booking),
    ("looking for a dj", Booking),
    ("need a dj", Booking),
    ("need you", Booking),
    ("estamos planeando", Booking),
    ("necesito un dj", Booking),
    ("necesitamos un dj", Booking),
    ("buscamos un dj", Booking),
    ("buscando dj", Booking),
    ("can you do it", Booking),
    ("could you do it", Booking),
    ("can you dj", Booking),
    ("could you dj", Booking),
    ("to book", Booking),
    ("book a dj", Booking),
    ("book the date", Booking),
    ("booking", Booking),
    ("hire you", Booking),
    ("want to hire", Booking),
    ("like to hire", Booking),
    ("looking to hire", Booking),
    ("reserve", Booking),
    ("lock in", Booking),
    ("lock it in", Booking),
    ("deposit", Booking),
    ("secure the date", Booking),
    ("sign the contract", Booking),
    ("send the contract", Booking),
    ("send me a contract", Booking),
    ("go with you", Booking),
    ("contratar", Booking),
    ("contratarlo", Booking),
    ("contratarte", Booking),
    ("reservar", Booking),
    ("apartar", Booking),
    ("apartar la fecha", Booking),
    ("deposito", Booking),
    ("anticipo", Booking),
    ("wrong number", Not(WrongNumber)),
    ("sorry wrong", Not(WrongNumber)),
    ("dialed the wrong", Not(WrongNumber)),
    ("numero equivocado", Not(WrongNumber)),
    ("equivoque de numero", Not(WrongNumber)),
    ("me equivoque", Not(WrongNumber)),
    ("search engine", Not(SalesPitch)),
    ("seo", Not(SalesPitch)),
    ("google business", Not(SalesPitch)),
    ("google listing", Not(SalesPitch)),
    ("business listing", Not(SalesPitch)),
    ("more leads", Not(SalesPitch)),
    ("more bookings", Not(SalesPitch)),
    ("grow your business", Not(SalesPitch)),
    ("marketing", Not(SalesPitch)),
    ("advertising", Not(SalesPitch)),
    ("merchant services", Not(SalesPitch)),
    ("credit card processing", Not(SalesPitch)),
    ("processing fees", Not(SalesPitch)),
    ("business loan", Not(SalesPitch)),
    ("business funding", Not(SalesPitch)),
    ("line of credit", Not(SalesPitch)),
    ("website design", Not(SalesPitch)),
    ("redesign your website", Not(SalesPitch)),
    ("special offer", Not(SalesPitch)),
    ("we help djs", Not(SalesPitch)),
    ("djs like you", Not(SalesPitch)),
    ("djs in your area", Not(SalesPitch)),
    ("partner with you", Not(SalesPitch)),
    ("su negocio", Not(SalesPitch)),
    ("publicidad", Not(SalesPitch)),
    ("le ofrecemos", Not(SalesPitch)),
    ("pagina web", Not(SalesPitch)),
    ("are you hiring", Not(JobSeeker)),
    ("you guys hiring", Not(JobSeeker)),
    ("guys are hiring", Not(JobSeeker)),
    ("youre hiring", Not(JobSeeker)),
    ("you are hiring", Not(JobSeeker)),
    ("looking for work", Not(JobSeeker)),
    ("looking for a job", Not(JobSeeker)),
    ("job opening", Not(JobSeeker)),
    ("any openings", Not(JobSeeker)),
    ("my resume", Not(JobSeeker)),
    ("apply", Not(JobSeeker)),
    ("work for you", Not(JobSeeker)),
    ("join your team", Not(JobSeeker)),
    ("assistant position", Not(JobSeeker)),
    ("need any help", Not(JobSeeker)),
    ("busco trabajo", Not(JobSeeker)),
    ("buscando trabajo", Not(JobSeeker)),
    ("trabajar con ustedes", Not(JobSeeker)),
    ("trabajar para ustedes", Not(JobSeeker)),
    ("estan contratando", Not(JobSeeker)),
    ("press 1", Not(Robocall)),
    ("press one", Not(Robocall)),
    ("press 9", Not(Robocall)),
    ("final notice", Not(Robocall)),
    ("extended warranty", Not(Robocall)),
    ("vehicles warranty", Not(Robocall)),
    ("car warranty", Not(Robocall)),
    ("this is an automated", Not(Robocall)),
    ("automated message", Not(Robocall)),
    ("you have been selected", Not(Robocall)),
    ("youve been selected", Not(Robocall)),
    ("student loan", Not(Robocall)),
    ("lower your interest", Not(Robocall)),
    ("irs", Not(Robocall)),
    ("oprima", Not(Robocall)),
    ("marque el", Not(Robocall)),
    ("mensaje automatizado", Not(Robocall)),
];

fn phrases() -> &'static Phrases<Ask> {
    static P: OnceLock<Phrases<Ask>> = OnceLock::new();
    P.get_or_init(|| Phrases::new(PHRASES))
}

/// What `doc` asks, with the phrases found.
#[derive(Debug, Default)]
pub(crate) struct Asks {
    pub price: bool,
    pub availability: bool,
    pub booking: bool,
    pub not_prospect: Option<NotProspect>,
    pub words: Vec<String>,
}

#[rustfmt::skip]
const FILLERS: &[&str] = &[
    "hello", "hi", "hey", "um", "uh", "hmm", "oh", "yes", "yeah", "ok", "okay", "hola", "bueno",
    "alo", "si", ".",
];

pub(crate) fn detect(doc: &Doc) -> Asks {
    let mut asks = Asks::default();
    for f in phrases().find(doc) {
        match f.value {
            Price => asks.price = true,
            Availability => asks.availability = true,
            Booking => asks.booking = true,
            Not(kind) => {
                asks.not_prospect.get_or_insert(kind);
            }
        }
        asks.words.push(doc.tokens[f.start..f.end].join(" "));
    }
    let meaningful = doc
        .tokens
        .iter()
        .filter(|t| !FILLERS.contains(&t.as_str()))
        .count();
    if meaningful < 3 {
        asks.not_prospect = Some(Silence);
    }
    asks
}
