//! The id hash and writing an item's normalised text into it: two FNV-1a lanes (fixed forever:
//! ids are stored in run journals) and the general normaliser (plain ASCII text takes
//! `ascii.rs`'s one-pass path).

/// One character of the normalised text: punctuation waits in `pending` (it is dropped if it ends
/// the text), everything else is written with what waited before it.
fn push_normalized(c: char, h: &mut StableHash, pending: &mut Vec<u8>, space: &mut bool) {
    if *space {
        pending.push(b' ');
        *space = false;
    }
    if matches!(c, '.' | ':' | ';' | ',' | '!') {
        pending.push(c as u8);
        return;
    }
    if !pending.is_empty() {
        h.write(pending);
        pending.clear();
    }
    let mut buf = [0u8; 4];
    h.write(c.encode_utf8(&mut buf).as_bytes());
}

/// Writes `normalize(text)` into `h` without building it: the same bytes in the same order.
pub(super) fn hash_normalized(text: &str, h: &mut StableHash, pending: &mut Vec<u8>) {
    pending.clear();
    let mut started = false;
    let mut space = false;
    if text.is_ascii() {
        for b in text.bytes() {
            if b.is_ascii_whitespace() || b == 0x0B {
                space = started;
            } else {
                started = true;
                push_normalized(char::from(b.to_ascii_lowercase()), h, pending, &mut space);
            }
        }
    } else {
        for word in text.split_whitespace() {
            space = started;
            started = true;
            for c in word.chars().flat_map(char::to_lowercase) {
                push_normalized(c, h, pending, &mut space);
            }
        }
    }
    // Left over: trailing punctuation, maybe with spaces between; what precedes its last space
    // stays (`normalize` trims only the punctuation at the very end).
    if let Some(last_space) = pending.iter().rposition(|&b| b == b' ') {
        h.write(&pending[..=last_space]);
    }
}

/// The id hash: two independent FNV-1a-64 lanes over the bytes, each finished with the splitmix64
/// mixer, giving 128 bits. Fixed forever (ids are stored in run journals): changing it re-keys every
/// run. Not cryptographic — ids need stability and spread, not secrecy.
#[derive(Clone)]
pub(super) struct StableHash {
    pub(super) a: u64,
    pub(super) b: u64,
}

impl StableHash {
    pub(super) fn new() -> Self {
        Self {
            a: 0xcbf2_9ce4_8422_2325,
            b: 0x84222325_cbf29ce4,
        }
    }

    pub(super) fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_byte(byte);
        }
    }

    #[inline]
    pub(super) fn write_byte(&mut self, byte: u8) {
        (self.a, self.b) = Self::lanes(self.a, self.b, byte);
    }

    /// Both lanes after one more byte.
    #[inline]
    pub(super) fn lanes(a: u64, b: u64, byte: u8) -> (u64, u64) {
        (
            (a ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3),
            (b ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3 ^ 0x5bd1_e995),
        )
    }

    pub(super) fn finish128(&self) -> [u8; 16] {
        fn mix(mut z: u64) -> u64 {
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&mix(self.a).to_be_bytes());
        out[8..].copy_from_slice(&mix(self.b ^ self.a.rotate_left(17)).to_be_bytes());
        out
    }
}

/// For keys that are already hashes (`u128`, `u32`): their low 64 bits, mixed, are the hash.
#[derive(Clone, Copy, Default)]
pub(super) struct Passthrough;

/// [`Passthrough`] state.
pub(super) struct PassthroughState(u64);

impl std::hash::BuildHasher for Passthrough {
    type Hasher = PassthroughState;
    fn build_hasher(&self) -> PassthroughState {
        PassthroughState(0)
    }
}

impl std::hash::Hasher for PassthroughState {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z ^ (z >> 31)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.0 = u64::from(i);
    }
    fn write_u128(&mut self, i: u128) {
        self.0 = i as u64 ^ (i >> 64) as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::ids::normalize;

    #[test]
    fn streamed_normalisation_hashes_like_the_normalised_text() {
        for s in [
            "  Run   THE backup. ",
            "a .",
            "a. .",
            "a.b, c!",
            "...",
            "",
            "   ",
            "x!!",
            "a ,b",
            "tab\there\x0bvt",
            "Ünïcode  Straße.",
            "ΣΑΣ  ,",
            "中文 检查。",
            "end: ; ,",
        ] {
            let mut want = StableHash::new();
            want.write(normalize(s).as_bytes());
            let mut got = StableHash::new();
            hash_normalized(s, &mut got, &mut Vec::new());
            assert_eq!(
                got.finish128(),
                want.finish128(),
                "{s:?} → {:?}",
                normalize(s)
            );
        }
    }
}
