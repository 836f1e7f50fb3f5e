//! Where a master listens: scheme, host and port, plus the path of the
//! scheduler endpoint. Also resolves the `Location` of a 307, which Mesos
//! sends without a scheme (`//host:port/master/api/v1/scheduler`).

use std::fmt;

use crate::error::Error;

/// The path the client posts to unless a redirect names another one.
pub const SCHEDULER_PATH: &str = "/api/v1/scheduler";

/// The end of an agent's executor API path (`/slave(1)/api/v1/executor`),
/// which an address may name in full.
const EXECUTOR_SUFFIX: &str = "/api/v1/executor";

/// Whether an authority (`[user@]host[:port]`) names a port.
fn has_port(authority: &str) -> bool {
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    match host_port.rfind(']') {
        Some(end) => host_port[end..].contains(':'),
        None => host_port.contains(':'),
    }
}

/// `text` with the user info of a URL replaced, for error messages.
fn redact_userinfo(text: &str) -> String {
    match (text.find("://"), text.rfind('@')) {
        (Some(start), Some(at)) if at > start => {
            format!("{}<credentials>{}", &text[..start + 3], &text[at..])
        }
        (None, Some(at)) => format!("<credentials>{}", &text[at..]),
        _ => text.to_string(),
    }
}

/// Whose address is parsed, for error messages that name the right peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A Mesos master (the scheduler API).
    Master,
    /// A Mesos agent (the executor API).
    Agent,
}

impl Role {
    /// Where this peer's credentials are given instead of in the URL.
    fn credentials_hint(self) -> &'static str {
        match self {
            Role::Master => "give them with SchedulerBuilder::credentials(principal, secret)",
            Role::Agent => {
                "an executor authenticates with the agent's token \
                 (ExecutorBuilder::authentication_token, MESOS_EXECUTOR_AUTHENTICATION_TOKEN)"
            }
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Master => "master",
            Role::Agent => "agent",
        })
    }
}

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS (rustls, certificate verification on).
    Https,
}

impl Scheme {
    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// One master's scheduler endpoint. Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    scheme: Scheme,
    host: String,
    port: u16,
    path: String,
}

impl Endpoint {
    /// The default Mesos master port, used when an address names none.
    pub const DEFAULT_PORT: u16 = 5050;

    /// Parses a master address. The accepted forms:
    ///
    /// | Written                                | Posts to                                     |
    /// |----------------------------------------|----------------------------------------------|
    /// | `http://h:p`, `http://h:p/`            | `http://h:p/api/v1/scheduler`                |
    /// | `https://h` (no port: the scheme's)    | `https://h:443/api/v1/scheduler`             |
    /// | `h:p`, `h` (no scheme: HTTP, port 5050)| `http://h:p/api/v1/scheduler`                |
    /// | `master@h:p` (a libprocess PID)        | `http://h:p/api/v1/scheduler`                |
    /// | `http://h:p/mesos`, `http://h:p/mesos/` (a prefix, e.g. a proxy) | `http://h:p/mesos/api/v1/scheduler` |
    /// | `http://h:p/api/v1/scheduler`, `http://h:p/mesos/api/v1/scheduler/` (the API path in full) | the path as given, without the trailing `/` |
    /// | `http://h:p/slave(1)/api/v1/executor` (an agent's executor API) | the path as given |
    ///
    /// Refused with [`Error::Config`]: a query or a fragment (`?x=1`,
    /// `#top`: the API takes neither, and a path after them would be
    /// wrong), another scheme, a bad host or port, and credentials in the
    /// URL (`http://user:pw@h`, which would otherwise be sent nowhere; the
    /// message says where credentials go and never echoes them).
    pub fn parse(text: &str) -> Result<Self, Error> {
        Self::parse_for(text, Role::Master)
    }

    /// [`Endpoint::parse`] for a peer in `role`: the same forms, with error
    /// messages that name that peer and say where its credentials go.
    pub(crate) fn parse_for(text: &str, role: Role) -> Result<Self, Error> {
        let text = text.trim();
        let (scheme, rest) = if let Some(rest) = text.strip_prefix("http://") {
            (Some(Scheme::Http), rest)
        } else if let Some(rest) = text.strip_prefix("https://") {
            (Some(Scheme::Https), rest)
        } else if text.contains("://") {
            return Err(Error::config(format!(
                "unsupported {role} address {:?}: only http:// and https://",
                redact_userinfo(text)
            )));
        } else {
            (None, text)
        };
        let bad = |detail: String| {
            Error::config(format!(
                "bad {role} address {:?}: {detail}",
                redact_userinfo(text)
            ))
        };
        if let Some(at) = rest.find(['?', '#']) {
            let what = if rest[at..].starts_with('?') {
                "a query"
            } else {
                "a fragment"
            };
            return Err(bad(format!(
                "{what} is not allowed (give the scheme, host, port and at most the path)"
            )));
        }
        let authority = rest.split('/').next().unwrap_or(rest);
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            // `master@host:port` is how libprocess names a PID; a URL's
            // user info would be credentials, which belong elsewhere.
            if scheme.is_some() || userinfo.contains(':') {
                return Err(Error::config(format!(
                    "credentials in the {role} URL are not used: {} (in {:?})",
                    role.credentials_hint(),
                    redact_userinfo(text)
                )));
            }
        }
        let mut endpoint =
            Self::from_authority_and_path(scheme.unwrap_or(Scheme::Http), rest).map_err(bad)?;
        if let Some(scheme) = scheme {
            // A URL without a port means the scheme's port, as everywhere
            // else; only a bare `host` means the Mesos port 5050.
            if !has_port(authority) {
                endpoint.port = scheme.default_port();
            }
        }
        let path = endpoint.path.trim_end_matches('/');
        endpoint.path = if path.ends_with(SCHEDULER_PATH) || path.ends_with(EXECUTOR_SUFFIX) {
            path.to_string()
        } else {
            format!("{path}{SCHEDULER_PATH}")
        };
        Ok(endpoint)
    }

    fn from_authority_and_path(scheme: Scheme, rest: &str) -> Result<Self, String> {
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        // `master@host:port` is how libprocess names a PID; accept it.
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        if authority.is_empty() {
            return Err("no host".into());
        }
        let (host, port) = split_host_port(authority)?;
        let path = match path {
            "" | "/" => SCHEDULER_PATH.to_string(),
            p => p.to_string(),
        };
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("path contains whitespace".into());
        }
        Ok(Endpoint {
            scheme,
            host,
            port,
            path,
        })
    }

    /// The same master over `scheme` (for a list whose scheme is shared).
    pub(crate) fn with_scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// The URL to post to.
    pub fn url(&self) -> String {
        format!(
            "{}://{}{}",
            self.scheme.as_str(),
            self.authority(),
            self.path
        )
    }

    /// `host:port` (IPv6 hosts in brackets).
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The host name or address, without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Resolves a 307 `Location` against this endpoint: absolute URLs are
    /// taken as they are, scheme-less `//host:port/path` keeps this scheme,
    /// and an absolute path keeps this host. Going from HTTPS to HTTP is
    /// refused: it would expose credentials and calls in clear text.
    pub fn resolve_redirect(&self, location: &str) -> Result<Endpoint, Error> {
        let bad = |detail: String| Error::BadRedirect { detail };
        let location = location.trim();
        let target = if let Some(rest) = location.strip_prefix("http://") {
            Self::from_authority_and_path(Scheme::Http, rest)
                .map_err(|d| bad(format!("{location:?}: {d}")))?
        } else if let Some(rest) = location.strip_prefix("https://") {
            Self::from_authority_and_path(Scheme::Https, rest)
                .map_err(|d| bad(format!("{location:?}: {d}")))?
        } else if let Some(rest) = location.strip_prefix("//") {
            Self::from_authority_and_path(self.scheme, rest)
                .map_err(|d| bad(format!("{location:?}: {d}")))?
        } else if location.starts_with('/') {
            Endpoint {
                path: location.to_string(),
                ..self.clone()
            }
        } else {
            return Err(bad(format!("unusable Location {location:?}")));
        };
        if self.scheme == Scheme::Https && target.scheme == Scheme::Http {
            return Err(bad(format!("refusing to downgrade to {}", target.url())));
        }
        Ok(target)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url())
    }
}

fn split_host_port(authority: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']').ok_or("unclosed '['")?;
        let host = &rest[..end];
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err("junk after ']'".into()),
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() || host.contains(['/', '?', '#', ' ']) {
        return Err(format!("bad host {host:?}"));
    }
    let port = match port {
        None => Endpoint::DEFAULT_PORT,
        Some(p) => p.parse::<u16>().map_err(|_| format!("bad port {p:?}"))?,
    };
    Ok((host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_accepted_forms() {
        let e = Endpoint::parse("http://10.0.0.1:5050").unwrap();
        assert_eq!(e.url(), "http://10.0.0.1:5050/api/v1/scheduler");
        let e = Endpoint::parse("https://m.example:443/").unwrap();
        assert_eq!(e.url(), "https://m.example:443/api/v1/scheduler");
        let e = Endpoint::parse("m1").unwrap();
        assert_eq!(e.url(), "http://m1:5050/api/v1/scheduler");
        let e = Endpoint::parse("master@10.1.2.3:5051").unwrap();
        assert_eq!(e.authority(), "10.1.2.3:5051");
        let e = Endpoint::parse("http://[::1]:7/master/api/v1/scheduler").unwrap();
        assert_eq!(e.url(), "http://[::1]:7/master/api/v1/scheduler");
    }

    #[test]
    fn a_path_prefix_is_kept() {
        let e = Endpoint::parse("https://cluster/mesos").unwrap();
        assert_eq!(e.url(), "https://cluster:443/mesos/api/v1/scheduler");
        let e = Endpoint::parse("http://m").unwrap();
        assert_eq!(e.url(), "http://m:80/api/v1/scheduler");
        let e = Endpoint::parse("m").unwrap();
        assert_eq!(e.url(), "http://m:5050/api/v1/scheduler");
        let e = Endpoint::parse("http://proxy:80/a/b/").unwrap();
        assert_eq!(e.url(), "http://proxy:80/a/b/api/v1/scheduler");
        let e = Endpoint::parse("http://a:1/slave(1)/api/v1/executor").unwrap();
        assert_eq!(e.url(), "http://a:1/slave(1)/api/v1/executor");
    }

    #[test]
    fn the_api_path_in_full_is_used_as_given() {
        for (text, url) in [
            ("http://h:1/api/v1/scheduler", "http://h:1/api/v1/scheduler"),
            (
                "http://h:1/api/v1/scheduler/",
                "http://h:1/api/v1/scheduler",
            ),
            (
                "http://h:1/mesos/api/v1/scheduler/",
                "http://h:1/mesos/api/v1/scheduler",
            ),
            ("http://h:1/mesos/", "http://h:1/mesos/api/v1/scheduler"),
            (
                "http://a:1/slave(1)/api/v1/executor/",
                "http://a:1/slave(1)/api/v1/executor",
            ),
        ] {
            assert_eq!(Endpoint::parse(text).unwrap().url(), url, "{text}");
        }
    }

    #[test]
    fn a_query_or_fragment_is_refused() {
        for text in [
            "http://h:1/mesos/?x=1",
            "http://h:1?x=1",
            "h:1/api/v1/scheduler#top",
            "https://h/#",
        ] {
            let err = Endpoint::parse(text).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{text}: {err:?}");
            let message = err.to_string();
            assert!(
                message.contains("query") || message.contains("fragment"),
                "{message}"
            );
        }
    }

    #[test]
    fn agent_addresses_speak_of_the_agent() {
        for text in [
            "http://u:pw@a:5051/slave(1)/api/v1/executor",
            "ftp://a:5051",
            "http://a:x",
            "http://a:5051/?x",
        ] {
            let message = Endpoint::parse_for(text, Role::Agent)
                .unwrap_err()
                .to_string();
            assert!(message.contains("agent"), "{message}");
            assert!(!message.contains("master"), "{message}");
            assert!(!message.contains("SchedulerBuilder"), "{message}");
            assert!(!message.contains("pw"), "{message}");
        }
    }

    #[test]
    fn credentials_in_the_url_are_refused_without_echoing_them() {
        for text in [
            "http://user:pw@host:5050",
            "https://user@host",
            "user:pw@host:5050",
        ] {
            let err = Endpoint::parse(text).unwrap_err();
            let message = err.to_string();
            assert!(matches!(err, Error::Config(_)), "{text}");
            assert!(message.contains("credentials"), "{message}");
            assert!(!message.contains("pw"), "{message}");
        }
        // The libprocess PID form is not a URL with credentials.
        assert!(Endpoint::parse("master@10.0.0.1:5050").is_ok());
    }

    #[test]
    fn rejects_bad_addresses() {
        for bad in [
            "",
            "http://",
            "zk://h:2181/mesos",
            "h:notaport",
            "h:70000",
            "[::1",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn scheme_less_redirect_keeps_the_scheme() {
        let from = Endpoint::parse("https://a:1").unwrap();
        let to = from
            .resolve_redirect("//b:2/master/api/v1/scheduler")
            .unwrap();
        assert_eq!(to.url(), "https://b:2/master/api/v1/scheduler");
    }

    #[test]
    fn absolute_and_path_only_redirects() {
        let from = Endpoint::parse("http://a:1").unwrap();
        assert_eq!(
            from.resolve_redirect("http://c:3/x").unwrap().url(),
            "http://c:3/x"
        );
        assert_eq!(
            from.resolve_redirect("/master/api/v1/scheduler")
                .unwrap()
                .url(),
            "http://a:1/master/api/v1/scheduler"
        );
        assert!(from.resolve_redirect("c:3").is_err());
    }

    #[test]
    fn downgrade_is_refused() {
        let from = Endpoint::parse("https://a:1").unwrap();
        assert!(matches!(
            from.resolve_redirect("http://b:2/x"),
            Err(Error::BadRedirect { .. })
        ));
    }
}
