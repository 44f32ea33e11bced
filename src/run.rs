//! A run: one walk through a template, as the fold of its events.
//!
//! [`Run::apply`] is the only way a run changes. The fold knows nothing about the template: it keys
//! items by their stable id, so a re-based template, or an item that disappeared, never loses progress.
//! [`view::RunView`] reconciles a run with a template for display and reports; [`intent`] checks a
//! requested change against both before it is appended.

pub mod event;
pub mod gates;
pub mod intent;
pub mod outcome;
pub mod presence;
pub mod schedule;
pub mod state;
pub mod undo;
pub mod vars;
pub mod view;
pub mod window;

use crate::model::ItemId;
use crate::text::sanitize::{clean_line, clean_multiline, is_clean_line};
use chrono::{DateTime, FixedOffset};
use event::{Actor, Change, Event, ExecSetting, OrphanInfo, rfc3339};
use serde::{Deserialize, Serialize};
use state::{
    CommandRecord, CommandResult, FieldEntry, HoldEntry, ItemRecord, ItemState, Lifecycle,
    NoteEntry, StateEntry, Undone, VarEntry, WindowEntry,
};
use std::collections::BTreeMap;

/// Journal and snapshot schema this build writes and reads (and every older one it reads).
///
/// - 1: the first release's event kinds.
/// - 2: a run may also hold `window`, `hold`, `resume`, `torn_tail`, `repair`, `field`,
///   `command_started` and `command_finished` events. A build that reads only 1 opens such a run
///   read-only ("has schema_version 2; this runsheet reads up to 1") instead of calling the new
///   lines unreadable; runs started at 1 are read, and take every change, as before.
pub const SCHEMA_VERSION: u32 = 2;

/// A template change the run followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebaseRecord {
    /// Event `seq`.
    pub seq: u64,
    /// When.
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// Who.
    pub by: Actor,
    /// Old template SHA-256.
    pub from_sha256: String,
    /// New template SHA-256.
    pub to_sha256: String,
}

/// Who changed the run last, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Event `seq`.
    pub seq: u64,
    /// When.
    #[serde(with = "rfc3339")]
    pub at: DateTime<FixedOffset>,
    /// Who.
    pub by: Actor,
}

/// The fold of a run's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// Schema version of the journal (from the start event).
    pub schema_version: u32,
    /// Run id.
    pub id: String,
    /// Template title at start.
    pub title: String,
    /// Run name given at start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Original template path.
    pub template_path: String,
    /// SHA-256 of the template the run started from.
    pub template_sha256: String,
    /// SHA-256 of the template the run follows now (differs after a re-base).
    pub base_sha256: String,
    /// `--steps` at start: numbered steps are items even where the template has checkboxes.
    #[serde(default)]
    pub steps: bool,
    /// The loader rules the run reads its template with (see `template::LOADER_RULES`).
    #[serde(default = "event::rules_v1")]
    pub rules: u32,
    /// Start time.
    #[serde(with = "rfc3339")]
    pub started_at: DateTime<FixedOffset>,
    /// Who started it.
    pub started_by: Actor,
    /// `seq` of the last applied event.
    pub seq: u64,
    /// `hash` of the last applied event: the head of the chain.
    pub head: String,
    /// Active, completed or aborted.
    pub lifecycle: Lifecycle,
    /// Last change.
    pub last: Stamp,
    /// Variable values, oldest first per name.
    #[serde(default)]
    pub vars: BTreeMap<String, Vec<VarEntry>>,
    /// Items that lost their place at a re-base.
    #[serde(default)]
    pub orphans: BTreeMap<ItemId, OrphanInfo>,
    /// Re-bases, oldest first.
    #[serde(default)]
    pub rebases: Vec<RebaseRecord>,
    /// Events that could not take effect (`undo` of something already undone, …), as messages.
    #[serde(default)]
    pub anomalies: Vec<String>,
    /// The window as `window` events set it, oldest first (see [`window::resolve`]).
    #[serde(default)]
    pub windows: Vec<WindowEntry>,
    /// Holds and resumes, oldest first.
    #[serde(default)]
    pub holds: Vec<HoldEntry>,
    /// NO-GO decisions not resolved yet (by a GO, a change of the gate, or a `resume`): gate id →
    /// `seq` of the decision.
    #[serde(default)]
    pub open_no_go: BTreeMap<ItemId, u64>,
    /// What happened to the record itself (a torn line moved aside, a repair), as messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<String>,
    /// Running commands: enabled or not, and where, as recorded at start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecSetting>,
    /// Commands run for sections (by section key), oldest first.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub section_commands: BTreeMap<String, Vec<CommandRecord>>,
    /// Per item: every change and note. Kept last so the snapshot reads top-down.
    #[serde(default)]
    pub items: BTreeMap<ItemId, ItemRecord>,
}

/// The first event of a journal is not a `start` event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the first event (seq {seq}) is a `{kind}` event, not `start`")]
pub struct NotAStart {
    /// Its seq.
    pub seq: u64,
    /// Its type.
    pub kind: &'static str,
}

impl Run {
    /// Starts the fold from the run's first event.
    pub fn from_start(ev: &Event) -> Result<Run, NotAStart> {
        let Change::Start {
            schema_version,
            run_id,
            title,
            name,
            template_path,
            template_sha256,
            vars,
            steps,
            rules,
            exec,
        } = &ev.change
        else {
            return Err(NotAStart {
                seq: ev.seq,
                kind: ev.change.kind(),
            });
        };
        let by = clean_actor(&ev.by);
        let vars = vars
            .iter()
            .map(|(k, v)| {
                let entry = VarEntry {
                    seq: ev.seq,
                    value: clean_line(v),
                    by: by.clone(),
                    at: ev.at,
                    undone: false,
                    undone_by: None,
                };
                (clean_line(k), vec![entry])
            })
            .collect();
        Ok(Run {
            schema_version: *schema_version,
            id: clean_line(run_id),
            title: clean_line(title),
            name: name.as_deref().map(clean_line),
            template_path: clean_line(template_path),
            template_sha256: template_sha256.clone(),
            base_sha256: template_sha256.clone(),
            steps: *steps,
            rules: *rules,
            started_at: ev.at,
            started_by: by.clone(),
            seq: ev.seq,
            head: ev.hash.clone(),
            lifecycle: Lifecycle::Active,
            last: Stamp {
                seq: ev.seq,
                at: ev.at,
                by,
            },
            vars,
            orphans: BTreeMap::new(),
            rebases: Vec::new(),
            anomalies: Vec::new(),
            windows: Vec::new(),
            holds: Vec::new(),
            open_no_go: BTreeMap::new(),
            repairs: Vec::new(),
            exec: exec.as_ref().map(|e| ExecSetting {
                enabled: e.enabled,
                cwd: clean_line(&e.cwd),
                off_by: e.off_by.as_deref().map(clean_line),
            }),
            section_commands: BTreeMap::new(),
            items: BTreeMap::new(),
        })
    }

    /// Folds one event into the run. Events are facts: one that cannot take effect is recorded in
    /// `anomalies`, never refused.
    pub fn apply(&mut self, ev: &Event) {
        self.apply_by(ev, clean_actor(&ev.by));
    }

    /// [`Run::apply`] for an event the caller is done with: its actor's strings move into the
    /// fold instead of being copied (replaying a journal: one actor copy per event, not three).
    pub fn apply_owned(&mut self, mut ev: Event) {
        let by = std::mem::replace(
            &mut ev.by,
            Actor {
                user: String::new(),
                host: String::new(),
                name: String::new(),
            },
        );
        self.apply_by(&ev, clean_actor_owned(by));
    }

    /// [`Run::apply_owned`] for an event read by a lean scan (`store::journal::Scanner::lean`):
    /// its `hash` is given apart.
    pub fn apply_replayed(&mut self, mut ev: Event, hash: &str) {
        let by = std::mem::replace(
            &mut ev.by,
            Actor {
                user: String::new(),
                host: String::new(),
                name: String::new(),
            },
        );
        self.apply_by(&ev, clean_actor_owned(by));
        // `ev.hash` is empty: the head's string is reused.
        self.head.push_str(hash);
    }

    /// The fold of `ev`, made by `by` (`ev.by`, cleaned; `ev.by` itself is not read).
    fn apply_by(&mut self, ev: &Event, by: Actor) {
        let at = ev.at;
        let seq = ev.seq;
        self.seq = seq;
        self.head.clone_from(&ev.hash);
        // Field by field: the strings of the last stamp are reused, not reallocated.
        self.last.seq = seq;
        self.last.at = at;
        self.last.by.user.clone_from(&by.user);
        self.last.by.host.clone_from(&by.host);
        self.last.by.name.clone_from(&by.name);
        let entry = |state: ItemState, reason: Option<&str>, by: Actor| StateEntry {
            seq,
            state,
            by,
            at,
            reason: reason.map(clean_multiline),
            signer: None,
            role: None,
            undone: false,
            undone_by: None,
            after_no_go: None,
        };
        let blocking = self.blocking_seq();
        match &ev.change {
            Change::Start { .. } => self.anomaly(seq, "a second `start` event is ignored"),
            Change::Tick { item, note, .. } | Change::Untick { item, note } => {
                let n = note
                    .as_ref()
                    .map(|text| note_entry(seq, text, by.clone(), at));
                let e = if matches!(ev.change, Change::Tick { .. }) {
                    let mut e = entry(ItemState::Done, None, by);
                    e.after_no_go = blocking;
                    e
                } else {
                    entry(ItemState::Open, None, by)
                };
                self.record(item, |rec| {
                    rec.history.push(e);
                    if let Some(n) = n {
                        rec.notes.push(n);
                    }
                });
                if !self.open_no_go.is_empty() {
                    self.open_no_go.remove(item);
                }
            }
            Change::Skip { item, reason } => {
                self.push(item, entry(ItemState::Skipped, Some(reason), by))
            }
            Change::Na { item, reason } => {
                self.push(item, entry(ItemState::Na, Some(reason), by))
            }
            Change::Fail { item, note } => {
                self.push(item, entry(ItemState::Failed, Some(note), by))
            }
            Change::Gate {
                item,
                decision,
                reason,
                ..
            } => {
                let mut e = entry(ItemState::from_decision(*decision), reason.as_deref(), by);
                if *decision == event::Decision::Go {
                    e.after_no_go = blocking;
                }
                self.push(item, e);
                if *decision == event::Decision::NoGo {
                    self.open_no_go.insert(item.clone(), seq);
                }
            }
            Change::Sign {
                item, signer, role, ..
            } => {
                let mut e = entry(ItemState::Signed, None, by);
                e.signer = Some(clean_line(signer));
                e.role = role.as_deref().map(clean_line);
                e.after_no_go = blocking;
                self.push(item, e);
            }
            Change::Note { item, text } => {
                let n = note_entry(seq, text, by, at);
                self.record(item, |rec| rec.notes.push(n));
            }
            Change::Field {
                item,
                column,
                value,
            } => {
                let f = FieldEntry {
                    seq,
                    column: clean_line(column),
                    value: clean_line(value),
                    by,
                    at,
                    undone: false,
                };
                self.record(item, |rec| rec.fields.push(f));
            }
            Change::Set { var, value } => {
                let v = VarEntry {
                    seq,
                    value: clean_line(value),
                    by,
                    at,
                    undone: false,
                    undone_by: None,
                };
                self.vars.entry(clean_line(var)).or_default().push(v);
            }
            Change::Undo { target } => {
                let stamp = Undone { seq, by, at };
                self.undo(seq, *target, &stamp);
            }
            Change::Rebase {
                from_sha256,
                to_sha256,
                orphans,
            } => {
                for o in orphans {
                    let info = OrphanInfo {
                        id: o.id.clone(),
                        text: clean_line(&o.text),
                        section: clean_line(&o.section),
                    };
                    self.orphans.insert(o.id.clone(), info);
                }
                self.base_sha256.clone_from(to_sha256);
                self.rebases.push(RebaseRecord {
                    seq,
                    at,
                    by,
                    from_sha256: from_sha256.clone(),
                    to_sha256: to_sha256.clone(),
                });
            }
            Change::Finish { reason, exceptions } => {
                self.lifecycle = Lifecycle::Completed {
                    seq,
                    at,
                    by,
                    reason: reason.as_deref().map(clean_multiline),
                    exceptions: exceptions.as_deref().map(clean_line),
                }
            }
            Change::TornTail {
                offset,
                len,
                kept_as,
                ..
            } => self.repairs.push(format!(
                "seq {seq} ({}): a partial line ({len} bytes at byte {offset}) left by a writer killed \
                 during its write (never acknowledged) was moved aside to {}",
                event::show_time(&at),
                clean_line(kept_as)
            )),
            Change::Repair {
                problem,
                kept,
                dropped_lines,
            } => self.repairs.push(format!(
                "seq {seq} ({}, {}): repaired after damage ({}); {dropped_lines} line(s) dropped; \
                 kept: {}",
                event::show_time(&at),
                by.describe(),
                clean_line(problem),
                kept.iter().map(|k| clean_line(k)).collect::<Vec<_>>().join(", ")
            )),
            Change::CommandStarted {
                item,
                section,
                command,
                command_sha256,
                shell,
                cwd,
                output,
                timeout_secs,
                confirmed,
                line,
            } => {
                let rec = CommandRecord {
                    seq,
                    at,
                    by,
                    command: clean_multiline(command),
                    command_sha256: command_sha256.clone(),
                    shell: clean_line(shell),
                    cwd: clean_line(cwd),
                    output: clean_line(output),
                    timeout_secs: *timeout_secs,
                    confirmed: clean_line(confirmed),
                    line: *line,
                    finished: None,
                };
                match (item, section) {
                    (Some(item), _) => self.record(item, |r| r.commands.push(rec)),
                    (None, Some(key)) => self
                        .section_commands
                        .entry(clean_line(key))
                        .or_default()
                        .push(rec),
                    (None, None) => self.anomaly(seq, "a command with neither item nor section"),
                }
            }
            Change::CommandFinished {
                item,
                section,
                started,
                end,
                exit_code,
                signal,
                duration_ms,
                output_bytes,
                stored_bytes,
                output_sha256,
                error,
            } => {
                let result = CommandResult {
                    seq,
                    at,
                    end: *end,
                    exit_code: *exit_code,
                    signal: *signal,
                    duration_ms: *duration_ms,
                    output_bytes: *output_bytes,
                    stored_bytes: *stored_bytes,
                    output_sha256: output_sha256.clone(),
                    error: error.as_deref().map(clean_multiline),
                };
                let list = match (item, section) {
                    (Some(item), _) => self.items.get_mut(item).map(|r| &mut r.commands),
                    (None, Some(key)) => self.section_commands.get_mut(key.as_str()),
                    (None, None) => None,
                };
                let target = list.and_then(|l| {
                    l.iter_mut()
                        .find(|c| c.seq == *started && c.finished.is_none())
                });
                match target {
                    Some(c) => c.finished = Some(result),
                    None => self.anomaly(
                        seq,
                        &format!("command_finished for seq {started}: no such running command"),
                    ),
                }
            }
            Change::Abort { reason } => {
                self.lifecycle = Lifecycle::Aborted {
                    seq,
                    at,
                    by,
                    reason: clean_multiline(reason),
                }
            }
            Change::Window {
                start,
                zone,
                end,
                reason,
            } => {
                let start_at = DateTime::parse_from_rfc3339(start);
                let end_at = end.as_deref().map(DateTime::parse_from_rfc3339).transpose();
                match (start_at, end_at) {
                    (Ok(start), Ok(end)) => self.windows.push(WindowEntry {
                        seq,
                        by,
                        at,
                        start,
                        zone: clean_line(zone),
                        end,
                        reason: clean_multiline(reason),
                        undone_by: None,
                    }),
                    _ => self.anomaly(seq, "a `window` event with an unreadable time is ignored"),
                }
            }
            Change::Hold { reason, gate } => self.holds.push(HoldEntry {
                seq,
                hold: true,
                by,
                at,
                reason: clean_multiline(reason),
                gate: gate.clone(),
                undone_by: None,
            }),
            Change::Resume { reason } => {
                self.holds.push(HoldEntry {
                    seq,
                    hold: false,
                    by,
                    at,
                    reason: clean_multiline(reason),
                    gate: None,
                    undone_by: None,
                });
                self.open_no_go.clear();
            }
        }
    }

    /// `seq` of what a tick, sign-off or GO made now would come "after": the latest unresolved
    /// NO-GO or the hold in force.
    pub fn blocking_seq(&self) -> Option<u64> {
        let no_go = self.open_no_go.values().copied().max();
        let hold = self.active_hold().map(|h| h.seq);
        no_go.max(hold)
    }

    /// The hold in force: the last hold not undone, unless a resume not undone came after it.
    pub fn active_hold(&self) -> Option<&HoldEntry> {
        self.holds
            .iter()
            .rev()
            .find(|h| h.undone_by.is_none())
            .filter(|h| h.hold)
    }

    /// Recomputes the unresolved NO-GOs from the item records (after an undo).
    fn recompute_no_go(&mut self) {
        let last_resume = self
            .holds
            .iter()
            .filter(|h| !h.hold && h.undone_by.is_none())
            .map(|h| h.seq)
            .max()
            .unwrap_or(0);
        self.open_no_go = self
            .items
            .iter()
            .filter_map(|(id, r)| {
                let e = r.current()?;
                (e.state == ItemState::NoGo && e.seq > last_resume).then(|| (id.clone(), e.seq))
            })
            .collect();
    }

    fn push(&mut self, item: &ItemId, e: StateEntry) {
        if e.state != ItemState::NoGo {
            self.open_no_go.remove(item);
        }
        self.record(item, |rec| rec.history.push(e));
    }

    /// Changes the item's record (made, empty, if the item has none yet); its id is copied only
    /// then.
    fn record(&mut self, item: &ItemId, change: impl FnOnce(&mut ItemRecord)) {
        match self.items.get_mut(item) {
            Some(rec) => change(rec),
            None => change(self.items.entry(item.clone()).or_default()),
        }
    }

    fn anomaly(&mut self, seq: u64, msg: &str) {
        self.anomalies.push(format!("seq {seq}: {msg}"));
    }

    fn undo(&mut self, seq: u64, target: u64, stamp: &Undone) {
        let mut found = false;
        for rec in self.items.values_mut() {
            for e in rec
                .history
                .iter_mut()
                .filter(|e| e.seq == target && !e.undone)
            {
                e.undone = true;
                e.undone_by = Some(stamp.clone());
                found = true;
            }
            for n in rec
                .notes
                .iter_mut()
                .filter(|n| n.seq == target && !n.undone)
            {
                n.undone = true;
                n.undone_by = Some(stamp.clone());
                found = true;
            }
            for f in rec
                .fields
                .iter_mut()
                .filter(|f| f.seq == target && !f.undone)
            {
                f.undone = true;
                found = true;
            }
        }
        for values in self.vars.values_mut() {
            for v in values
                .iter_mut()
                .filter(|v| v.seq == target && v.seq > 1 && !v.undone)
            {
                v.undone = true;
                v.undone_by = Some(stamp.clone());
                found = true;
            }
        }
        for w in self
            .windows
            .iter_mut()
            .filter(|w| w.seq == target && w.undone_by.is_none())
        {
            w.undone_by = Some(stamp.clone());
            found = true;
        }
        for h in self
            .holds
            .iter_mut()
            .filter(|h| h.seq == target && h.undone_by.is_none())
        {
            h.undone_by = Some(stamp.clone());
            found = true;
        }
        if found {
            self.recompute_no_go();
        } else {
            self.anomaly(seq, &format!("undo of seq {target}: nothing to revert"));
        }
    }

    /// The `seq` of `actor`'s last change that can still be undone (item states, notes, variables).
    pub fn last_undoable(&self, actor: &Actor) -> Option<u64> {
        let items = self.items.values().flat_map(|r| {
            let h = r
                .history
                .iter()
                .filter(|e| !e.undone && e.by.same_operator(actor))
                .map(|e| e.seq);
            let n = r
                .notes
                .iter()
                .filter(|n| !n.undone && n.by.same_operator(actor))
                .map(|n| n.seq);
            let f = r
                .fields
                .iter()
                .filter(|f| !f.undone && f.by.same_operator(actor))
                .map(|f| f.seq);
            h.chain(n).chain(f)
        });
        let vars =
            self.vars.values().flatten().filter_map(|v| {
                (v.seq > 1 && !v.undone && v.by.same_operator(actor)).then_some(v.seq)
            });
        let windows = self
            .windows
            .iter()
            .filter(|w| w.undone_by.is_none() && w.by.same_operator(actor))
            .map(|w| w.seq);
        let holds = self
            .holds
            .iter()
            .filter(|h| h.undone_by.is_none() && h.by.same_operator(actor))
            .map(|h| h.seq);
        items.chain(vars).chain(windows).chain(holds).max()
    }

    /// The current value of a variable.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)?
            .iter()
            .rev()
            .find(|v| !v.undone)
            .map(|v| v.value.as_str())
    }

    /// Current variable values.
    pub fn var_values(&self) -> BTreeMap<&str, &str> {
        self.vars
            .keys()
            .filter_map(|k| Some((k.as_str(), self.var(k)?)))
            .collect()
    }

    /// The run's title: its name if given, else the template title (variables not substituted).
    pub fn display_title(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.title)
    }

    /// Whether the run still takes changes.
    pub fn is_active(&self) -> bool {
        self.lifecycle == Lifecycle::Active
    }
}

fn note_entry(seq: u64, text: &str, by: Actor, at: DateTime<FixedOffset>) -> NoteEntry {
    NoteEntry {
        seq,
        text: clean_multiline(text),
        by,
        at,
        undone: false,
        undone_by: None,
    }
}

/// An actor's strings cleaned in place: a string that is already clean is kept, not copied.
fn clean_actor_owned(a: Actor) -> Actor {
    let keep = |s: String| if is_clean_line(&s) { s } else { clean_line(&s) };
    Actor {
        user: keep(a.user),
        host: keep(a.host),
        name: keep(a.name),
    }
}

fn clean_actor(a: &Actor) -> Actor {
    Actor {
        user: clean_line(&a.user),
        host: clean_line(&a.host),
        name: clean_line(&a.name),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
