//! Where a master listens: scheme, host and port, plus the path of the
//! scheduler endpoint. Also resolves the `Location` of a 307, which Mesos
//! sends without a scheme (`//host:port/master/api/v1/scheduler`).

use std::fmt;

use crate::error::Error;

/// The path the client posts to unless a redirect names another one.
pub const SCHEDULER_PATH: &str = "/api/v1/scheduler";

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS (rustls, certificate verification on).
    Https,
}

impl Scheme {
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

    /// Parses `http://h:p`, `https://h:p[/path]` or a bare `h:p` (HTTP).
    /// A missing path means [`SCHEDULER_PATH`]; a path of `/` too.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let (scheme, rest) = if let Some(rest) = text.strip_prefix("http://") {
            (Scheme::Http, rest)
        } else if let Some(rest) = text.strip_prefix("https://") {
            (Scheme::Https, rest)
        } else if text.contains("://") {
            return Err(Error::Config(format!("unsupported master address: {text}")));
        } else {
            (Scheme::Http, text)
        };
        Self::from_authority_and_path(scheme, rest)
            .map_err(|detail| Error::Config(format!("bad master address {text:?}: {detail}")))
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
        let target = if location.starts_with("http://") || location.starts_with("https://") {
            Endpoint::parse(location).map_err(|e| bad(e.to_string()))?
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
