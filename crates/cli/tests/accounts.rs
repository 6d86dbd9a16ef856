//! Account administration from the command line (SPEC §11): `token revoke`, `user disable`,
//! `user enable` and `user password` against a running server on the same database — each
//! takes effect at once, on tokens and on dashboard sessions.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

mod support;
use support::{djcalls, sqlite_url};

use reqwest::redirect::Policy;
use std::io::Write;
use std::process::{Output, Stdio};

const EMAIL: &str = "dj@example.com";
const PASSWORD: &str = "first password";
const PROFILE: &str = "0d1a0000-0000-4000-8000-0000000000c1";

fn run(url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = djcalls()
        .args(args)
        .env("DATABASE_URL", url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "djcalls {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn new_token(url: &str, name: &str) -> String {
    let out = run(
        url,
        &["token", "create", "--email", EMAIL, "--name", name],
        None,
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A browser signed in (or not: `None`) with `password`.
async fn sign_in(base: &str, password: &str) -> Option<reqwest::Client> {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let page = browser
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = &page[start..start + page[start..].find('"').unwrap()];
    let r = browser
        .post(format!("{base}/login"))
        .form(&[("csrf", csrf), ("email", EMAIL), ("password", password)])
        .send()
        .await
        .unwrap();
    (r.status() == 303).then_some(browser)
}

/// Whether the browser's session still opens the dashboard.
async fn signed_in(browser: &reqwest::Client, base: &str) -> bool {
    let r = browser
        .get(format!("{base}/dashboard"))
        .send()
        .await
        .unwrap();
    match r.status().as_u16() {
        200 => true,
        303 => false, // to the sign-in form
        other => panic!("unexpected {other}"),
    }
}

async fn token_works(base: &str, token: &str) -> bool {
    let r = reqwest::Client::new()
        .get(format!("{base}/api/djdash/calls"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    match r.status().as_u16() {
        200 => true,
        401 => false,
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn revoking_disabling_and_changing_a_password_take_effect_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    run(&url, &["migrate"], None);
    run(
        &url,
        &[
            "user",
            "add",
            "--email",
            EMAIL,
            "--password",
            PASSWORD,
            "--role",
            "dj",
            "--dj-profile-id",
            PROFILE,
        ],
        None,
    );
    let served = support::serve(&[("DATABASE_URL", url.clone())]);
    let base = served.base.as_str();
    let profile = reqwest::Client::new()
        .put(format!("{base}/api/djdash/profiles/{PROFILE}"))
        .bearer_auth(support::SERVICE_KEY)
        .json(&serde_json::json!({"dj_name": "CLI DJ", "dj_slug": "cli-dj"}))
        .send()
        .await
        .unwrap();
    assert!(profile.status().is_success(), "{}", profile.status());

    // Revoking one token by name leaves the others; the sessions end.
    let laptop = new_token(&url, "laptop");
    let phone = new_token(&url, "phone");
    let browser = sign_in(base, PASSWORD).await.unwrap();
    assert!(signed_in(&browser, base).await);
    run(
        &url,
        &["token", "revoke", "--email", EMAIL, "--name", "laptop"],
        None,
    );
    assert!(!token_works(base, &laptop).await);
    assert!(token_works(base, &phone).await);
    assert!(!signed_in(&browser, base).await, "the session ended");
    // Without --name: all of them.
    run(&url, &["token", "revoke", "--email", EMAIL], None);
    assert!(!token_works(base, &phone).await);

    // Disabled: no token, no session, no sign-in — until enabled again.
    let token = new_token(&url, "api");
    let browser = sign_in(base, PASSWORD).await.unwrap();
    run(&url, &["user", "disable", "--email", EMAIL], None);
    assert!(!token_works(base, &token).await);
    assert!(!signed_in(&browser, base).await);
    assert!(sign_in(base, PASSWORD).await.is_none());
    run(&url, &["user", "enable", "--email", EMAIL], None);
    assert!(token_works(base, &token).await);
    let browser = sign_in(base, PASSWORD).await.unwrap();

    // A new password from stdin: the old one and the sessions are gone.
    run(
        &url,
        &["user", "password", "--email", EMAIL],
        Some("second password\n"),
    );
    assert!(!signed_in(&browser, base).await);
    assert!(sign_in(base, PASSWORD).await.is_none());
    assert!(sign_in(base, "second password").await.is_some());

    // Mistakes are one clear line.
    let out = djcalls()
        .args(["user", "disable", "--email", "nobody@example.com"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("user not found"));
}
