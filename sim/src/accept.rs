//! `Accept` negotiation as libprocess does it (wire-facts a.4): JSON is tried
//! first, then protobuf; q-values only exclude, they never express preference.

use mesos_http::codec::Encoding;

/// Whether `media_type` (e.g. `application/json`) is acceptable under `accept`.
pub fn acceptable(accept: Option<&str>, media_type: &str) -> bool {
    let accept = match accept {
        None => return true,
        Some(a) => a,
    };
    let cleaned: String = accept.chars().filter(|c| !c.is_whitespace()).collect();
    let (main, _) = media_type.split_once('/').unwrap_or((media_type, ""));
    let entries: Vec<(String, bool)> = cleaned
        .split(',')
        .map(|entry| {
            let mut parts = entry.split(';');
            let range = parts.next().unwrap_or("").to_ascii_lowercase();
            let mut allowed = true;
            for param in parts {
                if let Some((k, v)) = param.split_once('=') {
                    if k.eq_ignore_ascii_case("q") {
                        if let Ok(q) = v.parse::<f64>() {
                            allowed = q > 0.0;
                        }
                    }
                }
            }
            (range, allowed)
        })
        .collect();
    let wanted = media_type.to_ascii_lowercase();
    let type_wildcard = format!("{}/*", main.to_ascii_lowercase());
    for candidate in [wanted.as_str(), type_wildcard.as_str(), "*/*"] {
        if let Some((_, allowed)) = entries.iter().find(|(r, _)| r == candidate) {
            return *allowed;
        }
    }
    false
}

/// The encoding for a SUBSCRIBE / RECONCILE_OPERATIONS response, or `None` for 406.
pub fn negotiate(accept: Option<&str>) -> Option<Encoding> {
    if acceptable(accept, Encoding::Json.content_type()) {
        Some(Encoding::Json)
    } else if acceptable(accept, Encoding::Protobuf.content_type()) {
        Some(Encoding::Protobuf)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_libprocess_rules() {
        assert_eq!(negotiate(None), Some(Encoding::Json));
        assert_eq!(negotiate(Some("*/*")), Some(Encoding::Json));
        assert_eq!(negotiate(Some("application/*")), Some(Encoding::Json));
        assert_eq!(
            negotiate(Some("application/x-protobuf")),
            Some(Encoding::Protobuf)
        );
        assert_eq!(
            negotiate(Some("application/x-protobuf, application/json")),
            Some(Encoding::Json)
        );
        assert_eq!(
            negotiate(Some("application/json;q=0, application/x-protobuf")),
            Some(Encoding::Protobuf)
        );
        assert_eq!(
            negotiate(Some("application/json; charset=utf-8")),
            Some(Encoding::Json)
        );
        assert_eq!(negotiate(Some("Application/JSON")), Some(Encoding::Json));
        assert_eq!(negotiate(Some("*/*;q=0.0")), None);
        assert_eq!(
            negotiate(Some("application/json;q=abc")),
            Some(Encoding::Json)
        );
        assert_eq!(negotiate(Some("text/html")), None);
        assert_eq!(negotiate(Some("foo")), None);
        assert_eq!(negotiate(Some("application/recordio")), None);
    }
}
