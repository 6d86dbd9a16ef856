//! Where an endpoint may point (the SSRF rules): `https` only (`http` for localhost when
//! allowed), no credentials in the URL, and never a private, loopback, link-local or otherwise
//! non-public address unless allowed. Checked when an endpoint is created and again on every
//! delivery, by the sender's resolver (`sender.rs`), so a name that later resolves to a private
//! address (DNS rebinding) is refused where the connection is made.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;
use url::{Host, Url};

/// The longest URL an endpoint may have.
pub const MAX_URL_CHARS: usize = 2048;
/// How long resolving an endpoint's host may take when it is created.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// What the deployment allows (`DJCALLS_WEBHOOKS_ALLOW_HTTP_LOCALHOST`,
/// `DJCALLS_WEBHOOKS_ALLOW_PRIVATE_TARGETS`); both off by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    /// `http://localhost…` (or a loopback address) is accepted, for development.
    pub allow_http_localhost: bool,
    /// Private, loopback and link-local addresses may be reached.
    pub allow_private: bool,
}

/// Why a URL may not be an endpoint (the message completes "url …").
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("must be an absolute https URL of at most 2048 characters")]
    NotUrl,
    #[error("must use https (http only for localhost, when the deployment allows it)")]
    NotHttps,
    #[error("must not carry a user name or password")]
    Credentials,
    #[error("must not point at a private, loopback or link-local address")]
    Private,
    #[error("names a host that does not resolve")]
    Unresolvable,
}

impl TargetPolicy {
    /// Checks the URL's form without resolving it: scheme, credentials, and an address
    /// written in the URL itself.
    pub fn check_url(&self, raw: &str) -> Result<Url, TargetError> {
        if raw.chars().count() > MAX_URL_CHARS {
            return Err(TargetError::NotUrl);
        }
        let url = Url::parse(raw.trim()).map_err(|_| TargetError::NotUrl)?;
        let host = url.host().ok_or(TargetError::NotUrl)?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http_localhost && is_localhost(&host) => {}
            "http" => return Err(TargetError::NotHttps),
            _ => return Err(TargetError::NotUrl),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TargetError::Credentials);
        }
        let literal = match host {
            Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            Host::Domain(_) => None,
        };
        if literal.is_some_and(|ip| !self.allows(ip)) {
            return Err(TargetError::Private);
        }
        Ok(url)
    }

    /// [`TargetPolicy::check_url`], then resolves the host: every address it has must be
    /// allowed.
    pub async fn check_target(&self, raw: &str) -> Result<Url, TargetError> {
        let url = self.check_url(raw)?;
        if let Some(Host::Domain(name)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            let lookup = tokio::net::lookup_host((name, port));
            let addrs: Vec<IpAddr> = match tokio::time::timeout(RESOLVE_TIMEOUT, lookup).await {
                Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
                _ => return Err(TargetError::Unresolvable),
            };
            if addrs.is_empty() {
                return Err(TargetError::Unresolvable);
            }
            if addrs.iter().any(|ip| !self.allows(*ip)) {
                return Err(TargetError::Private);
            }
        }
        Ok(url)
    }

    /// Whether a connection to `ip` is allowed.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip)
    }
}

fn is_localhost(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// A globally routable unicast address: not private, loopback, link-local, shared (CGNAT),
/// unspecified, broadcast, multicast, documentation or reserved; IPv4-mapped and -compatible
/// IPv6 addresses are judged as their IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped().or_else(|| embedded_v4(v6)) {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b) // NAT64 to IPv4: judge as private
}

/// The IPv4 address inside an IPv4-compatible IPv6 address (`::a.b.c.d`).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    (s[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified()).then(|| {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: TargetPolicy = TargetPolicy {
        allow_http_localhost: false,
        allow_private: false,
    };

    #[test]
    fn only_public_unicast_addresses_are_public() {
        for private in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            let ip: IpAddr = private.parse().expect("address");
            assert!(!is_public(ip), "{private} is not public");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = public.parse().expect("address");
            assert!(is_public(ip), "{public} is public");
        }
    }

    #[test]
    fn urls_must_be_https_without_credentials_or_private_literals() {
        assert!(
            STRICT
                .check_url("https://hooks.example.com/djcalls")
                .is_ok()
        );
        assert_eq!(
            STRICT.check_url("http://hooks.example.com/"),
            Err(TargetError::NotHttps)
        );
        assert_eq!(
            STRICT.check_url("http://localhost:8080/"),
            Err(TargetError::NotHttps)
        );
        assert_eq!(
            STRICT.check_url("ftp://example.com/"),
            Err(TargetError::NotUrl)
        );
        assert_eq!(STRICT.check_url("/relative"), Err(TargetError::NotUrl));
        assert_eq!(
            STRICT.check_url("https://user:pw@example.com/"),
            Err(TargetError::Credentials)
        );
        for private in [
            "https://10.0.0.5/",
            "https://[::1]/",
            "https://169.254.169.254/x",
        ] {
            assert_eq!(
                STRICT.check_url(private),
                Err(TargetError::Private),
                "{private}"
            );
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert_eq!(STRICT.check_url(&long), Err(TargetError::NotUrl));
    }

    #[test]
    fn http_is_for_localhost_only_and_only_when_allowed() {
        let dev = TargetPolicy {
            allow_http_localhost: true,
            allow_private: true,
        };
        assert!(dev.check_url("http://localhost:8080/hook").is_ok());
        assert!(dev.check_url("http://127.0.0.1:8080/hook").is_ok());
        assert_eq!(
            dev.check_url("http://example.com/"),
            Err(TargetError::NotHttps)
        );
        assert_eq!(
            dev.check_url("http://10.0.0.1/"),
            Err(TargetError::NotHttps)
        );
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_unless_private_targets_are_allowed() {
        let http_only = TargetPolicy {
            allow_http_localhost: true,
            allow_private: false,
        };
        assert_eq!(
            http_only.check_target("http://localhost:9/").await,
            Err(TargetError::Private)
        );
        let dev = TargetPolicy {
            allow_http_localhost: true,
            allow_private: true,
        };
        assert!(dev.check_target("http://localhost:9/").await.is_ok());
    }
}
