//! An open live-update stream lives only as long as its session (issue 10, SPEC §11): when an
//! operator disables the user, changes their password or revokes their tokens (the use cases
//! `djcalls user disable|password` and `token revoke` call), or the browser signs out, the
//! stream says `signed_out` and ends at once — not at its next request, which an event stream
//! never makes. Other users' streams and the user's other sessions are untouched.

use super::*;
use tokio::time::timeout;

djcalls_testkit::on_both_backends! { TestApp:
    open_streams_end_as_soon_as_their_session_ends => streams_end;
}

/// Far more than a prompt end takes, and less than the streams' periodic session check (30 s),
/// so a stream that ends in time was ended by the sign-out itself.
const DEADLINE: Duration = Duration::from_secs(20);

pub struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    /// Opens `path` as `client` and reads up to its `ready` event.
    pub async fn open(client: &reqwest::Client, url: String) -> Stream {
        let response = client.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let mut stream = Stream {
            response,
            buffer: String::new(),
        };
        assert_eq!(stream.next_named("ready").await.as_deref(), Some("{}"));
        stream
    }

    /// The next event `(name, data)`, or `None` when the stream has ended.
    async fn next_event(&mut self) -> Option<(String, String)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(str::to_string)
                };
                if let Some(name) = field("event: ") {
                    return Some((name, field("data: ").unwrap_or_default()));
                }
                continue; // a keep-alive comment
            }
            let chunk = self.response.chunk().await.unwrap()?;
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The data of the next event named `name` (others are skipped); `None` if the stream
    /// ends first.
    async fn next_named(&mut self, name: &str) -> Option<String> {
        let found = timeout(DEADLINE, async {
            while let Some((event, data)) = self.next_event().await {
                if event == name {
                    return Some(data);
                }
            }
            None
        });
        found
            .await
            .expect("an event or the end within the deadline")
    }

    /// Reads to the end of the stream; the names of the events heard on the way.
    pub async fn until_end(mut self) -> Vec<String> {
        let rest = timeout(DEADLINE, async {
            let mut names = Vec::new();
            while let Some((name, _)) = self.next_event().await {
                names.push(name);
            }
            names
        });
        rest.await.expect("the stream ended within the deadline")
    }

    /// Asserts the stream is still open: it carries the next call of `dj`.
    pub async fn hears_a_call_of(&mut self, app: &TestApp, dj: &str) {
        let call = log_call(app, dj).await;
        loop {
            let data = self.next_named("call").await.expect("still open");
            let event: Value = serde_json::from_str(&data).unwrap();
            if event["call_id"] == call.as_str() {
                return;
            }
        }
    }
}

fn ended_signed_out(names: &[String]) {
    assert_eq!(
        names.last().map(String::as_str),
        Some("signed_out"),
        "{names:?}"
    );
}

async fn streams_end(app: TestApp) {
    app.app.seed_demo().await.unwrap();
    let sparkle = login(&app, SPARKLE).await;
    let marco_laptop = login(&app, MARCO).await;
    let marco_phone = login(&app, MARCO).await;
    let admin = login(&app, ADMIN).await;
    let events = app.url("/dashboard/events");
    let sparkle_stream = Stream::open(&sparkle, events.clone()).await;
    let mut laptop = Stream::open(&marco_laptop, events.clone()).await;
    let mut phone = Stream::open(&marco_phone, events.clone()).await;
    let mut all = Stream::open(&admin, app.url("/admin/events")).await;

    // `djcalls user disable`: Sparkle's stream ends; nobody else's.
    app.app.set_user_enabled(SPARKLE.0, false).await.unwrap();
    ended_signed_out(&sparkle_stream.until_end().await);
    let (status, _) = get(&sparkle, &app, "/dashboard/events").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "no reconnecting");
    laptop.hears_a_call_of(&app, MARCO_ID).await;
    phone
        .next_named("call")
        .await
        .expect("the phone's stream is open");
    all.next_named("call")
        .await
        .expect("the admin's stream is open");

    // Signing out on the laptop ends the laptop's stream, not the phone's.
    let (_, page) = get(&marco_laptop, &app, "/dashboard").await;
    let r = post(&marco_laptop, &app, "/logout", &[("csrf", &csrf(&page))]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    ended_signed_out(&laptop.until_end().await);
    phone.hears_a_call_of(&app, MARCO_ID).await;

    // `djcalls user password` ends the rest of Marco's.
    app.app
        .change_password(MARCO.0, "a-brand-new-password")
        .await
        .unwrap();
    ended_signed_out(&phone.until_end().await);

    // `djcalls token revoke` ends the admin's dashboard sessions, and so their stream.
    all.hears_a_call_of(&app, SPARKLE_ID).await;
    app.app.revoke_api_tokens(ADMIN.0, None).await.unwrap();
    ended_signed_out(&all.until_end().await);
}
