//! What Chromium wrote to its console: ChromeDriver keeps the page's log when the session
//! asks for it (`goog:loggingPrefs`), and hands it over at `POST /session/{id}/se/log`
//! (its extension of WebDriver, which fantoccini has no method for).

use super::Page;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::Value;

/// ChromeDriver's "get log" command for the browser's console.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(r#"{"type":"browser"}"#.to_string()),
        )
    }
}

impl Page {
    /// The console's errors (level SEVERE: uncaught exceptions, `console.error`, failed
    /// loads) since the last call; reading the log empties it.
    pub async fn console_errors(&self) -> Vec<String> {
        let log = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .unwrap_or_else(|e| panic!("read the browser's console: {e}"));
        log.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The session capability that makes ChromeDriver keep the console's messages.
pub(super) fn logging_prefs() -> Value {
    serde_json::json!({"browser": "ALL"})
}
