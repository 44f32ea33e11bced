//! Stable item ids: a readable slug of the text plus a 32-bit hash of section path, normalised text
//! and occurrence index. Editing one item's wording changes only that item's id.

mod ascii;
mod hash;
mod table;

use crate::model::{ItemId, Section, SharedStr, Template};
use hash::{Passthrough, StableHash, hash_normalized};
use std::collections::HashMap;
use std::sync::Arc;
use table::{Repeats, Table};

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
    /// The first 64 bytes, where the slug is written.
    fn slug_room(&mut self) -> &mut [u8; 64] {
        let (room, _) = self
            .buf
            .split_first_chunk_mut::<64>()
            .unwrap_or_else(|| unreachable!());
        room
    }

    fn push(&mut self, bytes: &[u8]) {
        let end = (self.len + bytes.len()).min(self.buf.len());
        let n = end - self.len;
        self.buf[self.len..end].copy_from_slice(&bytes[..n]);
        self.len = end;
    }

    /// `-` and the hex of `digest`, then `-extra` when `extra > 1`.
    fn push_suffix(&mut self, digest: &[u8], extra: usize) {
        // The slug is at most 44 bytes and the hex 33: the common case fits and is written in
        // place; the rest goes through `push`, which cuts at the buffer's end.
        let digest = &digest[..digest.len().min(16)];
        let n = 1 + 2 * digest.len();
        if self.len + n <= self.buf.len() {
            let out = &mut self.buf[self.len..self.len + n];
            out[0] = b'-';
            for (pair, &b) in out[1..].chunks_exact_mut(2).zip(digest) {
                pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
            }
            self.len += n;
        } else {
            let mut hex = [0u8; 33];
            hex[0] = b'-';
            for (pair, &b) in hex[1..].chunks_exact_mut(2).zip(digest) {
                pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
            }
            self.push(&hex[..n]);
        }
        if extra > 1 {
            self.push(b"-");
            self.push(extra.to_string().as_bytes());
        }
    }

    /// The id's bytes (ASCII: slug, `-`, hex digits and decimal digits only).
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    #[cfg(test)]
    fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("item")
    }
}

/// Every byte's two lower-case hex digits.
static HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [DIGITS[i >> 4], DIGITS[i & 0xf]];
        i += 1;
    }
    t
};

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
/// [`slug_bytes`] and [`hash_normalized`], in one pass eight bytes at a time when the text is
/// plain ASCII (most are: item texts come trimmed with single spaces); the two general passes
/// otherwise (a tab, two spaces, a control character, any non-ASCII byte).
fn slug_and_hash(text: &str, id: &mut IdBuf, h: &mut StableHash, pending: &mut Vec<u8>) {
    // The slug goes straight into the id (it starts empty and a slug is at most 64 bytes).
    let slug: &mut [u8; 64] = id.slug_room();
    let n = if text.is_ascii()
        && let Some(n) = ascii::slug_and_hash_plain(text.as_bytes(), slug, h)
    {
        n
    } else {
        hash_normalized(text, h, pending);
        slug_bytes(text, slug)
    };
    id.len = n;
}

/// Whether a section's title is part of the paths under it (see [`assign`]).
fn in_path(s: &Section, h1_count: usize) -> bool {
    s.level > 1 || (s.level == 1 && h1_count > 1)
}

/// Each section's path key: the hash of its path's normalised titles joined by `U+001F`, then
/// `U+001E`. A section's parent comes before it, so each path is its parent's and one title more:
/// hashed once a section, streaming (FNV reads the joined text byte after byte either way).
fn path_keys(sections: &[Section]) -> Vec<StableHash> {
    let h1_count = sections.iter().filter(|s| s.level == 1).count();
    // Each section's path hashed so far (not yet terminated), and whether it has a title in it.
    let mut open: Vec<(StableHash, bool)> = Vec::with_capacity(sections.len());
    let mut pending = Vec::new();
    let mut keys = Vec::with_capacity(sections.len());
    for (i, s) in sections.iter().enumerate() {
        let (mut h, mut any) = match s.parent {
            None => (StableHash::new(), false),
            Some(p) if p < i => open[p].clone(),
            // Not what the walk makes: the path read up the parent chain instead.
            Some(_) => {
                let (h, any) = path_by_walking_up(sections, i, h1_count);
                let mut key = h.clone();
                key.write(b"\x1e");
                open.push((h, any));
                keys.push(key);
                continue;
            }
        };
        if in_path(s, h1_count) {
            if any {
                h.write(b"\x1f");
            }
            // Plain ASCII titles a word at a time (the slug it also writes is not needed here).
            let mut slug = [0u8; 64];
            if !s.title.is_ascii()
                || ascii::slug_and_hash_plain(s.title.as_bytes(), &mut slug, &mut h).is_none()
            {
                hash_normalized(&s.title, &mut h, &mut pending);
            }
            any = true;
        }
        open.push((h.clone(), any));
        h.write(b"\x1e");
        keys.push(h);
    }
    keys
}

/// One section's path from its titles up the parent chain (the reference for [`path_keys`]): the
/// hash of the joined titles, not terminated, and whether there is any.
fn path_by_walking_up(sections: &[Section], i: usize, h1_count: usize) -> (StableHash, bool) {
    let mut parts = Vec::new();
    let mut cur = Some(i);
    let mut steps = 0;
    while let Some(j) = cur
        && steps <= sections.len()
    {
        let Some(s) = sections.get(j) else { break };
        if in_path(s, h1_count) {
            parts.push(normalize(&s.title));
        }
        cur = s.parent;
        steps += 1;
    }
    parts.reverse();
    let mut h = StableHash::new();
    h.write(parts.join("\u{1f}").as_bytes());
    (h, !parts.is_empty())
}

/// Assigns ids to every item of `template` (in document order).
///
/// The section path leaves out the level-1 heading when the file has exactly one (it is the
/// document title, and renaming a document must not re-key it), and the implicit section.
pub fn assign(template: &mut Template) {
    let path_keys = path_keys(&template.sections);
    let n = template.items.len();
    // Occurrences are counted per section *path* (what the hash sees), not per section: sibling
    // sections with the same title, or the implicit section and a lone H1, share a path. An
    // item's occurrence is one more than that of the last earlier item with its key; `firsts`
    // holds every item's key, so the table keeps 32 bits of a key, not all 128.
    let mut repeats = Repeats::with_capacity(n);
    let mut firsts: Vec<u128> = Vec::with_capacity(n);
    let mut occurrences: Vec<u32> = Vec::with_capacity(n);
    // Ids handed out, by the 32 bits of hash they show: the first item showing each. Two ids can
    // only be equal when they share those (every form of id ends with them or with the 64 bits
    // that start with them), so an id is compared only with the ids of the same bucket; a bucket
    // of more than one is rare.
    let mut shown = Table::with_capacity(n);
    let mut crowded: HashMap<u32, Vec<usize>, Passthrough> = HashMap::default();
    let mut pending = Vec::new();
    // Every id, one after another: the buffer the items' ids are pieces of (one allocation).
    // Bytes, checked as UTF-8 once at the end (every id is ASCII), not once per id.
    let mut ids: Vec<u8> = Vec::with_capacity(n * 48);
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::with_capacity(n);
    // One id buffer for all: each id is written over the last (its length says where it ends).
    let mut id = IdBuf {
        buf: [0u8; 96],
        len: 0,
    };
    for i in 0..n {
        let item = &template.items[i];
        let mut hasher = path_keys[item.section].clone();
        id.len = 0;
        slug_and_hash(&item.text, &mut id, &mut hasher, &mut pending);
        let first = hasher.finish128();
        let key = u128::from_be_bytes(first);
        firsts.push(key);
        let occurrence = match repeats.last_before(key, i, |j| firsts[j]) {
            Some(j) => occurrences[j].saturating_add(1),
            None => 0,
        };
        occurrences.push(occurrence);
        let digest = if occurrence > 0 {
            hasher.write(b"#");
            hasher.write(occurrence.to_string().as_bytes());
            hasher.finish128()
        } else {
            first
        };
        let base_len = id.len;
        id.push_suffix(&digest[..4], 0);
        let prefix = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        let first = shown.get_or_insert(prefix, i);
        if first != i {
            let bucket = crowded.entry(prefix).or_insert_with(|| vec![first]);
            let mut extra = 0;
            while bucket
                .iter()
                .any(|&j| ids.get(ranges[j].clone()) == Some(id.as_bytes()))
            {
                extra += 1;
                id.len = base_len;
                id.push_suffix(&digest[..8], extra);
            }
            bucket.push(i);
        }
        let start = ids.len();
        ids.extend_from_slice(id.as_bytes());
        ranges.push(start..ids.len());
    }
    // Every id is ASCII (slug bytes are ASCII letters, digits and `-`; the rest hex and decimal
    // digits), so this never falls back; the fallback (any other byte as `-`, lengths kept, so
    // the ranges stay valid) only keeps the function total.
    // Shared as it is (an `Arc<str>` would copy every byte once more).
    let ids = Arc::new(match String::from_utf8(ids) {
        Ok(s) => s,
        Err(e) => {
            let mut bytes = e.into_bytes();
            for b in &mut bytes {
                if !b.is_ascii() {
                    *b = b'-';
                }
            }
            String::from_utf8(bytes).unwrap_or_default()
        }
    });
    for (item, range) in template.items.iter_mut().zip(ranges) {
        item.id = ItemId(SharedStr::piece(&ids, range));
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

    proptest::proptest! {
        /// The one-pass path agrees with the two reference passes on any text: separators in
        /// runs, at either end and at every distance from the 40-byte cut and the 8-byte words.
        #[test]
        fn one_pass_agrees_with_the_reference_on_any_text(
            s in "[a-zA-Z0-9 .:;,!#_@\\[\\]\t-]{0,90}|[a-z ]{0,60}[é ]{0,3}[a-z0-9 -]{0,20}"
        ) {
            let mut id1 = IdBuf { buf: [0u8; 96], len: 0 };
            let mut h1 = StableHash::new();
            slug_and_hash(&s, &mut id1, &mut h1, &mut Vec::new());
            let mut h2 = StableHash::new();
            h2.write(normalize(&s).as_bytes());
            proptest::prop_assert_eq!(id1.as_str(), slug(&s));
            proptest::prop_assert_eq!(h1.finish128(), h2.finish128());
        }
    }

    #[test]
    fn streamed_path_keys_are_the_joined_titles_up_the_chain() {
        let src = "# One\n## A  b\n### Ç deep\n## \n### x\n# Two\n#### Skip. levels\n## last:\n";
        let t = crate::template::parse_str("p.md", &format!("{src}- [ ] item\n"));
        let sections = t.map(|t| t.sections).unwrap_or_default();
        assert!(sections.len() >= 8);
        for h1s in [1, 2] {
            // With one H1 it is left out of the paths, with two it is in them.
            let mut sections = sections.clone();
            if h1s == 1 {
                sections.retain(|s| s.title != "Two");
                for (i, s) in sections.iter_mut().enumerate() {
                    s.parent = s.parent.filter(|&p| p < i);
                }
            }
            let h1_count = sections.iter().filter(|s| s.level == 1).count();
            let keys = path_keys(&sections);
            for (i, key) in keys.iter().enumerate() {
                let (mut want, _) = path_by_walking_up(&sections, i, h1_count);
                want.write(b"\x1e");
                assert_eq!(key.finish128(), want.finish128(), "section {i}");
            }
        }
    }

    #[test]
    fn the_suffix_is_the_digest_in_hex() {
        let digest = [0x00, 0x0f, 0xa5, 0xff, 0x12, 0x34, 0x56, 0x78];
        let mut id = IdBuf {
            buf: [0u8; 96],
            len: 0,
        };
        id.push(b"x");
        id.push_suffix(&digest[..4], 0);
        assert_eq!(id.as_str(), "x-000fa5ff");
        id.len = 1;
        id.push_suffix(&digest, 3);
        assert_eq!(id.as_str(), "x-000fa5ff12345678-3");
    }
}
