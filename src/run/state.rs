//! What the fold keeps per item, note and variable: every change with who and when, undone or not.

use super::event::{Actor, CommandEnd, Decision, rfc3339};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The state of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemState {
    /// Not yet dealt with.
    #[serde(rename = "open")]
    Open,
    /// Ticked.
    #[serde(rename = "done")]
    Done,
    /// Skipped with a reason.
    #[serde(rename = "skipped")]
    Skipped,
    /// Not applicable, with a reason.
    #[serde(rename = "na")]
    Na,
    /// Failed, with a note.
    #[serde(rename = "failed")]
    Failed,
    /// Gate decided GO.
    #[serde(rename = "go")]
    Go,
    /// Gate decided NO-GO.
    #[serde(rename = "no-go")]
    NoGo,
    /// Sign-off signed.
    #[serde(rename = "signed")]
    Signed,
}

impl ItemState {
    /// Every state, in report order.
    pub const ALL: [ItemState; 8] = [
        ItemState::Open,
        ItemState::Done,
        ItemState::Signed,
        ItemState::Go,
        ItemState::Skipped,
        ItemState::Na,
        ItemState::Failed,
        ItemState::NoGo,
    ];

    /// The JSON / CLI spelling (`open`, `done`, `skipped`, `na`, `failed`, `go`, `no-go`, `signed`).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Open => "open",
            ItemState::Done => "done",
            ItemState::Skipped => "skipped",
            ItemState::Na => "na",
            ItemState::Failed => "failed",
            ItemState::Go => "go",
            ItemState::NoGo => "no-go",
            ItemState::Signed => "signed",
        }
    }

    /// Anything but open.
    pub fn is_closed(self) -> bool {
        self != ItemState::Open
    }

    /// Closed without being simply done: skipped, n/a, failed or NO-GO (an exception in reports).
    pub fn is_exception(self) -> bool {
        matches!(
            self,
            ItemState::Skipped | ItemState::Na | ItemState::Failed | ItemState::NoGo
        )
    }

    /// The state a gate decision leads to.
    pub fn from_decision(d: Decision) -> ItemState {
        match d {
            Decision::Go => ItemState::Go,
            Decision::NoGo => ItemState::NoGo,
        }
    }
}

impl fmt::Display for ItemState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One state change of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateEntry {
    /// Event `seq`.
    pub seq: u64,
    /// New state.
    pub state: ItemState,
    /// Who.
    pub by: Actor,
    /// When.
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// Reason (skip, n/a, NO-GO/GO) or failure note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Signer's name, for a signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// Signer's role, for a signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Reverted by a later `undo`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub undone: bool,
    /// The `undo` that reverted it: who and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undone_by: Option<Undone>,
    /// `seq` of the unresolved NO-GO (or HOLD) this change came after, for ticks, sign-offs and GO
    /// decisions made before that NO-GO was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_no_go: Option<u64>,
}

/// Who reverted a change, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undone {
    /// `seq` of the `undo` event.
    pub seq: u64,
    /// Who.
    pub by: Actor,
    /// When.
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
}

/// A note on an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteEntry {
    /// Event `seq`.
    pub seq: u64,
    /// Text (sanitised, may span lines).
    pub text: String,
    /// Who.
    pub by: Actor,
    /// When.
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// Reverted by a later `undo`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub undone: bool,
    /// The `undo` that reverted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undone_by: Option<Undone>,
}

/// A value written in a blank cell of a status-table row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldEntry {
    /// Event `seq`.
    pub seq: u64,
    /// Column header.
    pub column: String,
    /// Value (sanitised).
    pub value: String,
    /// Who.
    pub by: Actor,
    /// When.
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// Reverted by a later `undo`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub undone: bool,
}

/// Everything that happened to one item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRecord {
    /// State changes, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<StateEntry>,
    /// Notes, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<NoteEntry>,
    /// Values written in the row's blank cells, oldest first (the last one not undone per column
    /// counts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldEntry>,
    /// Commands run for the item, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<CommandRecord>,
}

/// A command run from the checklist: its `command_started` event and, once it ended, its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandRecord {
    /// `seq` of the `command_started` event.
    pub seq: u64,
    /// When it started.
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// Who ran it.
    pub by: Actor,
    /// The text run (variables substituted, secrets masked).
    pub command: String,
    /// SHA-256 of `command`.
    pub command_sha256: String,
    /// Interpreter and arguments (`/bin/bash -e -c`).
    pub shell: String,
    /// Directory.
    pub cwd: String,
    /// Output file, relative to the run dir.
    pub output: String,
    /// Time limit in seconds.
    pub timeout_secs: u64,
    /// How it was confirmed.
    pub confirmed: String,
    /// Template line of the code block.
    pub line: usize,
    /// How it ended; `None` while it runs, or when runsheet stopped before it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<CommandResult>,
}

/// How a command ended, from its `command_finished` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandResult {
    /// `seq` of the `command_finished` event.
    pub seq: u64,
    /// When.
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// How it ended.
    pub end: CommandEnd,
    /// Exit status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    /// Milliseconds.
    pub duration_ms: u64,
    /// Bytes printed.
    pub output_bytes: u64,
    /// Bytes kept in the output file.
    pub stored_bytes: u64,
    /// SHA-256 of the output file.
    pub output_sha256: String,
    /// Why it could not start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CommandRecord {
    /// Whether it ended by exiting with status 0.
    pub fn succeeded(&self) -> bool {
        self.finished
            .as_ref()
            .is_some_and(|f| f.end == CommandEnd::Exited && f.exit_code == Some(0))
    }

    /// Whether no `command_finished` event was recorded for it (still running, or runsheet stopped).
    pub fn unfinished(&self) -> bool {
        self.finished.is_none()
    }
}

impl ItemRecord {
    /// The change that set the current state: the last one not undone.
    pub fn current(&self) -> Option<&StateEntry> {
        self.history.iter().rev().find(|e| !e.undone)
    }

    /// Notes not undone.
    pub fn live_notes(&self) -> impl Iterator<Item = &NoteEntry> {
        self.notes.iter().filter(|n| !n.undone)
    }

    /// The value a column of the row was filled with last (undone values left out).
    pub fn field(&self, column: &str) -> Option<&FieldEntry> {
        self.fields
            .iter()
            .rev()
            .find(|f| !f.undone && f.column.eq_ignore_ascii_case(column))
    }

    /// The last command run for the item.
    pub fn last_command(&self) -> Option<&CommandRecord> {
        self.commands.last()
    }

    /// Closed loop: the item is done and the last command run for it exited 0 ("verified by
    /// command", as opposed to ticked by hand).
    pub fn verified_by_command(&self) -> bool {
        self.current().is_some_and(|e| e.state == ItemState::Done)
            && self.last_command().is_some_and(CommandRecord::succeeded)
    }

    /// First and last time anything happened to the item (undone changes included: they happened).
    pub fn span(&self) -> Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
        let times = self
            .history
            .iter()
            .map(|e| e.at)
            .chain(self.notes.iter().map(|n| n.at))
            .chain(self.fields.iter().map(|f| f.at))
            .chain(
                self.commands
                    .iter()
                    .flat_map(|c| std::iter::once(c.at).chain(c.finished.as_ref().map(|f| f.at))),
            );
        times.fold(None, |acc, t| match acc {
            None => Some((t, t)),
            Some((a, b)) => Some((a.min(t), b.max(t))),
        })
    }
}

/// One value a variable had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarEntry {
    /// Event `seq` (1 for values given at start).
    pub seq: u64,
    /// Value (sanitised).
    pub value: String,
    /// Who.
    pub by: Actor,
    /// When.
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// Reverted by a later `undo`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub undone: bool,
    /// The `undo` that reverted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undone_by: Option<Undone>,
}

/// The window as a `window` event set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowEntry {
    /// Event `seq`.
    pub seq: u64,
    /// Who.
    pub by: Actor,
    /// When.
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// Window start.
    #[serde(with = "rfc3339")]
    pub start: DateTime<FixedOffset>,
    /// Zone name (`Europe/Berlin`, `UTC+01:00`).
    pub zone: String,
    /// Window end, when known.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_rfc3339")]
    pub end: Option<DateTime<FixedOffset>>,
    /// Why.
    pub reason: String,
    /// The `undo` that reverted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undone_by: Option<Undone>,
}

/// A `hold` or `resume` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldEntry {
    /// Event `seq`.
    pub seq: u64,
    /// `true` for a hold, `false` for a resume.
    pub hold: bool,
    /// Who.
    pub by: Actor,
    /// When.
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// Why.
    pub reason: String,
    /// The gate whose NO-GO led to the hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<crate::model::ItemId>,
    /// The `undo` that reverted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undone_by: Option<Undone>,
}

/// Where the run is in its life.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Lifecycle {
    /// Being worked.
    #[default]
    Active,
    /// Finished.
    Completed {
        /// `seq` of the finish event.
        seq: u64,
        /// When.
        #[serde(with = "rfc3339")]
        at: DateTime<FixedOffset>,
        /// Who.
        by: Actor,
        /// Why it was finished with exceptions (`finish --accept-exceptions --reason`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The exceptions accepted when it was finished.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exceptions: Option<String>,
    },
    /// Abandoned.
    Aborted {
        /// `seq` of the abort event.
        seq: u64,
        /// When.
        #[serde(with = "rfc3339")]
        at: DateTime<FixedOffset>,
        /// Who.
        by: Actor,
        /// Why.
        reason: String,
    },
}

impl Lifecycle {
    /// `active`, `completed` or `aborted`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Lifecycle::Active => "active",
            Lifecycle::Completed { .. } => "completed",
            Lifecycle::Aborted { .. } => "aborted",
        }
    }

    /// When the run ended, if it did.
    pub fn ended_at(&self) -> Option<DateTime<FixedOffset>> {
        match self {
            Lifecycle::Active => None,
            Lifecycle::Completed { at, .. } | Lifecycle::Aborted { at, .. } => Some(*at),
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Serde for an optional RFC 3339 time.
mod opt_rfc3339 {
    use chrono::{DateTime, FixedOffset, SecondsFormat};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        t: &Option<DateTime<FixedOffset>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Micros, false)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
        let s = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.map(|s| DateTime::parse_from_rfc3339(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}
