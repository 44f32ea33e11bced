//! Events: one change to a run, as appended to `journal.jsonl`, chained by SHA-256.
//!
//! A journal line is the event's canonical JSON (fields in declaration order, no whitespace) with the
//! `hash` field last. `hash` is the SHA-256 of the line's bytes without `,"hash":"…"` (that is, of the
//! canonical JSON of the event minus its hash) and `prev` is the previous event's `hash`, so editing,
//! deleting, swapping or re-hashing any event breaks the chain at that `seq`.
//!
//! This file is the wire schema (`Change`, its kinds in [`kinds`], the fast decoder in `raw`); the
//! hash chain (`seal`, `line_body_hash`, [`GENESIS`]) is in `chain`, [`Actor`] in `actor`, the
//! time format in `time`.

use crate::model::ItemId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod actor;
mod chain;
mod fast;
pub mod kinds;
mod raw;
mod time;

pub use actor::Actor;
pub use chain::{Event, GENESIS, line_body_hash, line_db_role, sha256_hex};
pub use kinds::Kind;
pub use time::{rfc3339, show_time};

use raw::RawChange;

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
        /// their ids across upgrades. Rules 1 is written as no `rules` at all, so the start events
        /// of runs from before rules were recorded keep their canonical form and their hash.
        #[serde(default = "rules_v1", skip_serializing_if = "is_rules_v1")]
        rules: u32,
        /// Whether running items' commands was enabled, and the directory they run in (absent in
        /// runs made before runsheet could run commands).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exec: Option<ExecSetting>,
    },
    /// Item done.
    Tick {
        /// Item id.
        item: ItemId,
        /// Optional note attached to the change.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// The operator confirmed ticking while a NO-GO was unresolved or the run was on HOLD.
        #[serde(default, skip_serializing_if = "is_false")]
        after_no_go: bool,
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
        /// The operator confirmed signing while a NO-GO was unresolved or the run was on HOLD.
        #[serde(default, skip_serializing_if = "is_false")]
        after_no_go: bool,
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
        /// The operator confirmed a GO while a NO-GO was unresolved or the run was on HOLD.
        #[serde(default, skip_serializing_if = "is_false")]
        after_no_go: bool,
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
    Finish {
        /// Why it was finished with failed items or NO-GO decisions (`finish --accept-exceptions`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The exceptions accepted (`1 failed, 1 no-go`), when there were any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exceptions: Option<String>,
    },
    /// The run was abandoned.
    Abort {
        /// Why.
        reason: String,
    },
    /// The window was set or moved.
    Window {
        /// Start (RFC 3339 with the zone's offset at that moment).
        start: String,
        /// Zone the window's clock headings are read in (`Europe/Berlin`, `UTC+01:00`).
        zone: String,
        /// End (RFC 3339), when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end: Option<String>,
        /// Why (`given with --window at start`, `CAB moved the window`).
        reason: String,
    },
    /// The run was put on HOLD.
    Hold {
        /// Why.
        reason: String,
        /// The gate whose NO-GO led to the hold, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gate: Option<ItemId>,
    },
    /// A hold was lifted; the NO-GO decisions before it count as resolved.
    Resume {
        /// Why.
        reason: String,
    },
    /// A partial last line, left by a writer killed during its write (so never acknowledged), was
    /// moved out of the journal by the next writer (under the lock, where only a dead writer can
    /// have left it). The bytes are kept in the run dir.
    TornTail {
        /// Byte offset where the partial line started.
        offset: u64,
        /// Its length in bytes.
        len: u64,
        /// File in the run dir holding it, byte for byte.
        kept_as: String,
        /// SHA-256 of those bytes.
        sha256: String,
    },
    /// The operator repaired a damaged record with `runsheet repair-journal RUN --accept-loss`.
    Repair {
        /// The damage, as it was reported.
        problem: String,
        /// Files in the run dir holding the damaged copies, byte for byte.
        kept: Vec<String>,
        /// Journal lines dropped from the record (from the damaged line on; they are in the copy).
        #[serde(default)]
        dropped_lines: u64,
    },
    /// An item's (or a section's) command started, after the operator confirmed it.
    CommandStarted {
        /// The item, for an item's command.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<ItemId>,
        /// The section key (`exec::section_key`), for a section's command.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        section: Option<String>,
        /// The exact text run, variables substituted, secret values masked.
        command: String,
        /// SHA-256 of `command`.
        command_sha256: String,
        /// Interpreter and its arguments before the text (`/bin/bash -e -c`).
        shell: String,
        /// Directory it runs in.
        cwd: String,
        /// Where its output is kept, relative to the run dir (`outputs/….log`).
        output: String,
        /// Time limit in seconds.
        timeout_secs: u64,
        /// How the operator confirmed it (`prompt`, `--yes`, `code`, …).
        confirmed: String,
        /// 1-based template line of the (first) code block.
        line: usize,
    },
    /// A command started by the `command_started` event `started` ended.
    CommandFinished {
        /// The item, for an item's command.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<ItemId>,
        /// The section key, for a section's command.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        section: Option<String>,
        /// `seq` of its `command_started` event.
        started: u64,
        /// How it ended.
        end: CommandEnd,
        /// Exit status, when it exited.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exit_code: Option<i32>,
        /// Signal number, when a signal ended it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signal: Option<i32>,
        /// Wall-clock milliseconds from spawn to exit.
        duration_ms: u64,
        /// Bytes the command printed (stdout and stderr).
        output_bytes: u64,
        /// Bytes kept in the output file (head and tail when it was huge; sanitised, secrets masked).
        stored_bytes: u64,
        /// SHA-256 of the output file.
        output_sha256: String,
        /// Why it could not start, for `not_started`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The loader rules of a run whose start event does not say (it began before they were recorded).
pub fn rules_v1() -> u32 {
    1
}

fn is_rules_v1(rules: &u32) -> bool {
    *rules == rules_v1()
}

/// Running commands from the checklist, as set when a run was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecSetting {
    /// Whether runsheet may run the run's commands.
    pub enabled: bool,
    /// The directory the run was started from: commands run there unless the template or the
    /// configuration names another.
    pub cwd: String,
    /// What turned running off (`--no-exec`, `config`), when it is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off_by: Option<String>,
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandEnd {
    /// It exited by itself (`exit_code`).
    Exited,
    /// A signal runsheet did not send ended it (`signal`).
    Killed,
    /// The operator interrupted it (Ctrl-C, SIGINT/SIGTERM to `runsheet exec`).
    Interrupted,
    /// Its time limit passed: runsheet sent SIGTERM, then SIGKILL.
    TimedOut,
    /// It could not be started (`error`).
    NotStarted,
}

impl CommandEnd {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandEnd::Exited => "exited",
            CommandEnd::Killed => "killed",
            CommandEnd::Interrupted => "interrupted",
            CommandEnd::TimedOut => "timed_out",
            CommandEnd::NotStarted => "not_started",
        }
    }

    /// Reads the JSON spelling back ([`CommandEnd::as_str`]).
    pub fn parse(s: &str) -> Option<CommandEnd> {
        [
            CommandEnd::Exited,
            CommandEnd::Killed,
            CommandEnd::Interrupted,
            CommandEnd::TimedOut,
            CommandEnd::NotStarted,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

impl Change {
    /// The event type as written in the journal (`tick`, `no-go` is a gate decision, …).
    pub fn kind(&self) -> &'static str {
        self.kind_of().name()
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
            Change::CommandStarted { item, .. } | Change::CommandFinished { item, .. } => {
                item.as_ref()
            }
            _ => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::DateTime;

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
            after_no_go: false,
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

    #[test]
    fn lines_written_before_the_new_fields_read_the_same() {
        // A finish and a tick as an earlier build wrote them: no new fields, same bytes out.
        for old in [
            r#"{"type":"finish"}"#,
            r#"{"type":"tick","item":"a-1"}"#,
            r#"{"type":"gate","item":"g-1","decision":"go"}"#,
        ] {
            let c: Change = serde_json::from_str(old).unwrap();
            assert_eq!(serde_json::to_string(&c).unwrap(), old);
        }
        let w = Change::Window {
            start: "2026-12-02T22:00:00+01:00".into(),
            zone: "Europe/Berlin".into(),
            end: None,
            reason: "CAB".into(),
        };
        let line = serde_json::to_string(&w).unwrap();
        assert_eq!(serde_json::from_str::<Change>(&line).unwrap(), w);
        let t = Change::Tick {
            item: ItemId("a-1".into()),
            note: None,
            after_no_go: true,
        };
        let line = serde_json::to_string(&t).unwrap();
        assert!(line.contains("\"after_no_go\":true"), "{line}");
        assert_eq!(serde_json::from_str::<Change>(&line).unwrap(), t);
    }

    #[test]
    fn file_store_lines_are_unchanged_and_db_role_is_optional() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T21:04:05.5+01:00").unwrap();
        let change = Change::Tick {
            item: ItemId("a-1234".into()),
            note: None,
            after_no_go: false,
        };
        let (_, line) = Event::seal(2, at, actor(), change.clone(), GENESIS).unwrap();
        // The exact bytes the file store has always written (a golden line: any change to it breaks
        // every existing journal's hashes).
        assert_eq!(
            line,
            "{\"seq\":2,\"at\":\"2026-11-23T21:04:05.500000+01:00\",\"by\":{\"user\":\"ops\",\"host\":\"bastion\",\"name\":\"Alice\"},\"change\":{\"type\":\"tick\",\"item\":\"a-1234\"},\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"hash\":\"152748c2b7907ab093d114538a81a2fe1310b5bdc8ce8dd60ec76e530c0e33b1\"}\n"
        );
        assert_eq!(line_db_role(line.trim_end()), None);
        let (ev, shared) = Event::seal_as(2, at, actor(), Some("alice"), change, GENESIS).unwrap();
        assert!(
            shared.contains(
                r#""by":{"user":"ops","host":"bastion","name":"Alice","db_role":"alice"}"#
            )
        );
        assert_eq!(line_db_role(shared.trim_end()).as_deref(), Some("alice"));
        let parsed: Event = serde_json::from_str(shared.trim_end()).unwrap();
        assert_eq!(parsed, ev);
        // A nanosecond clock: the event keeps what its line keeps.
        let fine = DateTime::parse_from_rfc3339("2026-11-23T21:04:05.123456789+01:00").unwrap();
        let (fine_ev, fine_line) = Event::seal(
            3,
            fine,
            actor(),
            Change::Finish {
                reason: None,
                exceptions: None,
            },
            GENESIS,
        )
        .unwrap();
        assert_eq!(
            serde_json::from_str::<Event>(fine_line.trim_end()).unwrap(),
            fine_ev
        );
        assert!(Event::line_hash_ok(shared.trim_end().as_bytes(), &ev.hash));
    }
}
