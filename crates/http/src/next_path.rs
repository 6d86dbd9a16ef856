//! Where sign-in may send the browser afterwards (`next` of the sign-in form, `redirect` of a
//! DJ Dash sign-in link): only a path on this site.
//!
//! The value is parsed as a URL relative to a placeholder origin (the `url` crate follows the
//! WHATWG URL standard, as browsers do) and kept only when it stays on that origin; the result
//! is the URL's own serialisation of path, query and fragment, which is ASCII (non-ASCII is
//! percent-encoded) and so always a valid `Location`. Control characters, backslashes and
//! anything that is not a rooted path are refused before parsing: browsers strip tabs and
//! newlines and read `\` as `/`, which turns `/\t/evil` or `/\evil` into `//evil`.

use url::{Position, Url};

const PLACEHOLDER_ORIGIN: &str = "https://djcalls.invalid/";

/// `Some(path)` when `next` is a same-origin path worth following; `None` otherwise.
pub fn same_origin_path(next: &str) -> Option<String> {
    if !next.starts_with('/')
        || next.starts_with("//")
        || next.contains('\\')
        || next.chars().any(char::is_control)
    {
        return None;
    }
    let base = Url::parse(PLACEHOLDER_ORIGIN).ok()?;
    let parsed = base.join(next).ok()?;
    if parsed.origin() != base.origin() {
        return None;
    }
    let path = &parsed[Position::BeforePath..];
    // The serialisation decodes nothing, but a path like `/%2F%2Fevil` stays a path; only a
    // result that a browser would read as another host is refused (belt and braces).
    if path.starts_with("//") || !path.starts_with('/') {
        return None;
    }
    Some(path.to_string())
}

/// `Some(path)` when `redirect` is a same-origin path into the DJ dashboard (`/dashboard`,
/// `/dashboard/…`, with any query or fragment): where a DJ Dash sign-in link may land.
pub fn dashboard_path(redirect: &str) -> Option<String> {
    let path = same_origin_path(redirect)?;
    let rest = path.strip_prefix("/dashboard")?;
    (rest.is_empty() || rest.starts_with(['/', '?', '#'])).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::{dashboard_path, same_origin_path};

    #[test]
    fn sign_in_links_land_only_on_the_dashboard() {
        for ok in [
            "/dashboard",
            "/dashboard/calls/1",
            "/dashboard?range=7d",
            "/dashboard#x",
        ] {
            assert_eq!(dashboard_path(ok).as_deref(), Some(ok));
        }
        for bad in [
            "/admin",
            "/dashboardx",
            "/",
            "/login",
            "//dashboard",
            "https://x/dashboard",
        ] {
            assert_eq!(dashboard_path(bad), None, "{bad:?}");
        }
        // Dot segments are resolved before the check.
        assert_eq!(dashboard_path("/dashboard/../admin"), None);
    }

    #[test]
    fn paths_on_this_site_are_kept() {
        assert_eq!(
            same_origin_path("/dashboard").as_deref(),
            Some("/dashboard")
        );
        assert_eq!(
            same_origin_path("/dashboard/calls/1?range=7d#top").as_deref(),
            Some("/dashboard/calls/1?range=7d#top")
        );
        assert_eq!(same_origin_path("/é").as_deref(), Some("/%C3%A9"));
    }

    #[test]
    fn anything_a_browser_could_read_as_another_site_is_refused() {
        for next in [
            "",
            "dashboard",
            "//evil.example",
            "/\t/evil.example",
            "/\n/x",
            "/\r/x",
            "/\\evil.example",
            "\\/evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            " /x",
            "/\u{0}x",
        ] {
            assert_eq!(same_origin_path(next), None, "{next:?}");
        }
    }
}
