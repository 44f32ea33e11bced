//! `journal.jsonl`, streamed: every line's links (`seq`, `prev`) and hash are checked, events are
//! handed over one at a time (memory does not grow with the journal), and damage — an unreadable
//! line, a broken link, a hash that does not match, NUL bytes, an over-long line — is reported with
//! its line and byte offset. A partial last line (no newline) is reported apart, as [`Torn`].

use super::StoreError;
use crate::run::event::{Event, GENESIS};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Longest journal line read (8 MiB): an event is a few hundred bytes; a longer "line" is damage
/// (a NUL-filled or sparse region has no newlines at all).
pub const MAX_LINE: usize = 8 << 20;

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

/// Where the journal is first damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// `seq` expected on the damaged line.
    pub seq: u64,
    /// 1-based line.
    pub line: usize,
    /// Byte offset where the damaged line starts.
    pub offset: u64,
    /// `hash` of the last line before it that checks (what its `prev` should have been).
    pub prev: String,
    /// What is wrong.
    pub message: String,
}

/// The position a scan starts from.
#[derive(Debug, Clone)]
pub struct Cursor {
    /// Byte offset in the file.
    pub offset: u64,
    /// 1-based line number of the next line.
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

/// A streaming check of a journal from a [`Cursor`].
#[derive(Debug)]
pub struct Scanner {
    path: PathBuf,
    /// Where the next line starts (complete lines only).
    pub cur: Cursor,
    /// Lines that end at or before this offset are checked (links, hash) but not parsed: a
    /// snapshot already holds their fold.
    parse_from: u64,
    /// The offset whose line end is watched ([`Scanner::at_boundary`]).
    boundary: u64,
    /// The `seq` whose line is watched ([`Scanner::seen`]).
    watch_seq: u64,
    /// `seq` of the last event handed over (events are handed over in increasing `seq` only).
    last_delivered: u64,
    /// The first damage found.
    pub broken: Option<Break>,
    /// Damaged lines found (the first is `broken`).
    pub damaged_lines: usize,
    /// A partial last line (no NUL bytes in it).
    pub torn: Option<Torn>,
    /// `seq` and `hash` of the line ending exactly at the watched boundary, if one does.
    pub at_boundary: Option<(u64, String)>,
    /// `hash` of the (first) line with the watched `seq`, wherever it is.
    pub seen: Option<String>,
    /// Complete events checked.
    pub events: u64,
    /// Events are handed over without `prev` and `hash` ([`Scanner::lean`]).
    lean: bool,
    /// Reading stopped before the end (an over-long line): the rest was not checked.
    pub stopped: bool,
}

impl Scanner {
    /// A scan of the journal at `path` continuing from `cur`, parsing every line.
    pub fn new(path: &Path, cur: Cursor) -> Scanner {
        let last_delivered = cur.next_seq.saturating_sub(1);
        Scanner {
            path: path.to_owned(),
            cur,
            parse_from: 0,
            boundary: u64::MAX,
            watch_seq: 0,
            last_delivered,
            broken: None,
            damaged_lines: 0,
            torn: None,
            at_boundary: None,
            seen: None,
            events: 0,
            stopped: false,
            lean: false,
        }
    }

    /// Hands events over with `prev` and `hash` left empty: the line handed over beside each
    /// holds them ([`chain_fields`]), and both were checked. Saves two strings per event in a
    /// replay; the same lines are delivered, and the same damage found.
    pub fn lean(mut self) -> Scanner {
        self.lean = true;
        self
    }

    /// Lines ending at or before `offset` are checked but neither parsed nor handed over (their fold
    /// comes from a snapshot); the line ending at `offset` is watched.
    pub fn skip_parse_until(mut self, offset: u64) -> Scanner {
        self.parse_from = offset;
        self.boundary = offset;
        self
    }

    /// Watches the line that ends at `offset` (the end a snapshot records).
    pub fn watch_boundary(mut self, offset: u64) -> Scanner {
        self.boundary = offset;
        self
    }

    /// Watches the line with `seq` (the last event a snapshot records), wherever it is.
    pub fn watch_seq(mut self, seq: u64) -> Scanner {
        self.watch_seq = seq;
        self
    }

    /// Reads `r` (the journal from `self.cur.offset` on) to its end, handing every event whose line
    /// checks (its own hash matches) and whose `seq` follows the last one handed over to `on_event`.
    pub fn feed<R: Read>(
        &mut self,
        r: R,
        mut on_event: impl FnMut(Event, &[u8]),
    ) -> Result<(), StoreError> {
        let mut r = BufReader::with_capacity(256 * 1024, r);
        // A line is checked where it lies in the read buffer; only a line split across two reads
        // is copied (into `line`).
        let mut line = Vec::new();
        loop {
            let buf = r
                .fill_buf()
                .map_err(StoreError::io("reading", &self.path))?;
            if buf.is_empty() {
                if !line.is_empty() {
                    self.tail(&line);
                }
                return Ok(());
            }
            let Some(i) = memchr::memchr(b'\n', buf) else {
                let n = buf.len();
                line.extend_from_slice(buf);
                r.consume(n);
                if line.len() > MAX_LINE {
                    self.too_long(&line);
                    return Ok(());
                }
                continue;
            };
            if line.len() + i > MAX_LINE {
                line.extend_from_slice(&buf[..i]);
                self.too_long(&line);
                return Ok(());
            }
            if line.is_empty() {
                self.complete(&buf[..i], &mut on_event);
            } else {
                line.extend_from_slice(&buf[..i]);
                self.complete(&line, &mut on_event);
                line.clear();
            }
            r.consume(i + 1);
        }
    }

    /// More than [`MAX_LINE`] bytes without a newline: damage, and the rest is not read.
    fn too_long(&mut self, bytes: &[u8]) {
        let nul = memchr::memchr(0, bytes.get(..=MAX_LINE).unwrap_or(bytes)).is_some();
        self.damage(
            self.cur.line,
            self.cur.offset,
            format!(
                "more than {} MiB without a newline{}: not a journal line; the rest of the file \
                 is not read",
                MAX_LINE >> 20,
                if nul {
                    ", with NUL bytes (a zero-filled or sparse region)"
                } else {
                    ""
                }
            ),
        );
        self.stopped = true;
    }

    fn damage(&mut self, line: usize, offset: u64, message: String) {
        self.damaged_lines += 1;
        if self.broken.is_none() {
            self.broken = Some(Break {
                seq: self.cur.next_seq,
                line,
                offset,
                prev: self.cur.prev.clone(),
                message,
            });
        }
    }

    fn tail(&mut self, bytes: &[u8]) {
        if let Some(at) = memchr::memchr(0, bytes) {
            let (line, offset) = (self.cur.line, self.cur.offset);
            self.damage(
                line,
                offset,
                format!(
                    "the journal ends with {} bytes without a newline that contain NUL bytes (from \
                     byte {}): a zero-filled or sparse region, not a line a writer was cut off in",
                    bytes.len(),
                    offset + at as u64
                ),
            );
            return;
        }
        self.torn = Some(Torn {
            offset: self.cur.offset,
            len: bytes.len() as u64,
            line: self.cur.line,
        });
    }

    fn complete(&mut self, line: &[u8], on_event: &mut impl FnMut(Event, &[u8])) {
        let line_no = self.cur.line;
        let start = self.cur.offset;
        let end = start + line.len() as u64 + 1;
        self.cur.line += 1;
        self.cur.offset = end;
        if let Some(at) = memchr::memchr(0, line) {
            self.damage(
                line_no,
                start,
                format!(
                    "NUL bytes (from byte {}): a zero-filled or sparse region, the disk lost data \
                     here",
                    start + at as u64
                ),
            );
            return;
        }
        let Some((seq, prev, hash)) = chain_fields(line) else {
            let why = match serde_json::from_slice::<Event>(line) {
                Err(e) => format!("not a valid event: {e}"),
                Ok(_) => {
                    "not in the journal's canonical form (rewritten by another tool?)".to_owned()
                }
            };
            self.damage(line_no, start, why);
            return;
        };
        let expected = self.cur.next_seq;
        let link = if seq != expected {
            Some(format!("seq {seq} where {expected} was expected"))
        } else if prev != self.cur.prev.as_bytes() {
            Some("prev does not match the previous event's hash".to_owned())
        } else {
            None
        };
        let hash_ok = body_digest_matches(line, hash);
        // Hex when it checks; anything else fails the next line's link check.
        let hash = std::str::from_utf8(hash).unwrap_or_default();
        self.events += 1;
        if let Some(m) = link {
            self.damage(line_no, start, m);
        }
        if !hash_ok {
            self.damage(
                line_no,
                start,
                format!("seq {seq}: its hash does not match its content (the line was changed)"),
            );
        }
        let deliver = hash_ok && seq > self.last_delivered;
        let parsed = if deliver && end > self.parse_from {
            let decoded = if self.lean {
                // `seq` is the line's first field and `hash` its last, where `chain_fields` read
                // them, and `hash` checked as hex: the decoded values are those.
                Event::decode_lean(line).map(|mut ev| {
                    ev.seq = seq;
                    ev
                })
            } else {
                serde_json::from_slice::<Event>(line)
            };
            match decoded {
                Ok(ev) if ev.seq == seq && (self.lean || ev.hash == hash) => Some(ev),
                Ok(_) => {
                    let m = "its fields disagree with its chain fields".to_owned();
                    self.damage(line_no, start, m);
                    None
                }
                Err(e) => {
                    self.damage(line_no, start, format!("not a valid event: {e}"));
                    None
                }
            }
        } else {
            None
        };
        self.cur.next_seq = seq.saturating_add(1);
        if end == self.boundary {
            self.at_boundary = Some((seq, hash.to_owned()));
        }
        if seq == self.watch_seq && self.seen.is_none() {
            self.seen = Some(hash.to_owned());
        }
        self.cur.prev.clear();
        self.cur.prev.push_str(hash);
        if let Some(ev) = parsed {
            self.last_delivered = seq;
            on_event(ev, line);
        } else if deliver && end <= self.parse_from {
            self.last_delivered = seq;
        }
    }
}

/// Whether the SHA-256 of the line's body (the line without `,"hash":"…"`, closed with `}`: see
/// [`line_body_hash`](crate::run::event::line_body_hash)) is `hash` (64 lower-case hex digits), compared as bytes without formatting.
fn body_digest_matches(line: &[u8], hash: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    // `chain_fields` found `","hash":"` + 64 hex + `"}` at the end.
    let Some(body_end) = line.len().checked_sub(2 + 64 + 9) else {
        return false;
    };
    let mut h = Sha256::new();
    h.update(&line[..body_end]);
    h.update(b"}");
    let digest = h.finalize();
    // The digest in lower-case hex, compared as 64 bytes (upper-case or other bytes never match).
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut want = [0u8; 64];
    for (pair, b) in want.chunks_exact_mut(2).zip(digest.iter()) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0xf)];
    }
    hash == want.as_slice()
}

/// `seq`, `prev` and `hash` of a canonical journal line, read from where [`Event::seal`] puts them
/// (`{"seq":N,` … `,"prev":"<64 hex>","hash":"<64 hex>"}`), without parsing the rest.
///
/// [`Event::seal`]: crate::run::event::Event::seal
pub fn chain_fields(line: &[u8]) -> Option<(u64, &[u8], &[u8])> {
    let rest = line.strip_prefix(b"{\"seq\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 19 || rest.get(digits) != Some(&b',') {
        return None;
    }
    let seq: u64 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let tail = line.strip_suffix(b"\"}")?;
    let (before_hash, hash) = tail.split_at_checked(tail.len().checked_sub(64)?)?;
    let before_hash = before_hash.strip_suffix(b"\",\"hash\":\"")?;
    let (before_prev, prev) = before_hash.split_at_checked(before_hash.len().checked_sub(64)?)?;
    before_prev.strip_suffix(b",\"prev\":\"")?;
    // Not checked for hex here: a `hash` that is not hex fails the digest check, a `prev` that is
    // not fails the link check.
    Some((seq, prev, hash))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::run::event::{Actor, Change};

    fn journal(n: u64) -> Vec<u8> {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-23T21:04:05+01:00").unwrap();
        let by = Actor {
            user: "u".into(),
            host: "h".into(),
            name: "n".into(),
        };
        let mut prev = GENESIS.to_owned();
        let mut out = Vec::new();
        for seq in 1..=n {
            let change = Change::Set {
                var: "V".into(),
                value: seq.to_string(),
            };
            let (ev, line) = Event::seal(seq, at, by.clone(), change, &prev).unwrap();
            prev = ev.hash;
            out.extend_from_slice(line.as_bytes());
        }
        out
    }

    fn scan(bytes: &[u8]) -> (Scanner, Vec<u64>) {
        let mut s = Scanner::new(Path::new("j"), Cursor::start());
        let mut seqs = Vec::new();
        s.feed(bytes, |e, _| seqs.push(e.seq)).unwrap();
        (s, seqs)
    }

    #[test]
    fn intact_journal_streams_every_event() {
        let (s, seqs) = scan(&journal(5));
        assert!(s.broken.is_none());
        assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
        assert!(s.torn.is_none());
    }

    #[test]
    fn a_flipped_byte_is_named_by_line_and_its_event_left_out() {
        let mut j = journal(5);
        let starts: Vec<usize> = std::iter::once(0)
            .chain(
                j.iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        j[starts[2] + 40] ^= 0x01;
        let (s, seqs) = scan(&j);
        let b = s.broken.unwrap();
        assert_eq!(b.line, 3);
        assert_eq!(b.offset, starts[2] as u64);
        assert_eq!(seqs, vec![1, 2, 4, 5]);
    }

    #[test]
    fn nul_tail_is_damage_not_a_torn_line() {
        let mut j = journal(3);
        j.extend(std::iter::repeat_n(0u8, 10_000));
        let (s, _) = scan(&j);
        assert!(s.torn.is_none());
        assert!(s.broken.unwrap().message.contains("NUL"));
    }

    #[test]
    fn over_long_line_stops_the_scan() {
        let mut j = journal(2);
        j.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        let (s, seqs) = scan(&j);
        assert!(s.stopped);
        assert_eq!(seqs, vec![1, 2]);
        assert_eq!(s.broken.unwrap().line, 3);
    }

    #[test]
    fn digest_check_agrees_with_line_body_hash() {
        let j = journal(3);
        for line in j.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let (_, _, hash) = chain_fields(line).unwrap();
            let want = crate::run::event::line_body_hash(line).unwrap();
            assert_eq!(hash, want.as_bytes());
            assert!(body_digest_matches(line, hash));
            let mut bad = line.to_vec();
            bad[12] ^= 1;
            assert!(!body_digest_matches(&bad, hash));
        }
    }

    #[test]
    fn a_lean_scan_delivers_what_a_full_one_does_without_the_chain_strings() {
        let mut j = journal(6);
        let starts: Vec<usize> = std::iter::once(0)
            .chain(
                j.iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        // Line 3 changed (its hash no longer checks), line 5 torn off into a partial tail.
        j[starts[2] + 40] ^= 0x01;
        j.truncate(starts[5] - 10);
        let run = |lean: bool| {
            let mut s = Scanner::new(Path::new("j"), Cursor::start());
            if lean {
                s = s.lean();
            }
            let mut got = Vec::new();
            s.feed(j.as_slice(), |e, line| got.push((e, line.to_vec())))
                .unwrap();
            (s, got)
        };
        let (full, full_events) = run(false);
        let (lean, lean_events) = run(true);
        assert_eq!(full.broken, lean.broken);
        assert_eq!(full.torn, lean.torn);
        assert_eq!(full.damaged_lines, lean.damaged_lines);
        assert_eq!(full.cur.prev, lean.cur.prev);
        assert_eq!(lean_events.len(), 3);
        for ((f, fl), (l, ll)) in full_events.iter().zip(&lean_events) {
            assert_eq!(fl, ll);
            assert!(l.prev.is_empty() && l.hash.is_empty());
            let (_, prev, hash) = chain_fields(ll).unwrap();
            assert_eq!((prev, hash), (f.prev.as_bytes(), f.hash.as_bytes()));
            let mut l = l.clone();
            l.prev.clone_from(&f.prev);
            l.hash.clone_from(&f.hash);
            assert_eq!(&l, f);
        }
    }

    #[test]
    fn chain_fields_reads_what_seal_wrote() {
        let j = journal(1);
        let line = &j[..j.len() - 1];
        let (seq, prev, hash) = chain_fields(line).unwrap();
        assert_eq!(seq, 1);
        assert_eq!(prev, GENESIS.as_bytes());
        assert_eq!(hash.len(), 64);
        assert!(chain_fields(b"{\"seq\":1,}").is_none());
    }
}
