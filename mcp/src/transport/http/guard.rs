//! DNS-rebinding protection: the `Host` a request names and the `Origin` a browser
//! sends must be ones this server answers to, or the request is refused with 403
//! (2025-11-25 and 2026-07-28 `basic/transports` §Security: "If the `Origin` header
//! is present and invalid, servers MUST respond with HTTP 403 Forbidden").
//!
//! A request without `Origin` (not from a browser) passes the origin check; one
//! whose `Origin` is present is checked, whatever else it carries.

use http::{HeaderMap, Uri, header};

use super::config::HostPolicy;

const LOOPBACK: [&str; 4] = ["localhost", "127.0.0.1", "[::1]", "::1"];

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Host,
    Origin,
}

/// The host name of `authority` without its port (`[::1]` keeps its brackets).
fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

fn host_allowed(policy: &HostPolicy, host: &str) -> bool {
    let loopback = LOOPBACK.iter().any(|name| name.eq_ignore_ascii_case(host));
    match policy {
        HostPolicy::Any => true,
        HostPolicy::Loopback => loopback,
        HostPolicy::List(names) => {
            loopback
                || names
                    .iter()
                    .any(|name| host_of(name).eq_ignore_ascii_case(host))
        }
    }
}

fn origin_allowed(policy: &HostPolicy, origin: &str) -> bool {
    if let HostPolicy::Any = policy {
        return true;
    }
    // `Origin: null` (sandboxed frames, file://) names nobody: refused.
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
        || authority.is_empty()
        || authority.contains('/')
    {
        return false;
    }
    let host = host_of(authority);
    let loopback = LOOPBACK.iter().any(|name| name.eq_ignore_ascii_case(host));
    match policy {
        HostPolicy::Any => true,
        HostPolicy::Loopback => loopback,
        HostPolicy::List(origins) => {
            loopback
                || origins
                    .iter()
                    .any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin))
        }
    }
}

/// Checks `Host` (or the URI's authority, for HTTP/2) and `Origin`.
pub(crate) fn check(
    hosts: &HostPolicy,
    origins: &HostPolicy,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), Refusal> {
    if !matches!(hosts, HostPolicy::Any) {
        let host = match headers.get(header::HOST) {
            Some(value) => value.to_str().ok(),
            None => uri.authority().map(|a| a.as_str()),
        };
        match host {
            Some(host) if host_allowed(hosts, host_of(host)) => {}
            _ => return Err(Refusal::Host),
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        match origin.to_str() {
            Ok(origin) if origin_allowed(origins, origin) => {}
            _ => return Err(Refusal::Origin),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).expect("ascii"));
        }
        map
    }

    fn run(policy: HostPolicy, pairs: &[(header::HeaderName, &str)]) -> Result<(), Refusal> {
        check(&policy, &policy, &Uri::from_static("/mcp"), &headers(pairs))
    }

    #[test]
    fn loopback_hosts_pass_on_any_port() {
        for host in [
            "localhost",
            "localhost:3000",
            "127.0.0.1:8080",
            "[::1]:9",
            "LOCALHOST",
        ] {
            assert_eq!(
                run(HostPolicy::Loopback, &[(header::HOST, host)]),
                Ok(()),
                "{host}"
            );
        }
    }

    #[test]
    fn a_rebound_name_is_refused() {
        for host in [
            "evil.example",
            "evil.example:80",
            "127.0.0.1.evil.example",
            "localhost.evil",
        ] {
            assert_eq!(
                run(HostPolicy::Loopback, &[(header::HOST, host)]),
                Err(Refusal::Host)
            );
        }
        assert_eq!(
            run(HostPolicy::Loopback, &[]),
            Err(Refusal::Host),
            "no host at all"
        );
    }

    #[test]
    fn a_present_origin_must_be_allowed() {
        let ok = [
            (header::HOST, "localhost:1"),
            (header::ORIGIN, "http://localhost:5173"),
        ];
        assert_eq!(run(HostPolicy::Loopback, &ok), Ok(()));
        for origin in [
            "https://evil.example",
            "null",
            "http://localhost.evil",
            "file://",
            "ftp://localhost",
        ] {
            let pairs = [(header::HOST, "localhost:1"), (header::ORIGIN, origin)];
            assert_eq!(
                run(HostPolicy::Loopback, &pairs),
                Err(Refusal::Origin),
                "{origin}"
            );
        }
    }

    #[test]
    fn listed_names_and_origins_pass_and_others_do_not() {
        let policy = HostPolicy::List(vec![
            "mcp.example.com".into(),
            "https://app.example.com".into(),
        ]);
        assert_eq!(
            check(
                &policy,
                &policy,
                &Uri::from_static("/"),
                &headers(&[(header::HOST, "MCP.example.com:443")])
            ),
            Ok(())
        );
        let from_app = headers(&[
            (header::HOST, "mcp.example.com"),
            (header::ORIGIN, "https://app.example.com"),
        ]);
        assert_eq!(
            check(&policy, &policy, &Uri::from_static("/"), &from_app),
            Ok(())
        );
        let from_other = headers(&[
            (header::HOST, "mcp.example.com"),
            (header::ORIGIN, "https://other.example.com"),
        ]);
        assert_eq!(
            check(&policy, &policy, &Uri::from_static("/"), &from_other),
            Err(Refusal::Origin)
        );
    }

    #[test]
    fn http2_authority_stands_in_for_host() {
        let uri: Uri = "http://127.0.0.1:8080/mcp".parse().expect("uri");
        assert_eq!(
            check(
                &HostPolicy::Loopback,
                &HostPolicy::Loopback,
                &uri,
                &HeaderMap::new()
            ),
            Ok(())
        );
    }
}
