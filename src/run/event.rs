//! Events: one change to a run, as appended to `journal.jsonl`, chained by SHA-256.
//!
//! A journal line is the event's canonical JSON (fields in declaration order, no whitespace) with the
//! `hash` field last. `hash` is the SHA-256 of the line's bytes without `,"hash":"…"` (that is, of the
//! canonical JSON of the event minus its hash) and `prev` is the previous event's `hash`, so editing,
//! deleting, swapping or re-hashing any event breaks the chain at that `seq`.

use crate::model::ItemId;
use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// `prev` of the first event of a run.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who made a change: the OS user (from the uid), the host and the display name they chose.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Actor {
    /// OS account name looked up from the effective uid (not `$USER`).
    pub user: String,
    /// Host name.
    pub host: String,
    /// Display name (`--as`, `RUNSHEET_OPERATOR`, config `operator`, or the OS user). A claim.
    pub name: String,
}

impl Actor {
    /// Whether two actors are the same operator for `undo`: same display name and same OS user.
    pub fn same_operator(&self, other: &Actor) -> bool {
        self.user == other.user && self.name == other.name
    }

    /// `Alice (alice@bastion)`, or `alice@bastion` when the name is the OS user.
    pub fn describe(&self) -> String {
        if self.name == self.user {
            format!("{}@{}", self.user, self.host)
        } else {
            format!("{} ({}@{})", self.name, self.user, self.host)
        }
    }
}

/// A gate decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Decision {
    /// Proceed.
    #[serde(rename = "go")]
    Go,
    /// Stop.
    #[serde(rename = "no-go")]
    NoGo,
}

/// An item that lost its place in the template at a re-base, with what was known of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrphanInfo {
    /// Stable id it had.
    pub id: ItemId,
    /// Its text in the old template.
    pub text: String,
    /// Its section title in the old template.
    pub section: String,
}

/// What changed. Serialised as an object tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "RawChange")]
pub enum Change {
    /// The run was created from a template (always `seq` 1).
    Start {
        /// Journal schema version the run was created with.
        schema_version: u32,
        /// Run id (`2026-11-23-deploy-window-7f3a`).
        run_id: String,
        /// Template title.
        title: String,
        /// Optional run name (`--name`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// Absolute path of the original template file.
        template_path: String,
        /// SHA-256 of the template bytes (the copy in the run dir).
        template_sha256: String,
        /// Variable values given at start.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        vars: BTreeMap<String, String>,
        /// `--steps`: numbered steps are items even where the template has checkboxes.
        #[serde(default, skip_serializing_if = "is_false")]
        steps: bool,
        /// The loader rules the run reads its template with (`template::LOADER_RULES` when it
        /// started; runs from before rules were recorded read with rules 1), so its items keep
        /// their ids across upgrades.
        #[serde(default = "rules_v1")]
        rules: u32,
    },
    /// Item done.
    Tick {
        /// Item id.
        item: ItemId,
        /// Optional note attached to the change.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Item back to open.
    Untick {
        /// Item id.
        item: ItemId,
        /// Optional note attached to the change.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Item skipped, with a reason.
    Skip {
        /// Item id.
        item: ItemId,
        /// Why.
        reason: String,
    },
    /// Item not applicable, with a reason.
    Na {
        /// Item id.
        item: ItemId,
        /// Why.
        reason: String,
    },
    /// Item failed, with a note.
    Fail {
        /// Item id.
        item: ItemId,
        /// What happened.
        note: String,
    },
    /// Sign-off item signed.
    Sign {
        /// Item id.
        item: ItemId,
        /// Signer's name.
        signer: String,
        /// Role from the template.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<String>,
    },
    /// Gate decided.
    Gate {
        /// Item id.
        item: ItemId,
        /// GO or NO-GO.
        decision: Decision,
        /// Reason (required for NO-GO).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A note on an item.
    Note {
        /// Item id.
        item: ItemId,
        /// Note text.
        text: String,
    },
    /// A blank cell of a status-table row filled in (`Last Success`, `Notes`).
    Field {
        /// Item id.
        item: ItemId,
        /// Column header, as the template writes it.
        column: String,
        /// What was written in it.
        value: String,
    },
    /// A variable set.
    Set {
        /// Variable name.
        var: String,
        /// Value.
        value: String,
    },
    /// Reverts the change with `seq == target` (the operator's last change).
    Undo {
        /// `seq` of the reverted event.
        target: u64,
    },
    /// The run now follows a changed template.
    Rebase {
        /// Previous template SHA-256.
        from_sha256: String,
        /// New template SHA-256 (its copy is `template-<first 12 hex>.md` in the run dir).
        to_sha256: String,
        /// Items with progress that the new template no longer has.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        orphans: Vec<OrphanInfo>,
    },
    /// The run is complete.
    Finish,
    /// The run was abandoned.
    Abort {
        /// Why.
        reason: String,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The loader rules of a run whose start event does not say (it began before they were recorded).
pub fn rules_v1() -> u32 {
    1
}

/// Event types, for reading.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Start,
    Tick,
    Untick,
    Skip,
    Na,
    Fail,
    Sign,
    Gate,
    Note,
    Field,
    Set,
    Undo,
    Rebase,
    Finish,
    Abort,
}

/// Every field any change has, read in one pass: serde's internally tagged enums buffer each
/// object first, which made replaying a long journal twice as slow.
#[derive(Debug, Deserialize)]
struct RawChange {
    #[serde(rename = "type")]
    kind: Kind,
    schema_version: Option<u32>,
    run_id: Option<String>,
    title: Option<String>,
    name: Option<String>,
    template_path: Option<String>,
    template_sha256: Option<String>,
    vars: Option<BTreeMap<String, String>>,
    steps: Option<bool>,
    rules: Option<u32>,
    item: Option<ItemId>,
    note: Option<String>,
    reason: Option<String>,
    signer: Option<String>,
    role: Option<String>,
    decision: Option<Decision>,
    text: Option<String>,
    var: Option<String>,
    column: Option<String>,
    value: Option<String>,
    target: Option<u64>,
    from_sha256: Option<String>,
    to_sha256: Option<String>,
    orphans: Option<Vec<OrphanInfo>>,
}

fn need<T>(v: Option<T>, field: &str, kind: Kind) -> Result<T, String> {
    v.ok_or_else(|| format!("a `{kind:?}` change needs `{field}`").to_lowercase())
}

impl TryFrom<RawChange> for Change {
    type Error = String;

    fn try_from(r: RawChange) -> Result<Change, String> {
        let k = r.kind;
        let item = |i: Option<ItemId>| need(i, "item", k);
        Ok(match k {
            Kind::Start => Change::Start {
                schema_version: need(r.schema_version, "schema_version", k)?,
                run_id: need(r.run_id, "run_id", k)?,
                title: need(r.title, "title", k)?,
                name: r.name,
                template_path: need(r.template_path, "template_path", k)?,
                template_sha256: need(r.template_sha256, "template_sha256", k)?,
                vars: r.vars.unwrap_or_default(),
                steps: r.steps.unwrap_or(false),
                rules: r.rules.unwrap_or_else(rules_v1),
            },
            Kind::Tick => Change::Tick {
                item: item(r.item)?,
                note: r.note,
            },
            Kind::Untick => Change::Untick {
                item: item(r.item)?,
                note: r.note,
            },
            Kind::Skip => Change::Skip {
                item: item(r.item)?,
                reason: need(r.reason, "reason", k)?,
            },
            Kind::Na => Change::Na {
                item: item(r.item)?,
                reason: need(r.reason, "reason", k)?,
            },
            Kind::Fail => Change::Fail {
                item: item(r.item)?,
                note: need(r.note, "note", k)?,
            },
            Kind::Sign => Change::Sign {
                item: item(r.item)?,
                signer: need(r.signer, "signer", k)?,
                role: r.role,
            },
            Kind::Gate => Change::Gate {
                item: item(r.item)?,
                decision: need(r.decision, "decision", k)?,
                reason: r.reason,
            },
            Kind::Note => Change::Note {
                item: item(r.item)?,
                text: need(r.text, "text", k)?,
            },
            Kind::Field => Change::Field {
                item: item(r.item)?,
                column: need(r.column, "column", k)?,
                value: need(r.value, "value", k)?,
            },
            Kind::Set => Change::Set {
                var: need(r.var, "var", k)?,
                value: need(r.value, "value", k)?,
            },
            Kind::Undo => Change::Undo {
                target: need(r.target, "target", k)?,
            },
            Kind::Rebase => Change::Rebase {
                from_sha256: need(r.from_sha256, "from_sha256", k)?,
                to_sha256: need(r.to_sha256, "to_sha256", k)?,
                orphans: r.orphans.unwrap_or_default(),
            },
            Kind::Finish => Change::Finish,
            Kind::Abort => Change::Abort {
                reason: need(r.reason, "reason", k)?,
            },
        })
    }
}

impl Change {
    /// The event type as written in the journal (`tick`, `no-go` is a gate decision, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Start { .. } => "start",
            Change::Tick { .. } => "tick",
            Change::Untick { .. } => "untick",
            Change::Skip { .. } => "skip",
            Change::Na { .. } => "na",
            Change::Fail { .. } => "fail",
            Change::Sign { .. } => "sign",
            Change::Gate { .. } => "gate",
            Change::Note { .. } => "note",
            Change::Field { .. } => "field",
            Change::Set { .. } => "set",
            Change::Undo { .. } => "undo",
            Change::Rebase { .. } => "rebase",
            Change::Finish => "finish",
            Change::Abort { .. } => "abort",
        }
    }

    /// The item the change is about, if any.
    pub fn item(&self) -> Option<&ItemId> {
        match self {
            Change::Tick { item, .. }
            | Change::Untick { item, .. }
            | Change::Skip { item, .. }
            | Change::Na { item, .. }
            | Change::Fail { item, .. }
            | Change::Sign { item, .. }
            | Change::Gate { item, .. }
            | Change::Note { item, .. }
            | Change::Field { item, .. } => Some(item),
            _ => None,
        }
    }
}

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

/// Serde for `DateTime<FixedOffset>` as RFC 3339 with microseconds and the offset.
pub mod rfc3339 {
    use chrono::{DateTime, FixedOffset, SecondsFormat};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `2026-11-23T21:04:05.123456+01:00`.
    pub fn serialize<S: Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Micros, false))
    }

    /// Reads any RFC 3339 time.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

/// Formats a time as RFC 3339 with seconds and the offset (for people).
pub fn show_time(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor {
            user: "ops".into(),
            host: "bastion".into(),
            name: "Alice".into(),
        }
    }

    #[test]
    fn seal_then_parse_round_trips_and_hash_checks() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T21:04:05.5+01:00").unwrap();
        let change = Change::Tick {
            item: ItemId("a-1234".into()),
            note: Some("with \"quotes\" and ,\"hash\":\"".into()),
        };
        let (ev, line) = Event::seal(2, at, actor(), change, GENESIS).unwrap();
        assert!(line.ends_with("\"}\n"));
        let parsed: Event = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(parsed, ev);
        assert!(Event::line_hash_ok(line.trim_end().as_bytes(), &ev.hash));
        let mut bad = line.trim_end().as_bytes().to_vec();
        bad[5] ^= 1;
        assert!(!Event::line_hash_ok(&bad, &ev.hash));
    }
}
