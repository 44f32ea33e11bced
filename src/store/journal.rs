//! `journal.jsonl`: scanning lines into events, checking the chain, spotting a torn last line.

use super::StoreError;
use crate::run::event::{Event, GENESIS, line_body_hash};
use std::path::Path;

/// A partial last line: bytes after the last newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Torn {
    /// Byte offset where it starts.
    pub offset: u64,
    /// Its length in bytes.
    pub len: u64,
    /// Its 1-based line number.
    pub line: usize,
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// `seq` of the first event that does not check (or the expected seq of an unreadable line).
    pub seq: u64,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Events read from a stretch of journal.
#[derive(Debug, Default)]
pub struct Scan {
    /// Complete, parsed events.
    pub events: Vec<Event>,
    /// Bytes consumed (up to and including the last newline).
    pub consumed: u64,
    /// A partial last line, if any.
    pub torn: Option<Torn>,
    /// The first chain break (or unreadable line), if any.
    pub broken: Option<Break>,
    /// Lines that could not be parsed (skipped).
    pub unreadable: Vec<StoreError>,
}

/// The position the scan starts from.
#[derive(Debug, Clone)]
pub struct Cursor {
    /// Byte offset in the file of `bytes[0]`.
    pub offset: u64,
    /// 1-based line number of the first line.
    pub line: usize,
    /// `seq` expected next.
    pub next_seq: u64,
    /// `hash` expected as `prev` next.
    pub prev: String,
}

impl Cursor {
    /// The start of a journal.
    pub fn start() -> Cursor {
        Cursor {
            offset: 0,
            line: 1,
            next_seq: 1,
            prev: GENESIS.to_owned(),
        }
    }
}

/// Scans `bytes` (the journal from `cur.offset` on). With `check_hashes`, every line's hash is
/// recomputed; links (`seq`, `prev`) are always checked. A trailing partial line is reported in
/// `torn`, never parsed.
pub fn scan(path: &Path, bytes: &[u8], cur: &mut Cursor, check_hashes: bool) -> Scan {
    let mut out = Scan::default();
    let mut pos = 0usize;
    while pos < bytes.len() {
        let Some(nl) = memchr_newline(&bytes[pos..]) else {
            out.torn = Some(Torn {
                offset: cur.offset + pos as u64,
                len: (bytes.len() - pos) as u64,
                line: cur.line,
            });
            break;
        };
        let line = &bytes[pos..pos + nl];
        let line_no = cur.line;
        pos += nl + 1;
        cur.line += 1;
        match serde_json::from_slice::<Event>(line) {
            Ok(ev) => {
                if out.broken.is_none() {
                    let problem = if ev.seq != cur.next_seq {
                        Some(format!(
                            "seq {} where {} was expected",
                            ev.seq, cur.next_seq
                        ))
                    } else if ev.prev != cur.prev {
                        Some("prev does not match the previous event's hash".to_owned())
                    } else if check_hashes
                        && line_body_hash(line).as_deref() != Some(ev.hash.as_str())
                    {
                        Some("hash does not match the event's content".to_owned())
                    } else {
                        None
                    };
                    if let Some(message) = problem {
                        out.broken = Some(Break {
                            seq: ev.seq.min(cur.next_seq),
                            line: line_no,
                            message,
                        });
                    }
                }
                cur.next_seq = ev.seq + 1;
                cur.prev.clone_from(&ev.hash);
                out.events.push(ev);
            }
            Err(e) => {
                if out.broken.is_none() {
                    out.broken = Some(Break {
                        seq: cur.next_seq,
                        line: line_no,
                        message: format!("not a valid event: {e}"),
                    });
                }
                out.unreadable.push(StoreError::Parse {
                    path: path.to_owned(),
                    line: line_no,
                    column: e.column(),
                    message: e.to_string(),
                });
                cur.next_seq += 1;
            }
        }
    }
    out.consumed = pos as u64;
    cur.offset += pos as u64;
    out
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}
