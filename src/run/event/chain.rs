//! The hash chain: an event sealed onto the previous one (its canonical JSON hashed, `hash` last),
//! and a journal line's hash checked from its bytes.

use super::{Actor, Change, rfc3339};
use chrono::{DateTime, FixedOffset, SubsecRound};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `prev` of the first event of a run.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One acknowledged change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// 1-based position in the journal.
    pub seq: u64,
    /// When (RFC 3339 with the local offset).
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// Who.
    pub by: Actor,
    /// What.
    pub change: Change,
    /// `hash` of the previous event ([`GENESIS`] for the first).
    pub prev: String,
    /// SHA-256 of this event's canonical JSON without `hash`.
    pub hash: String,
}

#[derive(Serialize)]
struct Body<'a> {
    seq: u64,
    #[serde(with = "rfc3339")]
    at: DateTime<FixedOffset>,
    by: By<'a>,
    change: &'a Change,
    prev: &'a str,
}

/// `by` as written: the [`Actor`]'s fields in their order, plus the authenticated database role
/// when the event was recorded on a shared store. The file store never writes `db_role`, so its
/// lines are exactly what they were before shared stores existed.
#[derive(Serialize)]
struct By<'a> {
    user: &'a str,
    host: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    db_role: Option<&'a str>,
}

#[derive(Deserialize)]
struct RoleOnly<'a> {
    #[serde(borrow)]
    by: ByRole<'a>,
}

#[derive(Deserialize)]
struct ByRole<'a> {
    #[serde(default, borrow)]
    db_role: Option<std::borrow::Cow<'a, str>>,
}

/// The database role sealed in a journal line's `by.db_role` (events recorded on a shared store),
/// or `None` (file-store events, or a line that does not parse).
pub fn line_db_role(line: &str) -> Option<String> {
    serde_json::from_str::<RoleOnly<'_>>(line)
        .ok()?
        .by
        .db_role
        .map(std::borrow::Cow::into_owned)
}

/// A journal line read for a replay: `prev` and `hash` are required (and must be strings: the
/// scanner found them where `seal` writes them) but not copied out; the scanner has compared both.
#[derive(Deserialize)]
struct Lean {
    seq: u64,
    #[serde(with = "rfc3339")]
    at: DateTime<FixedOffset>,
    by: Actor,
    change: Change,
    #[serde(rename = "prev")]
    _prev: serde::de::IgnoredAny,
    #[serde(rename = "hash")]
    _hash: serde::de::IgnoredAny,
}

const HASH_KEY: &str = ",\"hash\":\"";

impl Event {
    /// Builds the event that follows `prev` (hash computed), and its journal line (with `\n`).
    pub fn seal(
        seq: u64,
        at: DateTime<FixedOffset>,
        by: Actor,
        change: Change,
        prev: &str,
    ) -> Result<(Event, String), serde_json::Error> {
        Event::seal_as(seq, at, by, None, change, prev)
    }

    /// [`Event::seal`] recording the authenticated database role in `by.db_role` (shared stores).
    /// With `db_role: None` the line is exactly what [`Event::seal`] writes.
    pub fn seal_as(
        seq: u64,
        at: DateTime<FixedOffset>,
        by: Actor,
        db_role: Option<&str>,
        change: Change,
        prev: &str,
    ) -> Result<(Event, String), serde_json::Error> {
        // The line keeps microseconds: so does the event, or the writer's fold would differ from
        // every reader's (and from its own after a reopen).
        let at = at.trunc_subsecs(6);
        let body = serde_json::to_string(&Body {
            seq,
            at,
            by: By {
                user: &by.user,
                host: &by.host,
                name: &by.name,
                db_role,
            },
            change: &change,
            prev,
        })?;
        let hash = sha256_hex(body.as_bytes());
        let mut line = String::with_capacity(body.len() + HASH_KEY.len() + 68);
        line.push_str(&body[..body.len() - 1]);
        line.push_str(HASH_KEY);
        line.push_str(&hash);
        line.push_str("\"}\n");
        let event = Event {
            seq,
            at,
            by,
            change,
            prev: prev.to_owned(),
            hash,
        };
        Ok((event, line))
    }

    /// Decodes a journal line as [`serde_json::from_slice`] does, except that `prev` and `hash`
    /// are left empty (the caller has them from the line: `store::journal::chain_fields`). The
    /// same lines are accepted and rejected.
    pub(crate) fn decode_lean(line: &[u8]) -> Result<Event, serde_json::Error> {
        match super::fast::decode_lean(line) {
            Some(ev) => Ok(ev),
            None => Event::decode_lean_serde(line),
        }
    }

    /// [`Event::decode_lean`] through serde only (the reference the fast reader is checked
    /// against).
    pub(crate) fn decode_lean_serde(line: &[u8]) -> Result<Event, serde_json::Error> {
        let l: Lean = serde_json::from_slice(line)?;
        Ok(Event {
            seq: l.seq,
            at: l.at,
            by: l.by,
            change: l.change,
            prev: String::new(),
            hash: String::new(),
        })
    }

    /// Whether `hash` matches the line's bytes (`line` without its trailing newline).
    pub fn line_hash_ok(line: &[u8], hash: &str) -> bool {
        line_body_hash(line).is_some_and(|h| h == hash)
    }
}

/// SHA-256 of a journal line's body (the line minus its `hash` field), or `None` if the line does not
/// end with a `hash` field.
pub fn line_body_hash(line: &[u8]) -> Option<String> {
    let key = HASH_KEY.as_bytes();
    if line.len() < key.len() + 66 || !line.ends_with(b"\"}") {
        return None;
    }
    let pos = line.len() - 2 - 64 - key.len();
    if &line[pos..pos + key.len()] != key {
        return None;
    }
    let mut h = Sha256::new();
    h.update(&line[..pos]);
    h.update(b"}");
    Some(hex(&h.finalize()))
}

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}
