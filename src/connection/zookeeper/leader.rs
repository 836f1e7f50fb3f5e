//! Reading the election the way Mesos writes it: every master holds an
//! ephemeral sequential znode `<label>_<sequence>` under the configured path;
//! the lowest sequence leads. Current masters use the label `json.info` (a
//! JSON `MasterInfo`); older ones `info` (a protobuf `MasterInfo`).

use std::net::Ipv4Addr;

use crate::codec::{json, protobuf};
use crate::connection::{Endpoint, Scheme};
use crate::v1::MasterInfo;

/// The label of a membership holding JSON `MasterInfo` (Mesos ≥ 0.24).
pub const JSON_LABEL: &str = "json.info";
/// The label of a membership holding protobuf `MasterInfo` (older masters).
pub const PROTOBUF_LABEL: &str = "info";

/// One child znode that is a group membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership<'a> {
    /// The child's name, e.g. `json.info_0000000003`.
    pub name: &'a str,
    /// The part before the last `_`, if any.
    pub label: Option<&'a str>,
    /// The sequence number ZooKeeper appended.
    pub sequence: i64,
}

impl<'a> Membership<'a> {
    /// `label_sequence` or a bare sequence; anything else is not a member
    /// (e.g. `log_replicas`, the replicated log's own znode).
    pub fn parse(name: &'a str) -> Option<Self> {
        let (label, digits) = match name.rsplit_once('_') {
            Some((label, digits)) => (Some(label), digits),
            None => (None, name),
        };
        let unsigned = digits.strip_prefix('-').unwrap_or(digits);
        if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Membership {
            name,
            label,
            sequence: digits.parse().ok()?,
        })
    }
}

/// The leading membership: the lowest sequence number.
pub fn leader(children: &[String]) -> Option<Membership<'_>> {
    children
        .iter()
        .filter_map(|name| Membership::parse(name))
        .min_by_key(|m| m.sequence)
}

/// Decodes the leader's znode data according to its label.
pub fn decode(member: &Membership<'_>, data: &[u8]) -> Result<MasterInfo, String> {
    let decoded = match member.label {
        Some(JSON_LABEL) => json::decode::<MasterInfo>(data),
        Some(PROTOBUF_LABEL) => protobuf::decode::<MasterInfo>(data),
        _ => {
            return Err(format!(
                "the leading znode {} is not a {JSON_LABEL}_ or {PROTOBUF_LABEL}_ membership \
                 (a Mesos master older than 0.24?)",
                member.name
            ))
        }
    };
    decoded.map_err(|e| format!("the leading znode {} holds no MasterInfo: {e}", member.name))
}

/// Which of a master's names goes into the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostChoice {
    /// The IP address, as the Mesos C++ scheduler library does: works when
    /// the master's host name does not resolve from the scheduler's host.
    Ip,
    /// The host name: what a TLS certificate usually names.
    Hostname,
}

/// The scheduler endpoint of the master `info` describes: `address`
/// (hostname or IP string, and port) when it is usable, else the legacy
/// top-level `ip` (uint32 in network byte order) / `hostname` and `port`.
pub fn endpoint(info: &MasterInfo, scheme: Scheme, choice: HostChoice) -> Result<Endpoint, String> {
    let from_address = info.address.as_ref().and_then(|address| {
        let port = u16::try_from(address.port).ok().filter(|p| *p > 0)?;
        let host = pick(choice, address.ip.as_deref(), address.hostname.as_deref())?;
        Some((host.to_string(), port))
    });
    let (host, port) = match from_address {
        Some(found) => found,
        None => {
            let port = u16::try_from(info.port)
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("MasterInfo {} has no usable port", info.id))?;
            // The bytes of `ip` as stored in memory are the address in
            // network order; Mesos masters run on little-endian hosts.
            let ip = (info.ip != 0).then(|| Ipv4Addr::from(info.ip.to_le_bytes()).to_string());
            let host = pick(choice, ip.as_deref(), info.hostname.as_deref())
                .ok_or_else(|| format!("MasterInfo {} names no host", info.id))?;
            (host.to_string(), port)
        }
    };
    if host.contains(['/', '?', '#', '@', '[', ']']) || host.contains(char::is_whitespace) {
        return Err(format!("MasterInfo {} names a bad host {host:?}", info.id));
    }
    let scheme = match scheme {
        Scheme::Http => "http",
        Scheme::Https => "https",
    };
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    Endpoint::parse(&format!("{scheme}://{authority}"))
        .map_err(|e| format!("MasterInfo {} gives no usable address: {e}", info.id))
}

fn pick<'a>(choice: HostChoice, ip: Option<&'a str>, hostname: Option<&'a str>) -> Option<&'a str> {
    let (first, second) = match choice {
        HostChoice::Ip => (ip, hostname),
        HostChoice::Hostname => (hostname, ip),
    };
    first
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or_else(|| second.map(str::trim).filter(|s| !s.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v1::Address;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn legacy(ip: [u8; 4], port: u32, hostname: Option<&str>) -> MasterInfo {
        MasterInfo {
            id: "m".into(),
            ip: u32::from_le_bytes(ip),
            port,
            hostname: hostname.map(str::to_string),
            ..MasterInfo::default()
        }
    }

    #[test]
    fn lowest_sequence_leads_whatever_the_listing_order() {
        let children = names(&[
            "json.info_0000000012",
            "log_replicas",
            "json.info_0000000003",
            "json.info_0000000007",
        ]);
        let leader = leader(&children).unwrap();
        assert_eq!(leader.name, "json.info_0000000003");
        assert_eq!(leader.label, Some("json.info"));
        assert_eq!(leader.sequence, 3);
    }

    #[test]
    fn non_members_are_ignored() {
        assert_eq!(leader(&names(&["log_replicas", "x_", "_", "abc"])), None);
        assert_eq!(leader(&[]), None);
        let bare = Membership::parse("0000000004").unwrap();
        assert_eq!((bare.label, bare.sequence), (None, 4));
        let wrapped = Membership::parse("info_-0000000002").unwrap();
        assert_eq!(wrapped.sequence, -2);
    }

    #[test]
    fn address_wins_and_the_ip_is_preferred_by_default() {
        let info = MasterInfo {
            address: Some(Address {
                hostname: Some("m1.example".into()),
                ip: Some("10.1.2.3".into()),
                port: 5051,
            }),
            ..legacy([192, 168, 0, 9], 5050, Some("old"))
        };
        let ip = endpoint(&info, Scheme::Http, HostChoice::Ip).unwrap();
        assert_eq!(ip.url(), "http://10.1.2.3:5051/api/v1/scheduler");
        let name = endpoint(&info, Scheme::Https, HostChoice::Hostname).unwrap();
        assert_eq!(name.url(), "https://m1.example:5051/api/v1/scheduler");
    }

    #[test]
    fn address_without_the_preferred_name_uses_the_other() {
        let info = MasterInfo {
            address: Some(Address {
                hostname: Some("only-name".into()),
                ip: None,
                port: 5050,
            }),
            ..MasterInfo::default()
        };
        let e = endpoint(&info, Scheme::Http, HostChoice::Ip).unwrap();
        assert_eq!(e.authority(), "only-name:5050");
    }

    #[test]
    fn legacy_fields_decode_the_network_order_ip() {
        let info = legacy([10, 0, 0, 42], 5050, Some("m.example"));
        assert_eq!(info.ip, 0x2A00_000A);
        let e = endpoint(&info, Scheme::Http, HostChoice::Ip).unwrap();
        assert_eq!(e.url(), "http://10.0.0.42:5050/api/v1/scheduler");
        let e = endpoint(&info, Scheme::Http, HostChoice::Hostname).unwrap();
        assert_eq!(e.authority(), "m.example:5050");
        // An address with a zero port is unusable: the legacy fields decide.
        let info = MasterInfo {
            address: Some(Address {
                hostname: Some("ignored".into()),
                ip: None,
                port: 0,
            }),
            ..legacy([127, 0, 0, 1], 7000, None)
        };
        let e = endpoint(&info, Scheme::Http, HostChoice::Hostname).unwrap();
        assert_eq!(e.authority(), "127.0.0.1:7000");
    }

    #[test]
    fn ipv6_addresses_get_brackets() {
        let info = MasterInfo {
            address: Some(Address {
                hostname: None,
                ip: Some("fd00::1".into()),
                port: 5050,
            }),
            ..MasterInfo::default()
        };
        let e = endpoint(&info, Scheme::Http, HostChoice::Ip).unwrap();
        assert_eq!(e.url(), "http://[fd00::1]:5050/api/v1/scheduler");
    }

    #[test]
    fn unusable_infos_are_errors() {
        let no_port = legacy([10, 0, 0, 1], 0, None);
        assert!(endpoint(&no_port, Scheme::Http, HostChoice::Ip).is_err());
        let big_port = legacy([10, 0, 0, 1], 70_000, None);
        assert!(endpoint(&big_port, Scheme::Http, HostChoice::Ip).is_err());
        let no_host = legacy([0, 0, 0, 0], 5050, Some(" "));
        assert!(endpoint(&no_host, Scheme::Http, HostChoice::Ip).is_err());
        let bad_host = legacy([0, 0, 0, 0], 5050, Some("a/b"));
        assert!(endpoint(&bad_host, Scheme::Http, HostChoice::Ip).is_err());
    }

    #[test]
    fn decodes_by_label() {
        let info = legacy([127, 0, 0, 1], 5050, Some("h"));
        let json_member = Membership::parse("json.info_0000000001").unwrap();
        let pb_member = Membership::parse("info_0000000001").unwrap();
        assert_eq!(decode(&json_member, &json::encode(&info)).unwrap(), info);
        assert_eq!(decode(&pb_member, &protobuf::encode(&info)).unwrap(), info);
        let err = decode(&json_member, b"master@1.2.3.4:5050").unwrap_err();
        assert!(err.contains("json.info_0000000001"), "{err}");
        let bare = Membership::parse("0000000001").unwrap();
        assert!(decode(&bare, b"master@1.2.3.4:5050")
            .unwrap_err()
            .contains("0.24"));
    }
}
