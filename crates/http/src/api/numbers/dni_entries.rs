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
        let mut body = String::with_capacity(32 + found.len() * 192);
        body.push_str(r#"{"success":true,"numbers":{"#);
        for (i, (dj, number)) in found.into_iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&self.entry(app, dj, number, issued));
        }
        body.push_str("}}");
        body
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
        let json: Arc<str> = render(app, dj, &number, issued).into();
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

fn render(app: &App, dj: DjProfileId, number: &PhoneNumber, issued: i64) -> String {
    let entry = DniNumberJson {
        virtual_number: number.as_str().to_string(),
        display_number: number.display(),
        click_token: app.click_token_at(dj, issued),
    };
    let id = serde_json::to_string(&dj.to_string()).unwrap_or_default();
    let value = serde_json::to_string(&entry).unwrap_or_default();
    format!("{id}:{value}")
}
