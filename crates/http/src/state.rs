//! The state every route shares: the use cases (`App`), plus the HTTP layer's own memory of
//! rendered answers. A low module so that extractors, pages, webhooks and the JSON API all
//! depend on it rather than on the crate root.

use crate::api::numbers::dni_entries::DniEntries;
use djcalls_app::App;
use std::sync::Arc;

#[derive(Clone)]
pub struct HttpState {
    pub app: App,
    /// The DNI answer's entries, rendered once a minute per DJ.
    pub dni_entries: Arc<DniEntries>,
}

impl HttpState {
    pub fn new(app: App) -> HttpState {
        HttpState {
            app,
            dni_entries: Arc::default(),
        }
    }
}
