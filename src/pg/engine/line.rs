//! One event row: the insert, intent ids, and the client-side check of a line read back (the
//! database checks the chain too; a client that checks it as well notices a rewritten history).

use crate::pg::error::SharedError;
use crate::run::event::{Event, sha256_hex};
use std::time::Duration;

/// The conditional insert at head + 1. Its constraints decide: `events_pkey` (someone appended
/// first), `events_intent` (our own earlier try committed), `events_chain` (wrong head).
/// It takes the run's advisory lock shared for its own statement (`$7`, `$8`: see
/// `append::lock_key`) and writes nothing while someone holds it exclusively for a fair turn.
pub const INSERT_EVENT: &str = "INSERT INTO runsheet.events (run_id, seq, prev, hash, line, intent_id) \
                                SELECT $1, $2, $3, $4, $5, ($6::text)::uuid \
                                WHERE pg_try_advisory_xact_lock_shared($7::int4, $8::int4)";

/// The same insert for a writer holding the run's lock exclusively (its fair turn), or creating
/// the run: no lock test (a holder's own shared request fails while another client waits).
pub const INSERT_PLAIN: &str = "INSERT INTO runsheet.events (run_id, seq, prev, hash, line, intent_id) \
                                VALUES ($1, $2, $3, $4, $5, ($6::text)::uuid)";

/// The events of a run from `seq` on (the first one confirms our head).
pub const EVENTS_FROM: &str = "SELECT seq, line, intent_id::text FROM runsheet.events \
                               WHERE run_id = $1 AND seq >= $2 ORDER BY seq";

/// A fresh random (version 4) intent id.
pub fn new_intent_id() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b = (nanos ^ (u128::from(std::process::id()) << 64)).to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid(&b)
}

/// The intent id of an imported event: derived from its hash, so pushing twice cannot duplicate.
pub fn import_intent_id(hash: &str) -> String {
    let h = sha256_hex(format!("runsheet-import:{hash}").as_bytes());
    let mut b = [0u8; 16];
    for (i, byte) in b.iter_mut().enumerate() {
        *byte = u8::from_str_radix(h.get(i * 2..i * 2 + 2).unwrap_or("00"), 16).unwrap_or(0);
    }
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid(&b)
}

fn uuid(b: &[u8; 16]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Parses a line read from the database and checks it follows `(seq - 1, prev)`.
pub fn check(run_id: &str, seq: u64, prev: &str, line: &str) -> Result<Event, SharedError> {
    let corrupt = |message: String| SharedError::Corrupt {
        run_id: run_id.to_owned(),
        seq,
        message,
    };
    let ev: Event =
        serde_json::from_str(line).map_err(|e| corrupt(format!("not an event: {e}")))?;
    if ev.seq != seq {
        return Err(corrupt(format!("the line says seq {}", ev.seq)));
    }
    if ev.prev != prev {
        return Err(SharedError::Diverged(format!(
            "run {run_id}, seq {seq}: its prev is not the hash of seq {} this client read: the \
             history changed under us (a restore or a failover that lost events, or tampering); \
             nothing more is recorded until you reopen the run and compare",
            seq.saturating_sub(1)
        )));
    }
    if !Event::line_hash_ok(line.as_bytes(), &ev.hash) {
        return Err(corrupt("its hash does not match its content".to_owned()));
    }
    Ok(ev)
}

/// A pause before retry `attempt` (≥ 1) after losing the race for head + 1: none the first time
/// (catching up took a round trip already), then uniform in [0, min(2^attempt, 50)] ms.
pub fn backoff(attempt: u32) -> Duration {
    if attempt <= 1 {
        return Duration::ZERO;
    }
    let cap = 1u64.checked_shl(attempt).unwrap_or(u64::MAX).min(50);
    let mut r = [0u8; 8];
    let _ = getrandom::fill(&mut r);
    Duration::from_millis(u64::from_le_bytes(r) % (cap + 1))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn intent_ids_are_uuids_and_imports_are_stable() {
        let a = new_intent_id();
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert_ne!(a, new_intent_id());
        let h = "ab".repeat(32);
        assert_eq!(import_intent_id(&h), import_intent_id(&h));
        assert_ne!(import_intent_id(&h), import_intent_id(&"cd".repeat(32)));
    }

    #[test]
    fn backoff_is_bounded() {
        assert_eq!(backoff(1), Duration::ZERO);
        for a in 2..40 {
            assert!(backoff(a) <= Duration::from_millis(50));
        }
    }
}
