//! Stable item ids: a readable slug of the text plus a 32-bit hash of section path, normalised text
//! and occurrence index. Editing one item's wording changes only that item's id.

use crate::model::{ItemId, Template};
use std::collections::HashMap;

/// Lower-case, whitespace collapsed, trailing punctuation dropped.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// [`normalize`] into a reused buffer.
fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        // Fast path (most checklists): one pass over bytes.
        let mut space = false;
        for b in text.bytes() {
            if b.is_ascii_whitespace() || b == 0x0B {
                space = !out.is_empty();
            } else {
                if space {
                    out.push(' ');
                    space = false;
                }
                out.push(char::from(b.to_ascii_lowercase()));
            }
        }
    } else {
        for word in text.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
    let keep = out.trim_end_matches(['.', ':', ';', ',', '!']).len();
    out.truncate(keep);
}

/// ASCII slug of at most ~40 characters, cut at a word boundary.
pub fn slug(text: &str) -> String {
    let mut buf = [0u8; 64];
    let n = slug_bytes(text, &mut buf);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// The slug of `text` into `buf` (ASCII; `item` when the text has no ASCII letter or digit): its
/// length. Bytes, not chars: every byte of a multi-byte character is non-alphanumeric ASCII-wise,
/// so it acts as a separator exactly like the character would.
fn slug_bytes(text: &str, buf: &mut [u8; 64]) -> usize {
    let mut n = 0usize;
    let mut dash = false;
    for &c in text.as_bytes() {
        let t = LOWER[usize::from(c)];
        if t & 0x80 != 0 {
            // `n` stays below 42; the mask only lets the compiler see the index is in bounds.
            if dash && n > 0 {
                buf[n & 63] = b'-';
                n += 1;
            }
            dash = false;
            buf[n & 63] = t & 0x7F;
            n += 1;
            if n >= 40 {
                break;
            }
        } else {
            dash = true;
        }
    }
    if n == 0 {
        buf[..4].copy_from_slice(b"item");
        n = 4;
    }
    n
}

/// An id being built: ASCII bytes on the stack, made a `String` once.
struct IdBuf {
    buf: [u8; 96],
    len: usize,
}

impl IdBuf {
    fn push(&mut self, bytes: &[u8]) {
        let end = (self.len + bytes.len()).min(self.buf.len());
        let n = end - self.len;
        self.buf[self.len..end].copy_from_slice(&bytes[..n]);
        self.len = end;
    }

    /// `-` and the hex of `digest`, then `-extra` when `extra > 1`.
    fn push_suffix(&mut self, digest: &[u8], extra: usize) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 33];
        hex[0] = b'-';
        let mut k = 1;
        for &b in digest.iter().take(16) {
            hex[k] = DIGITS[usize::from(b >> 4)];
            hex[k + 1] = DIGITS[usize::from(b & 0xf)];
            k += 2;
        }
        self.push(&hex[..k]);
        if extra > 1 {
            self.push(b"-");
            self.push(extra.to_string().as_bytes());
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("item")
    }
}

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
fn hash_normalized(text: &str, h: &mut StableHash, pending: &mut Vec<u8>) {
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

/// Per ASCII byte: its lower-case form, and whether it is a letter or digit (bit 7 set then).
/// Bytes of multi-byte characters are none of these (see [`slug_bytes`]).
static LOWER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        let alnum = b.is_ascii_alphanumeric();
        t[i] = b.to_ascii_lowercase() | if alnum { 0x80 } else { 0 };
        i += 1;
    }
    t
};

/// The slug of `text` into `id` and its normalised text into `h`: the same results as
/// [`slug_bytes`] and [`hash_normalized`], in one table-driven pass when the text is ASCII (most
/// are). Item texts come trimmed with single spaces, so the normalised text is usually the
/// lower-cased text up to its trailing punctuation: that is hashed, and the general path taken
/// only when a byte says otherwise (a tab, two spaces, a control character).
fn slug_and_hash(text: &str, id: &mut IdBuf, h: &mut StableHash, pending: &mut Vec<u8>) {
    let mut slug = [0u8; 64];
    let n = slug_bytes(text, &mut slug);
    id.push(&slug[..n]);
    if !text.is_ascii() {
        hash_normalized(text, h, pending);
        return;
    }
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], b'.' | b':' | b';' | b',' | b'!') {
        end -= 1;
    }
    match hash_plain_ascii(&bytes[..end], end == bytes.len(), h.a, h.b) {
        Some((a, b)) => {
            h.a = a;
            h.b = b;
        }
        None => hash_normalized(text, h, pending),
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// 0x80 in each byte of `w` equal to `b`, 0 elsewhere (exact, for any bytes).
fn eq_mask(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * u64::from(b));
    let t = (x & !HIGHS).wrapping_add(!HIGHS);
    !(t | x | !HIGHS)
}

/// `w`'s ASCII letters lower-cased (all bytes ASCII).
fn lower8(w: u64) -> u64 {
    let ge_a = w.wrapping_add(ONES * 0x3F);
    let gt_z = w.wrapping_add(ONES * 0x25);
    w | ((ge_a & !gt_z & HIGHS) >> 2)
}

/// The hash lanes after the normalised form of ASCII `body` (the text up to its trailing
/// punctuation; `to_end`: nothing was cut) when that form is just `body` lower-cased — no
/// control character or tab, no leading, double or final space — else `None` (then the general
/// path runs). Eight bytes at a time: the checks and the lower-casing are word operations.
fn hash_plain_ascii(body: &[u8], to_end: bool, mut a: u64, mut b: u64) -> Option<(u64, u64)> {
    let mut prev_space = true;
    let mut words = body.chunks_exact(8);
    for chunk in &mut words {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(chunk);
        let w = u64::from_le_bytes(raw);
        // A byte below 0x20 (control, tab, newline): the general path.
        if w.wrapping_sub(ONES * 0x20) & !w & HIGHS != 0 {
            return None;
        }
        let sp = eq_mask(w, b' ');
        if sp & (sp << 8) != 0 || (prev_space && sp & 0x80 != 0) {
            return None;
        }
        prev_space = sp >> 63 != 0;
        let l = lower8(w);
        for k in 0..8 {
            (a, b) = StableHash::lanes(a, b, (l >> (8 * k)) as u8);
        }
    }
    for &c in words.remainder() {
        if c <= b' ' {
            if c != b' ' || prev_space {
                return None;
            }
            prev_space = true;
        } else {
            prev_space = false;
        }
        (a, b) = StableHash::lanes(a, b, c.to_ascii_lowercase());
    }
    // A space at the very end (not one before trailing punctuation) is not in the normalised text.
    if prev_space && to_end && !body.is_empty() {
        return None;
    }
    Some((a, b))
}

/// Assigns ids to every item of `template` (in document order).
///
/// The section path leaves out the level-1 heading when the file has exactly one (it is the
/// document title, and renaming a document must not re-key it), and the implicit section.
pub fn assign(template: &mut Template) {
    let h1_count = template.sections.iter().filter(|s| s.level == 1).count();
    let path_keys: Vec<StableHash> = (0..template.sections.len())
        .map(|i| {
            let mut parts = Vec::new();
            let mut cur = Some(i);
            while let Some(j) = cur {
                let s = &template.sections[j];
                if s.level > 1 || (s.level == 1 && h1_count > 1) {
                    parts.push(normalize(&s.title));
                }
                cur = s.parent;
            }
            parts.reverse();
            let mut h = StableHash::new();
            h.write(parts.join("\u{1f}").as_bytes());
            h.write(b"\x1e");
            h
        })
        .collect();
    // Occurrences are counted per section *path* (what the hash sees), not per section: sibling
    // sections with the same title, or the implicit section and a lone H1, share a path.
    let n = template.items.len();
    let mut seen: HashMap<u128, usize, Passthrough> =
        HashMap::with_capacity_and_hasher(n, Passthrough);
    // Ids handed out, by the 32 bits of hash they show. Two ids can only be equal when they share
    // those (every form of id ends with them or with the 64 bits that start with them), so an id
    // is compared only with the ids of the same bucket; a bucket of more than one is rare.
    let mut shown: HashMap<u32, usize, Passthrough> =
        HashMap::with_capacity_and_hasher(n, Passthrough);
    let mut crowded: HashMap<u32, Vec<usize>, Passthrough> = HashMap::default();
    let mut pending = Vec::new();
    for i in 0..n {
        let item = &template.items[i];
        let mut hasher = path_keys[item.section].clone();
        let mut id = IdBuf {
            buf: [0u8; 96],
            len: 0,
        };
        slug_and_hash(&item.text, &mut id, &mut hasher, &mut pending);
        let key = u128::from_be_bytes(hasher.finish128());
        let occurrence = {
            let n = seen.entry(key).or_insert(0);
            *n += 1;
            *n - 1
        };
        if occurrence > 0 {
            hasher.write(b"#");
            hasher.write(occurrence.to_string().as_bytes());
        }
        let digest = hasher.finish128();
        let base_len = id.len;
        id.push_suffix(&digest[..4], 0);
        let prefix = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        let first = *shown.entry(prefix).or_insert(i);
        if first != i {
            let bucket = crowded.entry(prefix).or_insert_with(|| vec![first]);
            let mut extra = 0;
            while bucket
                .iter()
                .any(|&j| template.items[j].id.0 == id.as_str())
            {
                extra += 1;
                id.len = base_len;
                id.push_suffix(&digest[..8], extra);
            }
            bucket.push(i);
        }
        template.items[i].id = ItemId(id.as_str().to_owned());
    }
}

/// The id hash: two independent FNV-1a-64 lanes over the bytes, each finished with the splitmix64
/// mixer, giving 128 bits. Fixed forever (ids are stored in run journals): changing it re-keys every
/// run. Not cryptographic — ids need stability and spread, not secrecy.
#[derive(Clone)]
struct StableHash {
    a: u64,
    b: u64,
}

impl StableHash {
    fn new() -> Self {
        Self {
            a: 0xcbf2_9ce4_8422_2325,
            b: 0x84222325_cbf29ce4,
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_byte(byte);
        }
    }

    #[inline]
    fn write_byte(&mut self, byte: u8) {
        (self.a, self.b) = Self::lanes(self.a, self.b, byte);
    }

    /// Both lanes after one more byte.
    #[inline]
    fn lanes(a: u64, b: u64, byte: u8) -> (u64, u64) {
        (
            (a ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3),
            (b ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3 ^ 0x5bd1_e995),
        )
    }

    fn finish128(&self) -> [u8; 16] {
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
struct Passthrough;

/// [`Passthrough`] state.
struct PassthroughState(u64);

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

    #[test]
    fn slug_is_readable_and_bounded() {
        assert_eq!(
            slug("Create deployment tag: `v1.0.0`"),
            "create-deployment-tag-v1-0-0"
        );
        assert_eq!(slug("检查日志"), "item");
        assert!(slug(&"word ".repeat(50)).len() <= 44);
    }

    #[test]
    fn normalize_ignores_case_spacing_and_trailing_punctuation() {
        assert_eq!(normalize("  Run   THE backup. "), "run the backup");
    }

    #[test]
    fn word_tricks_match_bytes() {
        for b in 0u8..=127 {
            let w = u64::from_le_bytes([b, b' ', b'A', b'z', b, 0x1F, b'[', b'@']);
            let l = lower8(w).to_le_bytes();
            assert_eq!(l[0], b.to_ascii_lowercase(), "{b:#x}");
            assert_eq!(
                &l[1..],
                &[b' ', b'a', b'z', b.to_ascii_lowercase(), 0x1F, b'[', b'@']
            );
            let m = eq_mask(w, b' ').to_le_bytes();
            assert_eq!(m[0] == 0x80, b == b' ');
            assert_eq!(m[1], 0x80);
            assert_eq!(m[2], 0);
        }
    }

    #[test]
    fn one_pass_slug_and_hash_match_the_two_passes() {
        for s in [
            "Create deployment tag: `v1.0.0`",
            "  Run   THE backup. ",
            "a .",
            "...",
            "x",
            "!!!",
            &"word ".repeat(50),
            "Step 12.3: restart `svc-4` on **{{ HOST }}**",
            "an exactly sixteen",
            "eight by  eight b",
            "ends with a space ",
            "trailing\tTab words here",
            "Mixed CASE letters @[Z]",
            "检查日志",
        ] {
            let mut id1 = IdBuf {
                buf: [0u8; 96],
                len: 0,
            };
            let mut h1 = StableHash::new();
            slug_and_hash(s, &mut id1, &mut h1, &mut Vec::new());
            let mut h2 = StableHash::new();
            h2.write(normalize(s).as_bytes());
            assert_eq!(id1.as_str(), slug(s), "{s:?}");
            assert_eq!(h1.finish128(), h2.finish128(), "{s:?}");
        }
    }

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
