//! The master's idea of a valid UUID (stout `UUID::fromBytes`).

/// True when `bytes` is what the master accepts as an acknowledgement uuid:
/// exactly 16 bytes whose version nibble (high half of byte 6) is one of the
/// RFC 4122 versions 1–5. An all-zero uuid is refused (version 0).
pub fn is_valid_uuid(bytes: &[u8]) -> bool {
    match bytes.get(6) {
        Some(byte) if bytes.len() == 16 => matches!(byte >> 4, 1..=5),
        _ => false,
    }
}
