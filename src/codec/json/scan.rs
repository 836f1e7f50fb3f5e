//! Finding the end of a string's plain run: the first `"`, `\` or control
//! character, sixteen bytes at a time where the CPU has SSE2 (every x86_64),
//! eight at a time (SWAR) elsewhere and in the last bytes of the input.

/// The index of the first byte at or after `start` that is `"`, `\` or below
/// 0x20 (`bytes.len()` if none), and whether a byte >= 0x80 comes before it.
#[inline]
pub(crate) fn plain_run(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut i = start;
    let mut non_ascii = false;
    #[cfg(target_arch = "x86_64")]
    while let Some(chunk) = bytes.get(i..).and_then(|rest| rest.first_chunk::<16>()) {
        let (stop, high) = sse2::classify(chunk);
        if stop != 0 {
            let k = stop.trailing_zeros();
            non_ascii |= high & ((1 << k) - 1) != 0;
            return (i + k as usize, non_ascii);
        }
        non_ascii |= high != 0;
        i += 16;
    }
    while let Some(chunk) = bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        let w = u64::from_le_bytes(*chunk);
        let stop = swar_stops(w);
        if stop != 0 {
            let k = stop.trailing_zeros() / 8;
            // Bytes below the stop, each with its top bit moved to bit 7
            // of its lane.
            let below = if k == 0 {
                0
            } else {
                w & (u64::MAX >> (64 - 8 * k))
            };
            non_ascii |= below & HIGH != 0;
            return (i + k as usize, non_ascii);
        }
        non_ascii |= w & HIGH != 0;
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        non_ascii |= b >= 0x80;
        i += 1;
    }
    (i, non_ascii)
}

const ONES: u64 = u64::MAX / 255;
const HIGH: u64 = ONES << 7;

/// Bit 7 of each byte lane set where the lane is `"`, `\` or below 0x20;
/// exact up to and including the lowest such lane (a borrow can only
/// produce false marks above a true one).
#[inline]
fn swar_stops(w: u64) -> u64 {
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    ((w.wrapping_sub(ONES * 0x20) & !w)
        | (quote.wrapping_sub(ONES) & !quote)
        | (backslash.wrapping_sub(ONES) & !backslash))
        & HIGH
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use core::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };

    /// Bit masks over the 16 bytes: which are `"`, `\` or below 0x20, and
    /// which are >= 0x80.
    #[inline]
    #[allow(unused_unsafe, clippy::cast_possible_wrap, clippy::cast_sign_loss)]
    pub(super) fn classify(chunk: &[u8; 16]) -> (u32, u32) {
        // SAFETY: SSE2 is part of the x86_64 baseline, so these instructions
        // exist on every CPU this code is compiled for; the unaligned load
        // reads exactly the 16 bytes `chunk` refers to.
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast());
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            let limit = _mm_set1_epi8(0x1F);
            let control = _mm_cmpeq_epi8(_mm_max_epu8(v, limit), limit);
            let stop = _mm_or_si128(_mm_or_si128(quote, backslash), control);
            (_mm_movemask_epi8(stop) as u32, _mm_movemask_epi8(v) as u32)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::plain_run;

    /// The obvious byte loop, to compare against.
    fn reference(bytes: &[u8], start: usize) -> (usize, bool) {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .map_or(bytes.len(), |p| start + p);
        (end, bytes[start..end].iter().any(|&b| b >= 0x80))
    }

    #[test]
    fn agrees_with_a_byte_loop_at_every_offset_and_length() {
        let alphabet: &[u8] = b"a\"\\\x00\x1f\x20\x7f\x80\xff~";
        let mut seed = 0x1234_5678_9abc_def0_u64;
        for len in 0..70 {
            for _ in 0..60 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        // Mostly plain text, so runs are long.
                        if seed % 8 == 0 {
                            alphabet[(seed >> 8) as usize % alphabet.len()]
                        } else {
                            b'a' + (seed >> 16) as u8 % 26
                        }
                    })
                    .collect();
                for start in 0..=len {
                    assert_eq!(
                        plain_run(&bytes, start),
                        reference(&bytes, start),
                        "{bytes:?} from {start}"
                    );
                }
            }
        }
    }
}
