//! `template.cache`: the parsed template copy of a run, kept beside it so that opening a run does
//! not parse the same bytes again (the loader is the largest part of opening a big run).
//!
//! A cache, never evidence: the template copy and its SHA-256 in the journal are the record,
//! `verify` never reads this file, and anything wrong with it — missing, damaged, written by
//! another build, for other bytes, other loader rules or another name, a link, a FIFO, a file
//! the trust rules refuse — only means the copy is parsed as before (logged, never a warning).
//!
//! File: a magic line, the format, the key (this build's id, the copy's SHA-256, `steps`, the
//! loader rules, the name the template is shown under), the encoded [`Template`]
//! ([`codec`]), and a SHA-256 of everything before it. Created and read only through
//! [`Dir`](super::safe::Dir): never through a link, a regular file with the run dir's file mode
//! (0600, or 0660 in a shared group dir); replaced atomically and not fsync'd (a crash can only
//! lose it or leave it stale, and both are caught).

mod codec;

use super::safe::Dir;
use crate::model::Template;
use codec::{Get, Put, Reader};
use sha2::{Digest, Sha256};

/// File name in the run dir.
pub const FILE: &str = "template.cache";

/// Identifies this build: a hash of the sources, manifest, lock file and compiler it was built
/// from (`build.rs`). A cache written by any other build is never read.
pub const BUILD_ID: &str = env!("RUNSHEET_BUILD_ID");

const MAGIC: &[u8] = b"runsheet template cache\n";
/// Layout of the file (bumped with any change to it or to [`codec`]).
const FORMAT: u32 = 1;
/// Largest cache read: a template copy is at most 256 MiB; its parse is not much larger.
const MAX_CACHE: u64 = 1 << 30;

/// What a cached template must have been parsed from, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key<'a> {
    /// SHA-256 of the template copy's bytes (lower-case hex).
    pub sha256: &'a str,
    /// Numbered steps as items (`--steps`).
    pub steps: bool,
    /// Loader rules the run reads with.
    pub rules: u32,
    /// The name the template was parsed under (its fallback title, and in its warnings).
    pub name: &'a str,
}

impl Key<'_> {
    fn put(&self, out: &mut Vec<u8>) {
        BUILD_ID.put(out);
        self.sha256.put(out);
        self.steps.put(out);
        self.rules.put(out);
        self.name.put(out);
    }
}

/// The cache's bytes for `template` parsed as `key` says.
pub fn encode(key: &Key<'_>, template: &Template) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024 + template.items.len() * 160);
    out.extend_from_slice(MAGIC);
    FORMAT.put(&mut out);
    key.put(&mut out);
    template.put(&mut out);
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

/// Why a cache's bytes were not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Too short, or its checksum does not match: damaged (or cut by a crash).
    Checksum,
    /// Not a cache file, or another layout.
    Format,
    /// Written by another build, or for other bytes, rules or name.
    Key,
    /// The checksum matched but the content did not read as a template.
    Content,
}

/// The template in a cache's bytes, if they are intact and were written by this build for `key`.
pub fn decode(key: &Key<'_>, bytes: &[u8]) -> Result<Template, Rejected> {
    let (body, digest) = bytes
        .split_at_checked(bytes.len().checked_sub(32).ok_or(Rejected::Checksum)?)
        .ok_or(Rejected::Checksum)?;
    if Sha256::digest(body).as_slice() != digest {
        return Err(Rejected::Checksum);
    }
    let rest = body.strip_prefix(MAGIC).ok_or(Rejected::Format)?;
    let mut r = Reader::new(rest);
    if u32::get(&mut r) != Some(FORMAT) {
        return Err(Rejected::Format);
    }
    let mut want = Vec::new();
    key.put(&mut want);
    let mut expect = Reader::new(&want);
    // The key is compared field by field as written (each a length-prefixed string or an int).
    let same = String::get(&mut r) == String::get(&mut expect)
        && String::get(&mut r) == String::get(&mut expect)
        && bool::get(&mut r) == bool::get(&mut expect)
        && u32::get(&mut r) == u32::get(&mut expect)
        && String::get(&mut r) == String::get(&mut expect);
    if !same {
        return Err(Rejected::Key);
    }
    let template = Template::get(&mut r).ok_or(Rejected::Content)?;
    if !r.is_empty() {
        return Err(Rejected::Content);
    }
    Ok(template)
}

/// Reads the run dir's cache for `key`. `None` (and a log line saying why) when there is none or
/// it cannot be used; never an error.
pub fn load(rundir: &Dir, key: &Key<'_>) -> Option<Template> {
    let bytes = match rundir.read_file(FILE, MAX_CACHE) {
        Ok(Some(b)) => b,
        Ok(None) => return None,
        Err(e) => {
            tracing::info!("{}: not used: {e}", rundir.join(FILE).display());
            return None;
        }
    };
    match decode(key, &bytes) {
        Ok(t) => Some(t),
        Err(why) => {
            tracing::info!(
                "{}: not used ({why:?}); the template copy is parsed",
                rundir.join(FILE).display()
            );
            None
        }
    }
}

/// Writes the run dir's cache for `template` (parsed as `key` says), replacing what is there —
/// unless something other than a regular file is there (a planted link or FIFO is left alone).
/// A cache that cannot be written is only logged.
pub fn store(rundir: &Dir, key: &Key<'_>, template: &Template) {
    match rundir.lstat(FILE) {
        Ok(None) => {}
        Ok(Some(st)) if st.st_mode & 0o170000 == 0o100000 => {}
        Ok(Some(_)) | Err(_) => {
            tracing::info!(
                "{}: not a regular file; no template cache written",
                rundir.join(FILE).display()
            );
            return;
        }
    }
    if let Err(e) = rundir.replace_unsynced(FILE, &encode(key, template)) {
        tracing::info!("template cache not written: {e}");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SAMPLE: &str = "---\ntitle: Cache sample\nsecrets: TOKEN\n---\n\n\
        **Deployment Date:** December 10, 2024\n**Deployment Time:** 08:00 AM UTC+7\n\n\
        Intro with `code`, **bold**, *em*, ~~gone~~ and a [link](https://example.org).\n\n\
        ## 08:00 - 09:00 CET Prepare (Day 2)\n\n\
        - [ ] Deploy {{ VERSION }} to `prod`  \n  second line\n  ```bash danger timeout=90s\n  echo hi\n  ```\n\
        - [x] Pre-checked\n  - [ ] Nested child\n\
        - Database\n  - [ ] Grouped under a bullet\n\n\
        > - [ ] Quoted task\n\n\
        | Step | Status | Owner | Last Success |\n|:--|:-:|--:|---|\n| Backup | ⬜ | IT | |\n\n\
        | A | B |\n|---|---|\n| plain | table |\n\n\
        ## T-30 min Go/No-Go\n\n**GO/NO-GO:** proceed?\n\n\
        **Deployment Lead:** [Name] ________ Date: ____\n\n\
        ## 2024-12-10 23:00 Europe/Berlin Late\n\n1. Numbered\n2. Steps\n";

    fn key<'a>(sha: &'a str) -> Key<'a> {
        Key {
            sha256: sha,
            steps: false,
            rules: crate::template::LOADER_RULES,
            name: "sample.md",
        }
    }

    #[test]
    fn a_template_reads_back_equal() {
        let t = crate::template::parse_str("sample.md", SAMPLE).unwrap();
        assert!(t.items.len() > 5, "{:?}", t.items);
        let bytes = encode(&key("abc"), &t);
        assert_eq!(decode(&key("abc"), &bytes).unwrap(), t);
    }

    #[test]
    fn another_key_or_a_flipped_byte_is_rejected() {
        let t = crate::template::parse_str("sample.md", SAMPLE).unwrap();
        let bytes = encode(&key("abc"), &t);
        assert_eq!(decode(&key("abd"), &bytes), Err(Rejected::Key));
        let other = Key {
            rules: 1,
            ..key("abc")
        };
        assert_eq!(decode(&other, &bytes), Err(Rejected::Key));
        let steps = Key {
            steps: true,
            ..key("abc")
        };
        assert_eq!(decode(&steps, &bytes), Err(Rejected::Key));
        for pos in [0, 30, bytes.len() / 2, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[pos] ^= 0x10;
            assert_eq!(decode(&key("abc"), &bad), Err(Rejected::Checksum), "{pos}");
        }
        assert_eq!(
            decode(&key("abc"), &bytes[..bytes.len() - 40]),
            Err(Rejected::Checksum)
        );
        assert_eq!(decode(&key("abc"), b""), Err(Rejected::Checksum));
    }

    #[test]
    fn another_build_is_rejected() {
        let t = crate::template::parse_str("sample.md", SAMPLE).unwrap();
        let mut body = MAGIC.to_vec();
        FORMAT.put(&mut body);
        "some-other-build".put(&mut body);
        let k = key("abc");
        k.sha256.put(&mut body);
        k.steps.put(&mut body);
        k.rules.put(&mut body);
        k.name.put(&mut body);
        t.put(&mut body);
        let d = Sha256::digest(&body);
        body.extend_from_slice(&d);
        assert_eq!(decode(&k, &body), Err(Rejected::Key));
    }

    #[test]
    fn content_that_does_not_read_is_rejected_after_a_good_checksum() {
        let mut body = MAGIC.to_vec();
        FORMAT.put(&mut body);
        key("abc").put(&mut body);
        body.extend_from_slice(&[0xff; 40]);
        let d = Sha256::digest(&body);
        body.extend_from_slice(&d);
        assert_eq!(decode(&key("abc"), &body), Err(Rejected::Content));
    }
}
