//! Stable item ids: a readable slug of the text plus a hash of section path, normalised text and
//! occurrence index. Editing one item's wording changes only that item's id.

use crate::model::{ItemId, Template};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Lower-case, whitespace collapsed, trailing punctuation dropped.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
    out.trim_end_matches(['.', ':', ';', ',', '!']).to_owned()
}

/// ASCII slug of at most ~40 characters, cut at a word boundary.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
            if out.len() >= 40 {
                break;
            }
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        "item".to_owned()
    } else {
        out
    }
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
}

fn make_id(base: &str, digest: &[u8], extra: usize) -> String {
    let mut id = String::with_capacity(base.len() + 20);
    id.push_str(base);
    id.push('-');
    push_hex(&mut id, digest);
    if extra > 1 {
        id.push('-');
        id.push_str(&extra.to_string());
    }
    id
}

/// Assigns ids to every item of `template` (in document order).
///
/// The section path leaves out the level-1 heading when the file has exactly one (it is the
/// document title, and renaming a document must not re-key it), and the implicit section.
pub fn assign(template: &mut Template) {
    let h1_count = template.sections.iter().filter(|s| s.level == 1).count();
    let path_keys: Vec<String> = (0..template.sections.len())
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
            parts.join("\u{1f}")
        })
        .collect();
    // Occurrences are counted per section *path* (what the hash sees), not per section: sibling
    // sections with the same title, or the implicit section and a lone H1, share a path.
    let mut seen: HashMap<[u8; 16], usize, Fnv> =
        HashMap::with_capacity_and_hasher(template.items.len(), Fnv);
    let mut used: HashSet<String, Fnv> =
        HashSet::with_capacity_and_hasher(template.items.len(), Fnv);
    for item in &mut template.items {
        let norm = normalize(&item.text);
        let mut hasher = Sha256::new();
        hasher.update(path_keys[item.section].as_bytes());
        hasher.update(b"\x1e");
        hasher.update(norm.as_bytes());
        let base_hasher = hasher.clone();
        let mut digest: [u8; 32] = hasher.finalize().into();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        let occurrence = {
            let n = seen.entry(key).or_insert(0);
            *n += 1;
            *n - 1
        };
        if occurrence > 0 {
            let mut h = base_hasher;
            h.update(b"#");
            h.update(occurrence.to_string().as_bytes());
            digest = h.finalize().into();
        }
        let base = slug(&item.text);
        let mut id = make_id(&base, &digest[..4], 0);
        let mut extra = 0;
        while used.contains(&id) {
            extra += 1;
            id = make_id(&base, &digest[..8], extra);
        }
        item.id = ItemId(id.clone());
        used.insert(id);
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
        self.0
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
