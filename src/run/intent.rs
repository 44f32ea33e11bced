//! What an operator asks for, checked against the run and its template before anything is appended.
//!
//! [`check`] turns an [`Intent`] into the [`Change`] to append, or says why not. The store calls it
//! under the journal lock, after catching up with other processes' events, so the check sees the
//! latest state.

use super::Run;
use super::event::{Actor, Change, Decision};
use super::gates;
use super::outcome::Counts;
use super::state::ItemState;
use super::vars::substitute;
use super::view::item_state;
use crate::model::{ItemId, ItemKind, Template};
use crate::text::sanitize::{clean_line, clean_multiline};
use crate::when::Zone;
use chrono::{DateTime, FixedOffset, SecondsFormat};

mod error;
mod query;

pub use error::IntentError;
pub use query::{ItemQueryError, find_item};

/// A requested change. Serialisable so that a change waiting for a shared store's link (the
/// outbox) survives a restart.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Intent {
    /// Mark done.
    Tick {
        /// Item.
        item: ItemId,
        /// Optional note.
        note: Option<String>,
    },
    /// Reopen.
    Untick {
        /// Item.
        item: ItemId,
        /// Optional note.
        note: Option<String>,
    },
    /// Skip with a reason.
    Skip {
        /// Item.
        item: ItemId,
        /// Why.
        reason: String,
    },
    /// Not applicable, with a reason.
    Na {
        /// Item.
        item: ItemId,
        /// Why.
        reason: String,
    },
    /// Failed, with a note.
    Fail {
        /// Item.
        item: ItemId,
        /// What happened.
        note: String,
    },
    /// Sign a sign-off item.
    Sign {
        /// Item.
        item: ItemId,
        /// Signer; the actor's display name when `None`.
        signer: Option<String>,
    },
    /// Decide a gate.
    Gate {
        /// Item.
        item: ItemId,
        /// GO or NO-GO.
        decision: Decision,
        /// Reason (required for NO-GO).
        reason: Option<String>,
    },
    /// Add a note.
    Note {
        /// Item.
        item: ItemId,
        /// Text.
        text: String,
    },
    /// Fill in a blank cell of a status-table row.
    Field {
        /// Item.
        item: ItemId,
        /// Column header (any case).
        column: String,
        /// What to write.
        value: String,
    },
    /// Set a variable.
    Set {
        /// Name.
        var: String,
        /// Value.
        value: String,
    },
    /// Revert this operator's last change.
    Undo,
    /// Revert the change `target`, which must still be this operator's last one that can be
    /// undone (the screen named it before asking; anything else is refused, not reverted).
    UndoOf {
        /// `seq` of the change named.
        target: u64,
    },
    /// Complete the run (refused while items are open, or failed items or NO-GO decisions are not
    /// accepted).
    Finish,
    /// Complete the run accepting its failed items and NO-GO decisions, with a reason.
    FinishAccepting {
        /// Why it is finished anyway.
        reason: String,
    },
    /// Abandon the run.
    Abort {
        /// Why.
        reason: String,
    },
    /// Set or move the window.
    Window {
        /// Start.
        start: DateTime<FixedOffset>,
        /// Zone of the window's clock.
        zone: Zone,
        /// End, when known.
        end: Option<DateTime<FixedOffset>>,
        /// Why.
        reason: String,
    },
    /// Put the run on HOLD.
    Hold {
        /// Why.
        reason: String,
        /// The gate whose NO-GO led to it, if any.
        gate: Option<ItemId>,
    },
    /// Lift a HOLD (and resolve the NO-GO decisions before it), with a reason.
    Resume {
        /// Why.
        reason: String,
    },
    /// Record how a command that this process started (its `command_started` is event `started`)
    /// ended. Taken whatever state the run is in now: it is a fact about a command that was
    /// allowed to start. Refused unless `started` is a command of the same target without a
    /// result.
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
        end: super::event::CommandEnd,
        /// Exit status, when it exited.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exit_code: Option<i32>,
        /// Signal number, when a signal ended it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signal: Option<i32>,
        /// Wall-clock milliseconds from spawn to exit.
        duration_ms: u64,
        /// Bytes the command printed.
        output_bytes: u64,
        /// Bytes kept in the output file.
        stored_bytes: u64,
        /// SHA-256 of the output file.
        output_sha256: String,
        /// Why it could not start, or a problem keeping its output.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// The operator confirmed: make this tick, sign-off or GO even though a NO-GO is unresolved
    /// or the run is on HOLD; the change is recorded as made after the NO-GO.
    ///
    /// Not serialised by the derive (an internally tagged newtype variant holding its own enum
    /// has no finite serializer type); [`wire`] writes it as `{"after_no_go": N, "intent": …}`.
    #[serde(skip)]
    AfterNoGo(Box<Intent>),
}

/// An [`Intent`] as stored (the shared store's outbox): the `AfterNoGo` layers counted beside the
/// plain intent, so any intent round-trips. Use with `#[serde(with = "crate::run::intent::wire")]`.
pub mod wire {
    use super::Intent;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize)]
    struct Out<'a> {
        after_no_go: u32,
        intent: &'a Intent,
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum In {
        Wrapped { after_no_go: u32, intent: Intent },
        Plain(Intent),
    }

    /// Writes a plain intent as itself, a confirmed one as `{"after_no_go": N, "intent": …}`.
    pub fn serialize<S: Serializer>(intent: &Intent, s: S) -> Result<S::Ok, S::Error> {
        let mut base = intent;
        let mut layers = 0u32;
        while let Intent::AfterNoGo(inner) = base {
            base = inner;
            layers += 1;
        }
        if layers == 0 {
            base.serialize(s)
        } else {
            Out {
                after_no_go: layers,
                intent: base,
            }
            .serialize(s)
        }
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Intent, D::Error> {
        Ok(match In::deserialize(d)? {
            In::Plain(i) => i,
            In::Wrapped {
                after_no_go,
                mut intent,
            } => {
                for _ in 0..after_no_go.min(8) {
                    intent = Intent::AfterNoGo(Box::new(intent));
                }
                intent
            }
        })
    }
}

fn non_empty(s: &str, what: &'static str, multiline: bool) -> Result<String, IntentError> {
    let s = if multiline {
        clean_multiline(s.trim())
    } else {
        clean_line(s.trim())
    };
    if s.is_empty() {
        Err(IntentError::Empty(what))
    } else {
        Ok(s)
    }
}

fn opt_note(n: &Option<String>) -> Option<String> {
    n.as_deref()
        .map(|s| clean_multiline(s.trim()))
        .filter(|s| !s.is_empty())
}

/// Checks an intent and returns the change to append.
pub fn check(
    run: &Run,
    template: &Template,
    actor: &Actor,
    intent: &Intent,
) -> Result<Change, IntentError> {
    let mut intent = intent;
    let mut confirmed = false;
    while let Intent::AfterNoGo(inner) = intent {
        confirmed = true;
        intent = inner;
    }
    check_one(run, template, actor, intent, confirmed)
}

fn check_one(
    run: &Run,
    template: &Template,
    actor: &Actor,
    intent: &Intent,
    confirmed: bool,
) -> Result<Change, IntentError> {
    let closed = || IntentError::Closed {
        id: run.id.clone(),
        status: run.lifecycle.as_str(),
    };
    if let Intent::CommandFinished { .. } = intent {
        return command_finished(run, intent);
    }
    if !run.is_active() && !matches!(intent, Intent::Note { .. }) {
        return Err(closed());
    }
    let vars = run.var_values();
    let find = |id: &ItemId| -> Result<(usize, ItemState, String, String), IntentError> {
        let index = template
            .items
            .iter()
            .position(|i| &i.id == id)
            .ok_or_else(|| IntentError::UnknownItem(id.clone()))?;
        let (state, entry, _) = item_state(run, template, index);
        let text = substitute(&template.items[index].text, &vars).into_owned();
        let who = entry.map_or_else(String::new, |e| {
            format!(
                " (by {}, at {})",
                e.by.describe(),
                super::event::show_time(&e.at)
            )
        });
        Ok((index, state, text, who))
    };
    let kind_of = |index: usize| template.items[index].kind;
    let ensure_not = |state: ItemState, target: ItemState, text: &str, who: &str| {
        if state == target {
            Err(IntentError::Already {
                text: text.to_owned(),
                state,
                who: who.to_owned(),
            })
        } else {
            Ok(())
        }
    };
    // A tick, sign-off or GO after an unresolved NO-GO (or during a HOLD) asks first.
    let after_no_go = |index: usize| -> Result<bool, IntentError> {
        match gates::needs_confirmation(run, template, index) {
            Some(_) if confirmed => Ok(true),
            Some(b) => Err(IntentError::AfterNoGo {
                blocker: gates::describe(run, template, &b),
            }),
            None => Ok(run.blocking_seq().is_some() && confirmed),
        }
    };
    let wrong = |text: String, kind: ItemKind| IntentError::WrongKind {
        text,
        kind: kind.as_str(),
        hint: match kind {
            ItemKind::Signoff => "sign it with `runsheet sign`",
            ItemKind::Gate => "decide it with `runsheet gate … go|no-go`",
            ItemKind::Task => "tick it with `runsheet tick`",
        },
    };
    Ok(match intent {
        Intent::Tick { item, note } => {
            let (i, state, text, who) = find(item)?;
            if kind_of(i) != ItemKind::Task {
                return Err(wrong(text, kind_of(i)));
            }
            ensure_not(state, ItemState::Done, &text, &who)?;
            let after_no_go = after_no_go(i)?;
            Change::Tick {
                item: item.clone(),
                note: opt_note(note),
                after_no_go,
            }
        }
        Intent::Untick { item, note } => {
            let (_, state, text, who) = find(item)?;
            ensure_not(state, ItemState::Open, &text, &who)?;
            Change::Untick {
                item: item.clone(),
                note: opt_note(note),
            }
        }
        Intent::Skip { item, reason } | Intent::Na { item, reason } => {
            let (_, state, text, who) = find(item)?;
            let skip = matches!(intent, Intent::Skip { .. });
            let target = if skip {
                ItemState::Skipped
            } else {
                ItemState::Na
            };
            ensure_not(state, target, &text, &who)?;
            let reason = non_empty(reason, "--reason", true)?;
            if skip {
                Change::Skip {
                    item: item.clone(),
                    reason,
                }
            } else {
                Change::Na {
                    item: item.clone(),
                    reason,
                }
            }
        }
        Intent::Fail { item, note } => {
            let (i, state, text, who) = find(item)?;
            if kind_of(i) != ItemKind::Task {
                return Err(wrong(text, kind_of(i)));
            }
            ensure_not(state, ItemState::Failed, &text, &who)?;
            Change::Fail {
                item: item.clone(),
                note: non_empty(note, "--note", true)?,
            }
        }
        Intent::Sign { item, signer } => {
            let (i, state, text, who) = find(item)?;
            if kind_of(i) != ItemKind::Signoff {
                return Err(wrong(text, kind_of(i)));
            }
            ensure_not(state, ItemState::Signed, &text, &who)?;
            let signer = match signer {
                Some(s) => non_empty(s, "the signer's name", false)?,
                None => actor.name.clone(),
            };
            let after_no_go = after_no_go(i)?;
            Change::Sign {
                item: item.clone(),
                signer,
                role: template.items[i].role.clone(),
                after_no_go,
            }
        }
        Intent::Gate {
            item,
            decision,
            reason,
        } => {
            let (i, state, text, who) = find(item)?;
            if kind_of(i) != ItemKind::Gate {
                return Err(wrong(text, kind_of(i)));
            }
            ensure_not(state, ItemState::from_decision(*decision), &text, &who)?;
            let reason = match decision {
                Decision::NoGo => Some(non_empty(
                    reason.as_deref().unwrap_or(""),
                    "--reason (required for no-go)",
                    true,
                )?),
                Decision::Go => opt_note(reason),
            };
            let after_no_go = match decision {
                Decision::Go => after_no_go(i)?,
                Decision::NoGo => false,
            };
            Change::Gate {
                item: item.clone(),
                decision: *decision,
                reason,
                after_no_go,
            }
        }
        Intent::Note { item, text } => {
            find(item)?;
            Change::Note {
                item: item.clone(),
                text: non_empty(text, "the note", true)?,
            }
        }
        Intent::Field {
            item,
            column,
            value,
        } => {
            let (i, _, text, _) = find(item)?;
            let tpl = &template.items[i];
            let Some(name) = tpl.fillable_field(column) else {
                return Err(IntentError::NoField {
                    text,
                    column: clean_line(column.trim()),
                    fillable: tpl.fillable.clone(),
                });
            };
            Change::Field {
                item: item.clone(),
                column: name.to_owned(),
                value: non_empty(value, "the value", false)?,
            }
        }
        Intent::Set { var, value } => {
            let mut var = clean_line(var.trim());
            let declared: Vec<&str> = template.settable_variables().collect();
            if !declared.contains(&var.as_str()) {
                // `deployment lead` for the placeholder labelled `Deployment Lead`.
                let mut same = declared.iter().filter(|d| d.eq_ignore_ascii_case(&var));
                if let (Some(one), None) = (same.next(), same.next()) {
                    var = (*one).to_owned();
                }
            }
            if template.secret_variables().contains(&var.as_str()) {
                return Err(IntentError::Secret(var));
            }
            if !declared.contains(&var.as_str()) && !run.vars.contains_key(&var) {
                return Err(IntentError::UnknownVar {
                    name: var,
                    known: if declared.is_empty() {
                        "(none)".to_owned()
                    } else {
                        declared.join(", ")
                    },
                });
            }
            Change::Set {
                var,
                value: clean_line(value),
            }
        }
        Intent::Undo => Change::Undo {
            target: run
                .last_undoable(actor)
                .ok_or_else(|| IntentError::NothingToUndo(actor.name.clone()))?,
        },
        Intent::UndoOf { target } => match run.last_undoable(actor) {
            Some(latest) if latest == *target => Change::Undo { target: latest },
            Some(latest) => {
                return Err(IntentError::UndoMoved {
                    named: *target,
                    latest: Some(latest),
                });
            }
            None => {
                return Err(IntentError::UndoMoved {
                    named: *target,
                    latest: None,
                });
            }
        },
        Intent::Finish | Intent::FinishAccepting { .. } => {
            let mut counts = Counts::default();
            let mut open = Vec::new();
            for i in 0..template.items.len() {
                let st = item_state(run, template, i).0;
                counts.add(st);
                if st == ItemState::Open && open.len() < 3 {
                    open.push(format!("“{}”", substitute(&template.items[i].text, &vars)));
                }
            }
            if counts.open > 0 {
                return Err(IntentError::OpenItems {
                    count: counts.open,
                    first: open.join(", "),
                });
            }
            if let Some(h) = run.active_hold() {
                return Err(IntentError::OnHold(format!(
                    "HOLD since {} by {}",
                    super::event::show_time(&h.at),
                    h.by.describe()
                )));
            }
            let summary = counts.exception_summary();
            match intent {
                Intent::FinishAccepting { reason } => Change::Finish {
                    reason: Some(non_empty(reason, "--reason", true)?),
                    exceptions: (!summary.is_empty()).then_some(summary),
                },
                _ if counts.failures() > 0 => return Err(IntentError::Exceptions { summary }),
                _ => Change::Finish {
                    reason: None,
                    exceptions: None,
                },
            }
        }
        Intent::Abort { reason } => Change::Abort {
            reason: non_empty(reason, "--reason", true)?,
        },
        Intent::Window {
            start,
            zone,
            end,
            reason,
        } => {
            let fmt =
                |t: &DateTime<FixedOffset>| zone.at(t).to_rfc3339_opts(SecondsFormat::Secs, false);
            Change::Window {
                start: fmt(start),
                zone: zone.name(),
                end: end.as_ref().filter(|e| *e > start).map(fmt),
                reason: non_empty(reason, "--reason", true)?,
            }
        }
        Intent::Hold { reason, gate } => {
            if let Some(h) = run.active_hold() {
                return Err(IntentError::OnHold(format!(
                    "HOLD already (since {} by {}: {})",
                    super::event::show_time(&h.at),
                    h.by.describe(),
                    h.reason.replace('\n', " ")
                )));
            }
            if let Some(g) = gate {
                find(g)?;
            }
            Change::Hold {
                reason: non_empty(reason, "--reason", true)?,
                gate: gate.clone(),
            }
        }
        Intent::Resume { reason } => {
            if run.blocking_seq().is_none() {
                return Err(IntentError::NotHeld);
            }
            Change::Resume {
                reason: non_empty(reason, "--reason", true)?,
            }
        }
        Intent::AfterNoGo(inner) => check_one(run, template, actor, inner, true)?,
        Intent::CommandFinished { .. } => command_finished(run, intent)?,
    })
}

/// `command_finished` for a command of the same target that has no result yet.
fn command_finished(run: &Run, intent: &Intent) -> Result<Change, IntentError> {
    let Intent::CommandFinished {
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
    } = intent
    else {
        return Err(IntentError::NoCommand(0));
    };
    let list = match (item, section) {
        (Some(id), None) => run.items.get(id).map(|r| r.commands.as_slice()),
        (None, Some(k)) => run.section_commands.get(k).map(Vec::as_slice),
        _ => None,
    };
    let open = list
        .unwrap_or_default()
        .iter()
        .any(|c| c.seq == *started && c.unfinished());
    if !open {
        return Err(IntentError::NoCommand(*started));
    }
    Ok(Change::CommandFinished {
        item: item.clone(),
        section: section.clone(),
        started: *started,
        end: *end,
        exit_code: *exit_code,
        signal: *signal,
        duration_ms: *duration_ms,
        output_bytes: *output_bytes,
        stored_bytes: *stored_bytes,
        output_sha256: output_sha256.clone(),
        error: error.clone(),
    })
}
