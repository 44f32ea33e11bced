//! The hash chain: an event sealed onto the previous one (its canonical JSON hashed, `hash` last),
//! and a journal line's hash checked from its bytes.

use super::{Actor, Change, rfc3339};
use chrono::{DateTime, FixedOffset};
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
    by: &'a Actor,
    change: &'a Change,
    prev: &'a str,
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
        let body = serde_json::to_string(&Body {
            seq,
            at,
            by: &by,
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
