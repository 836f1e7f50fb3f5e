//! The master's idea of a valid UUID (stout `UUID::fromBytes`), and the
//! random version-4 UUIDs that executors put on their status updates.

use std::collections::hash_map::RandomState;
use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// True when `bytes` is what the master accepts as an acknowledgement uuid:
/// exactly 16 bytes whose version nibble (high half of byte 6) is one of the
/// RFC 4122 versions 1–5. An all-zero uuid is refused (version 0).
pub fn is_valid_uuid(bytes: &[u8]) -> bool {
    match bytes.get(6) {
        Some(byte) if bytes.len() == 16 => matches!(byte >> 4, 1..=5),
        _ => false,
    }
}

/// 16 random bytes with the RFC 4122 version-4 and variant bits set, the form
/// stout's `UUID::random()` produces and [`is_valid_uuid`] accepts.
pub fn random_uuid_v4() -> [u8; 16] {
    let mut bytes = random_16();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    bytes
}

fn random_16() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_ok()
    {
        return bytes;
    }
    // Fallback: SipHash with per-process random keys over a counter and the clock.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let state = RandomState::new();
    for half in 0..2 {
        let mut h = state.build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        bytes[half * 8..half * 8 + 8].copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes
}
