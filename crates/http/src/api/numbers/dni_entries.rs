//! The DNI answer's entries, rendered once a minute per DJ (issue 9 part 5): every profile page
//! view asks `GET /api/djdash/dni`, and rendering an entry (formatting the number, signing its
//! click token, writing JSON) costs more than finding it. A click token says the minute it was
//! issued (`App::click_token_issue`), so within a minute a DJ's entry is the same bytes for
//! every page; it is kept until the minute or the DJ's number changes. The answer is those
//! entries joined in the order of the `DniJson` map (by id), byte for byte what serialising
//! `DniJson` gives (tested below).

use super::dni::DniNumberJson;
use djcalls_app::App;
use djcalls_domain::{DjProfileId, PhoneNumber};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Entries kept before the stale ones (of an earlier minute) are dropped.
const PRUNE_AT: usize = 4096;

#[derive(Default)]
pub struct DniEntries {
    rendered: RwLock<HashMap<DjProfileId, Entry>>,
}

struct Entry {
    issued: i64,
    number: PhoneNumber,
    /// `"<id>":{…}`, ready to join into the answer.
    json: Arc<str>,
}

impl DniEntries {
    /// The answer's JSON body for `found` (DJ, public number), in any order.
    pub fn answer(&self, app: &App, mut found: Vec<(DjProfileId, PhoneNumber)>) -> String {
        // A UUID's hyphenated lowercase text sorts as its bytes do: the map's order.
        found.sort_by_key(|(dj, _)| *dj);
        let issued = app.click_token_issue();
        let entries: Vec<Arc<str>> = found
            .into_iter()
            .map(|(dj, number)| self.entry(app, dj, number, issued))
            .collect();
        body(&entries)
    }

    fn entry(&self, app: &App, dj: DjProfileId, number: PhoneNumber, issued: i64) -> Arc<str> {
        {
            let rendered = self.rendered.read().unwrap_or_else(|e| e.into_inner());
            if let Some(e) = rendered.get(&dj)
                && e.issued == issued
                && e.number == number
            {
                return Arc::clone(&e.json);
            }
        }
        let json: Arc<str> = render(dj, &number, app.click_token_at(dj, issued)).into();
        let mut rendered = self.rendered.write().unwrap_or_else(|e| e.into_inner());
        if rendered.len() >= PRUNE_AT {
            rendered.retain(|_, e| e.issued == issued);
        }
        rendered.insert(
            dj,
            Entry {
                issued,
                number,
                json: Arc::clone(&json),
            },
        );
        json
    }
}

/// The answer's body: the entries (in id order) inside `{"success":true,"numbers":{…}}`.
fn body(entries: &[Arc<str>]) -> String {
    let mut body = String::with_capacity(32 + entries.iter().map(|e| e.len() + 1).sum::<usize>());
    body.push_str(r#"{"success":true,"numbers":{"#);
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(entry);
    }
    body.push_str("}}");
    body
}

/// One DJ's entry, `"<id>":{…}`.
fn render(dj: DjProfileId, number: &PhoneNumber, click_token: String) -> String {
    let entry = DniNumberJson {
        virtual_number: number.as_str().to_string(),
        display_number: number.display(),
        click_token,
    };
    let id = serde_json::to_string(&dj.to_string()).unwrap_or_default();
    let value = serde_json::to_string(&entry).unwrap_or_default();
    format!("{id}:{value}")
}

#[cfg(test)]
mod tests {
    use super::super::dni::DniJson;
    use super::*;
    use std::collections::BTreeMap;

    /// Joined entries are byte for byte what serialising the answer's type gives.
    #[test]
    fn the_joined_entries_are_the_serialised_answer() {
        let djs = [
            (
                DjProfileId(uuid::Uuid::from_u128(0xb)),
                "+12125550100",
                "60.tok-b",
            ),
            (
                DjProfileId(uuid::Uuid::from_u128(0xa)),
                "+13125550111",
                "60.tok-a",
            ),
        ];
        let mut sorted = djs;
        sorted.sort_by_key(|(dj, _, _)| *dj);
        let entries: Vec<Arc<str>> = sorted
            .iter()
            .map(|(dj, n, t)| render(*dj, &PhoneNumber::from_trusted_e164(*n), (*t).into()).into())
            .collect();
        let numbers: BTreeMap<String, DniNumberJson> = djs
            .iter()
            .map(|(dj, n, t)| {
                let number = PhoneNumber::from_trusted_e164(*n);
                (
                    dj.to_string(),
                    DniNumberJson {
                        virtual_number: number.as_str().to_string(),
                        display_number: number.display(),
                        click_token: (*t).into(),
                    },
                )
            })
            .collect();
        let expected = serde_json::to_string(&DniJson {
            success: true,
            numbers,
        })
        .unwrap();
        assert_eq!(body(&entries), expected);
        assert_eq!(body(&[]), r#"{"success":true,"numbers":{}}"#);
    }
}
