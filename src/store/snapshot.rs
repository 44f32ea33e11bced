//! `state.toml`: a human-readable cache of the fold, never the only copy of anything.
//!
//! It records the `seq`, `head` hash and byte length of the journal it covers, and a checksum of the
//! fold so that a hand edit is noticed. Loading uses it only when all of that agrees with the journal;
//! otherwise the journal wins.

use super::StoreError;
use super::safe::Dir;
use crate::run::event::sha256_hex;
use crate::run::{Run, SCHEMA_VERSION};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// File name in the run dir.
pub const FILE: &str = "state.toml";

/// The header: what the snapshot covers and a checksum of the rest of the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    /// Schema version (1 or more; a header without one is damaged).
    #[serde(default)]
    pub schema_version: u32,
    /// Last event covered.
    pub seq: u64,
    /// Its hash.
    pub head: String,
    /// Journal length in bytes up to and including that event's line.
    pub journal_bytes: u64,
    /// SHA-256 of the `[run]` part of the file, byte for byte: detects hand edits and damage.
    pub checksum: String,
}

#[derive(Debug, Deserialize)]
struct Body {
    run: Run,
}

/// What [`render`] writes under `[run]` (borrowed: a big fold is not copied to be written).
#[derive(Serialize)]
struct BodyRef<'a> {
    run: &'a Run,
}

/// A snapshot whose header and checksum are good; the fold is parsed on demand.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The header.
    pub header: Header,
    /// Bytes of the file (for deciding whether parsing it beats replaying the journal).
    pub size: u64,
    text: String,
    body_start: usize,
}

impl Snapshot {
    /// Parses the fold.
    pub fn run(&self, path: &Path) -> Result<Run, StoreError> {
        let body: Body = toml::from_str(&self.text[self.body_start..]).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |sp| {
                line_col(&self.text, self.body_start + sp.start)
            });
            StoreError::Parse {
                path: path.to_owned(),
                line,
                column,
                message: e.message().to_owned(),
            }
        })?;
        if body.run.seq != self.header.seq || body.run.head != self.header.head {
            return Err(StoreError::Parse {
                path: path.to_owned(),
                line: 1,
                column: 1,
                message: "its header and its [run] part disagree".to_owned(),
            });
        }
        Ok(body.run)
    }
}

/// What reading `state.toml` gave.
#[derive(Debug)]
pub enum Loaded {
    /// No file.
    Missing,
    /// Header read and checksum good.
    Ok(Box<Snapshot>),
    /// An older schema (1 or more, below ours): ignored, rebuilt from the journal and rewritten at
    /// the next save.
    Older(u32),
    /// A newer schema: the run opens read-only.
    Newer(u32),
    /// Unreadable, or edited by hand: ignored, and left untouched until `repair-state`.
    Damaged(StoreError),
}

/// Serialises a snapshot of `run`, covering `journal_bytes` bytes of journal: the header (with
/// the comment lines) and the `[run]` part, to be written one after the other.
pub fn render_parts(run: &Run, journal_bytes: u64) -> Result<(String, String), StoreError> {
    let err = |e: toml::ser::Error| StoreError::Invalid(format!("serialising state.toml: {e}"));
    let body = toml::to_string(&BodyRef { run }).map_err(err)?;
    let header = toml::to_string(&Header {
        schema_version: SCHEMA_VERSION,
        seq: run.seq,
        head: run.head.clone(),
        journal_bytes,
        checksum: sha256_hex(body.as_bytes()),
    })
    .map_err(err)?;
    Ok((
        format!(
            "# runsheet run state: a cache of the fold of journal.jsonl, which wins if they disagree.\n\
             # Do not edit: `runsheet repair-state RUN` rebuilds it from the journal.\n{header}\n"
        ),
        body,
    ))
}

/// [`render_parts`] as one string.
pub fn render(run: &Run, journal_bytes: u64) -> Result<String, StoreError> {
    let (head, body) = render_parts(run, journal_bytes)?;
    Ok(head + &body)
}

/// Writes `state.toml` atomically.
pub fn save(dir: &Dir, run: &Run, journal_bytes: u64) -> Result<(), StoreError> {
    let (head, body) = render_parts(run, journal_bytes)?;
    dir.replace_parts(FILE, &[head.as_bytes(), body.as_bytes()])
}

/// Largest `state.toml` read (1 GiB): a snapshot of a very long run is large, but not that large.
pub const MAX_BYTES: u64 = 1 << 30;

fn declared_version(text: &str) -> Option<u32> {
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            break;
        }
        if let Some(rest) = t.strip_prefix("schema_version") {
            return rest.trim_start().strip_prefix('=')?.trim().parse().ok();
        }
    }
    None
}

/// `seq` and `head` from the header of `dir/state.toml`, reading only its first 4 KiB (to see
/// whether a save would change anything, without reading a big snapshot whole).
pub fn peek(dir: &Dir) -> Option<(u64, String)> {
    use std::io::Read;
    let f = dir.open_file(FILE, super::safe::Access::Read).ok()??;
    let mut buf = Vec::with_capacity(4096);
    f.take(4096).read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    let mut seq = None;
    let mut head = None;
    for line in text.lines() {
        if line.starts_with('[') {
            break;
        }
        if let Some(v) = line.strip_prefix("seq = ") {
            seq = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("head = ") {
            head = Some(v.trim().trim_matches('"').to_owned());
        }
    }
    Some((seq?, head?))
}

/// Line and column (1-based) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}

/// Reads `dir/state.toml`: header and checksum only (the fold is parsed by [`Snapshot::run`]).
/// A FIFO, device, directory or link there is reported as damage, never opened.
pub fn load(dir: &Dir) -> Loaded {
    let path: PathBuf = dir.join(FILE);
    let bytes = match dir.read_file(FILE, MAX_BYTES) {
        Ok(Some(b)) => b,
        Ok(None) => return Loaded::Missing,
        Err(e) => return Loaded::Damaged(e),
    };
    let size = bytes.len() as u64;
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let (line, column) = line_col(&String::from_utf8_lossy(&bytes[..at]), at);
        return Loaded::Damaged(StoreError::Parse {
            path,
            line,
            column,
            message: format!("NUL bytes from byte {at}: a zero-filled or sparse region, not TOML"),
        });
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let (line, column) = line_col(&String::from_utf8_lossy(&e.as_bytes()[..valid]), valid);
            return Loaded::Damaged(StoreError::Parse {
                path,
                line,
                column,
                message: "not valid UTF-8".to_owned(),
            });
        }
    };
    match declared_version(&text) {
        Some(v) if v > SCHEMA_VERSION => return Loaded::Newer(v),
        Some(v) if (1..SCHEMA_VERSION).contains(&v) => return Loaded::Older(v),
        Some(SCHEMA_VERSION) => {}
        _ => {
            // Every state.toml runsheet ever wrote declares a schema_version of 1 or more.
            let at = text.find("schema_version").unwrap_or(0);
            let (line, column) = line_col(&text, at);
            return Loaded::Damaged(StoreError::Parse {
                path,
                line,
                column,
                message:
                    "no valid schema_version in its header: damaged, or not written by runsheet"
                        .to_owned(),
            });
        }
    }
    let body_start = if text.starts_with("[run]") {
        0
    } else {
        text.find("\n[run]").map_or(text.len(), |p| p + 1)
    };
    let header: Header = match toml::from_str(&text[..body_start]) {
        Ok(h) => h,
        Err(e) => {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
            return Loaded::Damaged(StoreError::Parse {
                path,
                line,
                column,
                message: e.message().to_owned(),
            });
        }
    };
    if body_start == text.len() || header.checksum != sha256_hex(&text.as_bytes()[body_start..]) {
        let (line, column) = line_col(&text, body_start);
        return Loaded::Damaged(StoreError::Parse {
            path,
            line,
            column,
            message: "edited by hand or damaged: the checksum of its [run] part does not match"
                .to_owned(),
        });
    }
    // The header is not covered by the checksum: it must say what its [run] part says.
    let body = &text[body_start..];
    if body_claims(body) != Some((header.seq, header.head.as_str())) {
        let (line, column) = line_col(&text, body_start);
        return Loaded::Damaged(StoreError::Parse {
            path,
            line,
            column,
            message: format!(
                "its header (seq {}) and its [run] part disagree: damaged or edited by hand",
                header.seq
            ),
        });
    }
    Loaded::Ok(Box::new(Snapshot {
        header,
        size,
        text,
        body_start,
    }))
}

/// `seq` and `head` as the `[run]` table states them (its own keys, before any sub-table), read
/// without parsing the rest.
fn body_claims(body: &str) -> Option<(u64, &str)> {
    let mut seq = None;
    let mut head = None;
    for line in body.lines().skip(1) {
        if line.starts_with('[') {
            break;
        }
        if let Some(v) = line.strip_prefix("seq = ") {
            seq = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("head = ") {
            head = v.trim().strip_prefix('"')?.strip_suffix('"');
        }
    }
    Some((seq?, head?))
}
