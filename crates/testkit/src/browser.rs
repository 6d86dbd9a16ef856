//! Headless Chromium for browser tests.
//!
//! Driver: **fantoccini 0.22** (WebDriver, through Debian's `chromium-driver`, i.e.
//! `/usr/bin/chromedriver`), rather than `headless_chrome` 1.0 (CDP):
//! - compile cost: fantoccini is async on hyper 1 / hyper-util / http 1, which the workspace
//!   already builds for axum and reqwest; with default features off (we talk plain HTTP to a
//!   local chromedriver, so no TLS stack) it adds the `webdriver` types crate and its small
//!   dependencies (~23 crates, mostly icu_segmenter data, test-only). headless_chrome
//!   brings its own synchronous stack (tungstenite, a reader thread per tab, anyhow, regex, and
//!   a browser fetcher unless disabled), and its blocking calls would need `spawn_blocking`
//!   inside our tokio tests;
//! - maintenance: fantoccini (jonhoo) follows the W3C WebDriver standard, which Chromium's own
//!   chromedriver implements and versions together with the browser, so a Debian update of
//!   `chromium` + `chromium-driver` stays consistent; headless_chrome tracks the unversioned
//!   DevTools protocol itself.
//!
//! The cost of WebDriver is one more process (chromedriver), which [`Browser`] starts and stops.
//!
//! Policy, like PostgreSQL's (`db.rs`): [`Browser::launch`] returns `None` with a
//! `SKIPPED: browser test (…)` notice when `chromium` or `chromedriver` is not installed —
//! unless `DJCALLS_REQUIRE_CHROMIUM=1` (CI), where it panics. `DJCALLS_CHROMIUM` and
//! `DJCALLS_CHROMEDRIVER` name other binaries.

mod console;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long [`Page::wait_until`] polls by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// The mobile user agent of [`Viewport::Phone`] (Chrome on Android).
pub const PHONE_USER_AGENT: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 \
     (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";

/// Flags for a machine without network access: without them Chromium keeps trying to reach
/// Google services and floods the log with refused connections.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
];

fn chromium_required() -> bool {
    std::env::var("DJCALLS_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1")
}

/// The first of `names` found on `PATH` (or the path in `env`, when set).
fn find_binary(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Ok(path) = std::env::var(env) {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// The workspace's `test-artifacts/screenshots` directory (created).
pub fn screenshot_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let dir = root.join("test-artifacts").join("screenshots");
    std::fs::create_dir_all(&dir).expect("create test-artifacts/screenshots");
    dir
}

/// A running chromedriver; each [`Page`] is its own Chromium (own profile, own viewport).
pub struct Browser {
    driver: Child,
    webdriver_url: String,
    chromium: PathBuf,
    profiles: tempfile::TempDir,
    sessions: AtomicU32,
}

/// The window a page is shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewport {
    /// 390×844 CSS pixels, touch, a mobile user agent (`pointer: coarse`).
    Phone,
    /// 1280×800, mouse.
    Desktop,
}

impl Viewport {
    pub fn size(self) -> (u32, u32) {
        match self {
            Viewport::Phone => (390, 844),
            Viewport::Desktop => (1280, 800),
        }
    }
}

impl Browser {
    /// Starts chromedriver, or `None` (with a notice) when Chromium is not installed and not
    /// required. A browser that is installed but fails to start is a failure.
    pub async fn launch() -> Option<Browser> {
        let chromium = find_binary(
            "DJCALLS_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        );
        let driver = find_binary("DJCALLS_CHROMEDRIVER", &["chromedriver"]);
        let (chromium, driver) = match (chromium, driver) {
            (Some(c), Some(d)) => (c, d),
            (c, d) => {
                let missing = match (c, d) {
                    (None, None) => "chromium and chromedriver are",
                    (None, _) => "chromium is",
                    _ => "chromedriver is",
                };
                let why =
                    format!("{missing} not installed; apt-get install chromium chromium-driver");
                if chromium_required() {
                    panic!("Chromium is required (DJCALLS_REQUIRE_CHROMIUM=1) but {why}");
                }
                eprintln!("SKIPPED: browser test ({why})");
                return None;
            }
        };
        let port = free_port();
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", driver.display()));
        let browser = Browser {
            driver: child,
            webdriver_url: format!("http://127.0.0.1:{port}"),
            chromium,
            profiles: tempfile::tempdir().expect("temp dir for Chromium profiles"),
            sessions: AtomicU32::new(0),
        };
        let status = format!("{}/status", browser.webdriver_url);
        let http = reqwest::Client::new();
        let ready = poll(Duration::from_secs(15), || async {
            http.get(&status)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
        assert!(ready, "chromedriver did not answer at {status}");
        Some(browser)
    }

    /// A new Chromium window with `viewport`, its own fresh profile.
    pub async fn page(&self, viewport: Viewport) -> Page {
        let n = self.sessions.fetch_add(1, Ordering::Relaxed);
        let profile = self.profiles.path().join(format!("profile-{n}"));
        let (width, height) = viewport.size();
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push(format!("--window-size={width},{height}"));
        let mut chrome = json!({
            "binary": self.chromium.display().to_string(),
            "args": args,
        });
        if viewport == Viewport::Phone {
            chrome["mobileEmulation"] = json!({
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 3.0,
                                   "touch": true, "mobile": true},
                "userAgent": PHONE_USER_AGENT,
            });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), chrome);
        caps.insert("goog:loggingPrefs".into(), console::logging_prefs());
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&self.webdriver_url)
            .await
            .unwrap_or_else(|e| panic!("start a Chromium session: {e}"));
        let page = Page { client, viewport };
        if viewport == Viewport::Desktop {
            // The window size includes the browser's frame: grow it so that the viewport
            // itself is 1280×800.
            let frame = page
                .eval("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];")
                .await;
            let extra = |i: usize| {
                frame[i]
                    .as_u64()
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(0)
            };
            let _ = page
                .client
                .set_window_size(width + extra(0), height + extra(1))
                .await;
        }
        page
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium windows whose page was not closed (a failed test) outlive chromedriver:
        // end the processes that run on this browser's profiles, then chromedriver itself.
        let marker = self.profiles.path().display().to_string();
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for entry in entries.flatten() {
                let Some(pid) = entry
                    .file_name()
                    .to_str()
                    .and_then(|s| s.parse::<u32>().ok())
                else {
                    continue;
                };
                let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                if String::from_utf8_lossy(&cmdline).contains(&marker) {
                    let _ = Command::new("kill")
                        .arg("-9")
                        .arg(pid.to_string())
                        .stderr(Stdio::null())
                        .status();
                }
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// One Chromium window. Call [`Page::close`] at the end of a test.
pub struct Page {
    pub client: Client,
    pub viewport: Viewport,
}

impl Page {
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Runs `script` (a function body: use `return`) and gives its JSON result.
    pub async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls the JavaScript expression `condition` until it is truthy; false after `timeout`.
    pub async fn try_wait_until(&self, condition: &str, timeout: Duration) -> bool {
        let script = format!("try {{ return !!({condition}); }} catch (e) {{ return false; }}");
        poll(timeout, || async {
            self.client
                .execute(&script, Vec::new())
                .await
                .is_ok_and(|v| v == Value::Bool(true))
        })
        .await
    }

    /// [`Page::try_wait_until`] with [`DEFAULT_WAIT`]; panics (after saving a screenshot named
    /// `timeout-<what>`) when the condition never holds.
    pub async fn wait_until(&self, what: &str, condition: &str) {
        if !self.try_wait_until(condition, DEFAULT_WAIT).await {
            let shot = self.screenshot(&format!("timeout-{what}")).await;
            panic!(
                "timed out after {DEFAULT_WAIT:?} waiting for {what} ({condition}); screenshot {}",
                shot.display()
            );
        }
    }

    /// The rendered text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    /// An attribute of the first element matching `css`.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
            .attr(name)
            .await
            .unwrap_or_else(|e| panic!("attribute {name} of {css}: {e}"))
    }

    /// Clicks (or taps) the first element matching `css`, as a person would. A page script may
    /// replace the element between finding and clicking it (the widget re-renders numbers);
    /// then it is found again, as a person would click the element now on screen.
    pub async fn click(&self, css: &str) {
        let mut attempts = 0;
        loop {
            let element = self
                .client
                .find(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("find {css}: {e}"));
            match element.click().await {
                Ok(()) => return,
                Err(e) if attempts < 5 && e.is_stale_element_reference() => {
                    attempts += 1;
                }
                Err(e) => panic!("click {css}: {e}"),
            }
        }
    }

    /// `document.documentElement.outerHTML`: everything in the DOM right now.
    pub async fn outer_html(&self) -> String {
        self.eval("return document.documentElement.outerHTML;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Saves a PNG of the viewport as `test-artifacts/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = screenshot_dir().join(format!("{safe}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// Ends the session (and its Chromium).
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// Polls `check` every 50 ms until it is true or `timeout` has passed.
pub async fn poll<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(POLL).await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
