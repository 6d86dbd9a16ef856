//! The state every route shares: the use cases (`App`). A low module so that extractors,
//! pages, webhooks and the JSON API all depend on it rather than on the crate root.

use djcalls_app::App;

#[derive(Clone)]
pub struct HttpState {
    pub app: App,
}
