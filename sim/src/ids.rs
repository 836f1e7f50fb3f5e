//! Random identifiers: UUID v4 values for master ids, stream ids, container ids
//! and status-update uuids.

/// 16 random bytes with the RFC 4122 version-4 and variant bits set (the
/// library's generator, which executors use for their update uuids).
pub fn uuid_v4_bytes() -> [u8; 16] {
    mesos_http::validation::random_uuid_v4()
}

/// A UUID v4 rendered as 36 lower-case hex-and-dash characters.
pub fn uuid_v4_string() -> String {
    format_uuid(&uuid_v4_bytes())
}

/// Renders 16 bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub fn format_uuid(bytes: &[u8; 16]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_strings_are_lower_case_v4() {
        let a = uuid_v4_string();
        let b = uuid_v4_string();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert!(a
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)));
    }
}
