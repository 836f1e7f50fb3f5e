//! The `zk://[user:password@]host:port[,host:port...]/path` form Mesos uses
//! to name a ZooKeeper ensemble and the znode under which masters register.
//! Checked up front so that a typo is a configuration error at build time,
//! not an endless retry loop later.

use std::fmt;

use crate::error::Error;

/// ZooKeeper's conventional client port, used when a server names none.
pub const DEFAULT_ZOOKEEPER_PORT: u16 = 2181;

/// A parsed `zk://` URL.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ZkUrl {
    /// `host:port` of every server, in the given order.
    pub servers: Vec<String>,
    /// The znode holding the masters' memberships, e.g. `/mesos`.
    pub path: String,
    /// `user:password` for ZooKeeper's `digest` scheme, if given.
    pub digest: Option<String>,
}

impl ZkUrl {
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = |detail: &str| Error::config(format!("bad ZooKeeper URL: {detail}"));
        let rest = text
            .trim()
            .strip_prefix("zk://")
            .ok_or_else(|| bad("it must start with zk://"))?;
        let Some(slash) = rest.find('/') else {
            return Err(bad(
                "it names no path (e.g. zk://host:2181/mesos); '/' alone is not allowed either",
            ));
        };
        let (authority, path) = rest.split_at(slash);
        let (digest, servers) = match authority.rsplit_once('@') {
            Some((userinfo, servers)) => {
                if !userinfo.contains(':') {
                    return Err(bad("credentials must read user:password@"));
                }
                (Some(userinfo.to_string()), servers)
            }
            None => (None, authority),
        };
        let servers = servers
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| server(s).map_err(|d| bad(&d)))
            .collect::<Result<Vec<_>, _>>()?;
        if servers.is_empty() {
            return Err(bad("it names no ZooKeeper server"));
        }
        Ok(ZkUrl {
            servers,
            path: checked_path(path).map_err(|d| bad(&d))?,
            digest,
        })
    }

    /// The servers as the ZooKeeper client wants them: `h1:p1,h2:p2`.
    pub fn connect_string(&self) -> String {
        self.servers.join(",")
    }
}

/// Never shows the password.
impl fmt::Display for ZkUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("zk://")?;
        if let Some(digest) = &self.digest {
            let user = digest.split(':').next().unwrap_or_default();
            write!(f, "{user}:<redacted>@")?;
        }
        write!(f, "{}{}", self.connect_string(), self.path)
    }
}

impl fmt::Debug for ZkUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `host[:port]` → `host:port`, checked.
fn server(text: &str) -> Result<String, String> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let end = rest.find(']').ok_or(format!("unclosed '[' in {text:?}"))?;
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(format!("junk after ']' in {text:?}")),
        };
        (&text[..end + 2], port)
    } else {
        match text.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (text, None),
        }
    };
    if host.is_empty() || host == "[]" || host.contains(['/', '?', '#', ' ', '@']) {
        return Err(format!("bad server {text:?}"));
    }
    let port = match port {
        None => DEFAULT_ZOOKEEPER_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => return Err(format!("bad port in {text:?}")),
        },
    };
    Ok(format!("{host}:{port}"))
}

/// An absolute znode path other than `/`; one trailing `/` is forgiven.
fn checked_path(path: &str) -> Result<String, String> {
    let trimmed = match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    };
    if trimmed == "/" {
        return Err("the path must name a znode: '/' is not allowed (Mesos refuses it too)".into());
    }
    for segment in trimmed[1..].split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(format!("bad znode path {path:?}"));
        }
        if segment.chars().any(char::is_control) {
            return Err(format!("control character in znode path {path:?}"));
        }
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_path_and_default_port() {
        let url = ZkUrl::parse("zk://h1:2181, h2 ,[::1]:3000/mesos").unwrap();
        assert_eq!(url.servers, ["h1:2181", "h2:2181", "[::1]:3000"]);
        assert_eq!(url.path, "/mesos");
        assert_eq!(url.digest, None);
        assert_eq!(url.connect_string(), "h1:2181,h2:2181,[::1]:3000");
        assert_eq!(url.to_string(), "zk://h1:2181,h2:2181,[::1]:3000/mesos");
    }

    #[test]
    fn nested_path_and_trailing_slash() {
        let url = ZkUrl::parse("zk://z:1/a/b/").unwrap();
        assert_eq!(url.path, "/a/b");
    }

    #[test]
    fn credentials_are_kept_but_never_shown() {
        let url = ZkUrl::parse("zk://ops:s3cret@z1:2181,z2:2181/mesos").unwrap();
        assert_eq!(url.digest.as_deref(), Some("ops:s3cret"));
        assert_eq!(url.servers, ["z1:2181", "z2:2181"]);
        let shown = format!("{url} {url:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("ops:<redacted>@z1:2181"), "{shown}");
    }

    #[test]
    fn root_and_missing_paths_are_refused() {
        for (text, needle) in [
            ("zk://h:2181/", "'/' is not allowed"),
            ("zk://h:2181//", "'/' is not allowed"),
            ("zk://h:2181", "names no path"),
        ] {
            let err = ZkUrl::parse(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn malformed_urls_are_refused() {
        for text in [
            "http://h:2181/mesos",
            "zk:///mesos",
            "zk://,/mesos",
            "zk://h:0/mesos",
            "zk://h:99999/mesos",
            "zk://h:x/mesos",
            "zk://[::1/mesos",
            "zk://user@h/mesos",
            "zk://h/a//b",
            "zk://h/a/../b",
            "zk://h/a/./b",
            "zk://h/a\u{1}b",
        ] {
            assert!(
                matches!(ZkUrl::parse(text), Err(Error::Config(_))),
                "{text:?} accepted"
            );
        }
    }
}
