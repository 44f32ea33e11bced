//! Stable item ids: a readable slug of the text plus a 32-bit hash of section path, normalised text
//! and occurrence index. Editing one item's wording changes only that item's id.

use crate::model::{ItemId, Template};
use std::collections::{HashMap, HashSet};

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
    let mut out = String::new();
    push_slug(text, &mut out);
    out
}

fn push_slug(text: &str, out: &mut String) {
    let start = out.len();
    let mut dash = false;
    // Bytes, not chars: every byte of a multi-byte character is non-alphanumeric ASCII-wise, so it
    // acts as a separator exactly like the character would.
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() {
            if dash && out.len() > start {
                out.push('-');
            }
            dash = false;
            out.push(char::from(b.to_ascii_lowercase()));
            if out.len() - start >= 40 {
                break;
            }
        } else {
            dash = true;
        }
    }
    if out.len() == start {
        out.push_str("item");
    }
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
}

fn push_suffix(id: &mut String, digest: &[u8], extra: usize) {
    id.push('-');
    push_hex(id, digest);
    if extra > 1 {
        id.push('-');
        id.push_str(&extra.to_string());
    }
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
    let mut seen: HashMap<[u8; 16], usize, Fnv> =
        HashMap::with_capacity_and_hasher(template.items.len(), Fnv);
    // Hashes of the ids handed out; a (harmless) 64-bit clash only makes an id longer.
    let mut used: HashSet<u64, Fnv> = HashSet::with_capacity_and_hasher(template.items.len(), Fnv);
    let mut norm = String::new();
    for item in &mut template.items {
        normalize_into(&item.text, &mut norm);
        let mut hasher = path_keys[item.section].clone();
        hasher.write(norm.as_bytes());
        let key = hasher.finish128();
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
        let mut id = String::with_capacity(56);
        push_slug(&item.text, &mut id);
        let base_len = id.len();
        push_suffix(&mut id, &digest[..4], 0);
        let mut extra = 0;
        while !used.insert(fnv(id.as_bytes())) {
            extra += 1;
            id.truncate(base_len);
            push_suffix(&mut id, &digest[..8], extra);
        }
        item.id = ItemId(id);
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = Fnv.build_hasher();
    h.write(bytes);
    h.finish()
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
            self.a = (self.a ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            self.b = (self.b ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3 ^ 0x5bd1_e995);
        }
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

/// FNV-1a: a fast hasher for the id maps (keys are already hashes or short strings).
#[derive(Clone, Copy, Default)]
struct Fnv;

/// FNV-1a state.
struct FnvState(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvState;
    fn build_hasher(&self) -> FnvState {
        FnvState(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvState {
    fn finish(&self) -> u64 {
        // FNV's low bits depend only on the inputs' low bits; hashbrown indexes buckets by low
        // bits, so mix before handing the hash over.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
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
}
