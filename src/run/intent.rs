//! What an operator asks for, checked against the run and its template before anything is appended.
//!
//! [`check`] turns an [`Intent`] into the [`Change`] to append, or says why not. The store calls it
//! under the journal lock, after catching up with other processes' events, so the check sees the
//! latest state.

use super::Run;
use super::event::{Actor, Change, Decision};
use super::state::ItemState;
use super::vars::substitute;
use super::view::item_state;
use crate::model::{ItemId, ItemKind, Template};
use crate::text::sanitize::{clean_line, clean_multiline};

/// A requested change.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Complete the run.
    Finish,
    /// Abandon the run.
    Abort {
        /// Why.
        reason: String,
    },
}

/// Why a change is refused. Nothing is appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntentError {
    /// The run is completed or aborted.
    #[error("run {id} is {status}: it takes no more changes")]
    Closed {
        /// Run id.
        id: String,
        /// `completed` or `aborted`.
        status: &'static str,
    },
    /// No such item in the template.
    #[error("no item {0} in the template this run follows")]
    UnknownItem(ItemId),
    /// The command does not fit the item's kind.
    #[error("“{text}” is a {kind} item: {hint}")]
    WrongKind {
        /// Item text.
        text: String,
        /// Its kind.
        kind: &'static str,
        /// What to use instead.
        hint: &'static str,
    },
    /// The item already has that state.
    #[error("“{text}” is already {state}{who}")]
    Already {
        /// Item text.
        text: String,
        /// State.
        state: ItemState,
        /// ` (by …, at …)` when known.
        who: String,
    },
    /// A reason, note or text is required.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// Variable not declared by the template.
    #[error("the template has no variable {name}; it has: {known}")]
    UnknownVar {
        /// Name given.
        name: String,
        /// Declared names.
        known: String,
    },
    /// The item has no blank cell under that column.
    #[error("“{text}” has no field {column} to fill in; {}", fillable_hint(.fillable))]
    NoField {
        /// Item text.
        text: String,
        /// Column given.
        column: String,
        /// Its fillable columns.
        fillable: Vec<String>,
    },
    /// Nothing of this operator's to undo.
    #[error("nothing of {0}'s to undo")]
    NothingToUndo(String),
    /// Items still open.
    #[error("{count} item(s) still open, e.g. {first}: tick, skip or n/a them first")]
    OpenItems {
        /// How many.
        count: usize,
        /// The first few, quoted.
        first: String,
    },
}

fn fillable_hint(fillable: &[String]) -> String {
    if fillable.is_empty() {
        "it has none (only the empty cells of a status-table row are fields)".to_owned()
    } else {
        format!("its fields: {}", fillable.join(", "))
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
    let closed = || IntentError::Closed {
        id: run.id.clone(),
        status: run.lifecycle.as_str(),
    };
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
            Change::Tick {
                item: item.clone(),
                note: opt_note(note),
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
            Change::Sign {
                item: item.clone(),
                signer,
                role: template.items[i].role.clone(),
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
            Change::Gate {
                item: item.clone(),
                decision: *decision,
                reason,
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
        Intent::Finish => {
            let open: Vec<String> = (0..template.items.len())
                .filter(|&i| item_state(run, template, i).0 == ItemState::Open)
                .map(|i| format!("“{}”", substitute(&template.items[i].text, &vars)))
                .collect();
            if !open.is_empty() {
                return Err(IntentError::OpenItems {
                    count: open.len(),
                    first: open.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
                });
            }
            Change::Finish
        }
        Intent::Abort { reason } => Change::Abort {
            reason: non_empty(reason, "--reason", true)?,
        },
    })
}

/// How an `ITEM` argument matched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemQueryError {
    /// Nothing matched.
    #[error(
        "no item matches “{0}” (give an item id or part of its text; `runsheet status RUN` lists them)"
    )]
    NoMatch(String),
    /// Several matched.
    #[error("“{query}” matches {} items; be more specific or use an id:\n{}", .candidates.len(), .candidates.iter().map(|(id, t)| format!("  {id}  {t}")).collect::<Vec<_>>().join("\n"))]
    Ambiguous {
        /// The query.
        query: String,
        /// Matching (id, text).
        candidates: Vec<(String, String)>,
    },
}

/// Finds an item by id, or by a unique case-insensitive substring of its text (as written or with
/// variables substituted). A text equal to the query wins over longer texts containing it.
pub fn find_item(run: &Run, template: &Template, query: &str) -> Result<ItemId, ItemQueryError> {
    let q = query.trim();
    if let Some(item) = template.items.iter().find(|i| i.id.as_str() == q) {
        return Ok(item.id.clone());
    }
    let vars = run.var_values();
    let lower = q.to_lowercase();
    let mut exact = Vec::new();
    let mut partial = Vec::new();
    for item in &template.items {
        let shown = substitute(&item.text, &vars);
        let texts = [item.text.to_lowercase(), shown.to_lowercase()];
        if texts.iter().any(|t| t.trim() == lower) {
            exact.push((item.id.to_string(), shown.into_owned()));
        } else if !lower.is_empty() && texts.iter().any(|t| t.contains(&lower)) {
            partial.push((item.id.to_string(), shown.into_owned()));
        }
    }
    let pick = if exact.is_empty() { partial } else { exact };
    match pick.len() {
        0 => Err(ItemQueryError::NoMatch(q.to_owned())),
        1 => Ok(ItemId(pick[0].0.clone())),
        _ => Err(ItemQueryError::Ambiguous {
            query: q.to_owned(),
            candidates: pick,
        }),
    }
}
