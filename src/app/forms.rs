//! Popups that take text: note editor, reasons, sign-off and the variables form (the gate dialog
//! is in `gate.rs`, run-level changes in `runlevel.rs`, the window in `window.rs`). Every popup is
//! one method taking its mode's fields and returning the next mode and what the loop must do;
//! [`App::popup`] only dispatches.

use super::editor::Editor;
use super::key::{KeyCode, KeyPress};
use super::{Action, App, Mode, Outcome, ReasonKind};
use crate::model::ItemId;
use crate::run::intent::Intent;

/// The next mode, and what the loop must do (`None`: just redraw).
pub(super) type Step = (Mode, Option<Outcome>);

impl App {
    pub(super) fn popup(&mut self, action: Action) -> Outcome {
        let mode = std::mem::replace(&mut self.mode, Mode::Normal);
        let (mode, out) = match mode {
            Mode::Normal => (Mode::Normal, None),
            Mode::Help { scroll } => self.help_key(scroll, action),
            Mode::Timeline { scroll } => self.timeline_key(scroll, action),
            Mode::Summary => self.summary_key(action),
            Mode::Zoom { scroll, hscroll } => self.zoom_key(scroll, hscroll, action),
            Mode::Copy { from_zoom } => self.copy_key(from_zoom, action),
            Mode::Messages { scroll } => self.messages_key(scroll, action),
            Mode::Note { item, editor } => self.note_key(item, editor, action),
            Mode::Reason { item, kind, editor } => self.reason_key(item, kind, editor, action),
            Mode::Field {
                item,
                column,
                editor,
            } => self.field_key(item, column, editor, action),
            Mode::Sign { item, name } => self.sign_key(item, name, action),
            Mode::Gate {
                item,
                decision,
                reason,
                scope,
            } => self.gate_key(item, decision, reason, scope, action),
            Mode::Confirm(q) => self.confirm_key(*q, action),
            Mode::AfterNoGo { gate } => self.after_no_go_key(gate, action),
            Mode::RunReason { kind, editor } => self.run_reason_key(kind, editor, action),
            Mode::Window {
                initial,
                start,
                prefill,
                error,
            } => self.window_key(initial, start, prefill, error, action),
            Mode::Info { scroll } => self.info_key(scroll, action),
            Mode::Search {
                query,
                origin,
                fuzzy,
            } => self.search_key(query, origin, fuzzy, action),
            Mode::Vars {
                names,
                current,
                editor,
            } => self.vars_key(names, current, editor, action),
            Mode::RunConfirm {
                preview,
                code,
                blocked,
                ..
            } => self.run_confirm_key(preview, code, blocked, action),
            Mode::Secret {
                target,
                names,
                current,
                editor,
            } => self.secret_key(target, names, current, editor, action),
            Mode::CommandDone { item, ok } => self.command_done_key(item, ok, action),
            Mode::CommandNote { item, ok, editor } => {
                self.command_note_key(item, ok, editor, action)
            }
            Mode::Output { scroll } => self.output_key(scroll, action),
        };
        self.mode = mode;
        if self.mode == Mode::Normal && !self.open_queued() {
            self.open_next_draft();
        }
        self.ensure_visible();
        out.unwrap_or_else(Outcome::redraw)
    }

    fn note_key(&mut self, item: ItemId, mut editor: Editor, action: Action) -> Step {
        match action {
            Action::Submit if editor.is_blank() => (Mode::Normal, None),
            Action::Submit => {
                let text = editor.text();
                (
                    Mode::Normal,
                    Some(Outcome::append(Intent::Note { item, text })),
                )
            }
            Action::Cancel => (Mode::Normal, None),
            Action::ExternalEditor => {
                let text = editor.text();
                (
                    Mode::Note { item, editor },
                    Some(Outcome {
                        external_edit: Some(text),
                        ..Outcome::default()
                    }),
                )
            }
            Action::EditorDone(text) => {
                if let Some(t) = text {
                    editor = Editor::multi(t.trim_end_matches('\n'));
                }
                (Mode::Note { item, editor }, None)
            }
            other => {
                edit(&mut editor, other);
                (Mode::Note { item, editor }, None)
            }
        }
    }

    fn reason_key(
        &mut self,
        item: ItemId,
        kind: ReasonKind,
        mut editor: Editor,
        action: Action,
    ) -> Step {
        match action {
            Action::Submit if editor.is_blank() => {
                self.error("a reason is required");
                (Mode::Reason { item, kind, editor }, None)
            }
            Action::Submit => {
                let text = editor.text();
                let intent = match kind {
                    ReasonKind::Skip => Intent::Skip {
                        item: item.clone(),
                        reason: text,
                    },
                    ReasonKind::Na => Intent::Na {
                        item: item.clone(),
                        reason: text,
                    },
                    ReasonKind::Fail => Intent::Fail {
                        item: item.clone(),
                        note: text,
                    },
                };
                (Mode::Normal, Some(self.expect(item, intent)))
            }
            Action::Cancel => (Mode::Normal, None),
            other => {
                edit(&mut editor, other);
                (Mode::Reason { item, kind, editor }, None)
            }
        }
    }

    /// The fillable columns of an item, and the value each holds now (filled in during the run).
    pub fn fillable_values(&self, item: &ItemId) -> Vec<(String, Option<String>)> {
        let Some(tpl) = self
            .item_index(item)
            .and_then(|i| self.template.items.get(i))
        else {
            return Vec::new();
        };
        let record = self.run.items.get(item);
        tpl.fillable
            .iter()
            .map(|c| {
                let v = record.and_then(|r| r.field(c)).map(|f| f.value.clone());
                (c.clone(), v)
            })
            .collect()
    }

    /// Opens the field editor on the item's first blank fillable column (else its first one).
    pub(super) fn open_field(&mut self, item: ItemId) {
        let columns = self.fillable_values(&item);
        if columns.is_empty() {
            self.info("this item has no blank cells to fill in (only status-table rows do)");
            return;
        }
        let column = columns.iter().position(|(_, v)| v.is_none()).unwrap_or(0);
        let editor = Editor::single(columns[column].1.as_deref().unwrap_or(""));
        self.mode = Mode::Field {
            item,
            column,
            editor,
        };
    }

    fn field_key(
        &mut self,
        item: ItemId,
        column: usize,
        mut editor: Editor,
        action: Action,
    ) -> Step {
        let columns = self.fillable_values(&item);
        let Some((name, _)) = columns.get(column).cloned() else {
            return (Mode::Normal, None);
        };
        match action {
            Action::Submit if editor.is_blank() => {
                self.error(&format!("give a value for {name} (Esc leaves it blank)"));
                (
                    Mode::Field {
                        item,
                        column,
                        editor,
                    },
                    None,
                )
            }
            Action::Submit => {
                let intent = Intent::Field {
                    item: item.clone(),
                    column: name,
                    value: editor.text(),
                };
                (Mode::Normal, Some(self.expect(item, intent)))
            }
            Action::Cancel => (Mode::Normal, None),
            Action::Toggle => {
                let next = (column + 1) % columns.len();
                let editor = Editor::single(columns[next].1.as_deref().unwrap_or(""));
                (
                    Mode::Field {
                        item,
                        column: next,
                        editor,
                    },
                    None,
                )
            }
            other => {
                edit(&mut editor, other);
                (
                    Mode::Field {
                        item,
                        column,
                        editor,
                    },
                    None,
                )
            }
        }
    }

    fn sign_key(&mut self, item: ItemId, mut name: Editor, action: Action) -> Step {
        match action {
            Action::Submit if name.is_blank() => {
                self.error("the signer's name is required");
                (Mode::Sign { item, name }, None)
            }
            Action::Submit => {
                let typed = name.text().trim().to_owned();
                let signer = (typed != self.actor.name).then(|| typed.clone());
                let intent = Intent::Sign {
                    item: item.clone(),
                    signer,
                };
                match self.item_index(&item) {
                    Some(index) => {
                        let what = format!("sign-off “{}” as {typed}", self.item_text(index));
                        self.proceed(index, item, intent, what)
                    }
                    None => (Mode::Normal, Some(self.expect(item, intent))),
                }
            }
            Action::Cancel => (Mode::Normal, None),
            other => {
                edit(&mut name, other);
                (Mode::Sign { item, name }, None)
            }
        }
    }

    fn vars_key(
        &mut self,
        names: Vec<String>,
        current: usize,
        mut editor: Editor,
        action: Action,
    ) -> Step {
        match action {
            Action::Submit if editor.is_blank() => {
                self.error("type a value, or Esc to set variables later");
                (
                    Mode::Vars {
                        names,
                        current,
                        editor,
                    },
                    None,
                )
            }
            Action::Submit => {
                let out = names.get(current).map(|var| {
                    Outcome::append(Intent::Set {
                        var: var.clone(),
                        value: editor.text().trim().to_owned(),
                    })
                });
                let next = if current + 1 < names.len() {
                    Mode::Vars {
                        names,
                        current: current + 1,
                        editor: Editor::single(""),
                    }
                } else {
                    Mode::Normal
                };
                (next, out)
            }
            Action::Cancel => {
                self.info("variables can be set later: runsheet set RUN NAME VALUE");
                (Mode::Normal, None)
            }
            other => {
                edit(&mut editor, other);
                (
                    Mode::Vars {
                        names,
                        current,
                        editor,
                    },
                    None,
                )
            }
        }
    }

    /// Queues drafts saved by an earlier session of this operator; the first opens now (or as soon
    /// as nothing else is on screen), the next when it is saved or discarded.
    pub(super) fn offer_drafts(&mut self, drafts: Vec<Draft>) {
        self.drafts.extend(drafts);
        if self.mode == Mode::Normal {
            self.open_next_draft();
        }
    }

    fn open_next_draft(&mut self) {
        while let Some(d) = self.drafts.pop_front() {
            let id = ItemId::new(d.item.clone());
            let Some(i) = self.item_index(&id) else {
                self.error(&format!(
                    "an unsaved note for {} is kept (the item is gone): {}",
                    d.item, d.text
                ));
                continue;
            };
            self.reveal(i);
            self.mode = Mode::Note {
                item: id,
                editor: Editor::multi(&d.text),
            };
            let more = if self.drafts.is_empty() {
                String::new()
            } else {
                format!(" ({} more after this one)", self.drafts.len())
            };
            self.info(&format!(
                "restored your unsaved note: Ctrl-S saves it, Esc discards it{more}"
            ));
            return;
        }
    }
}

use super::Draft;

/// Feeds an editing action to an editor; returns whether the text may have changed.
pub(super) fn edit(editor: &mut Editor, action: Action) -> bool {
    match action {
        Action::Edit(k) => editor.key(k),
        Action::Paste(t) => {
            editor.insert_str(&t);
            true
        }
        Action::Up => editor.key(KeyPress::plain(KeyCode::Up)),
        Action::Down => editor.key(KeyPress::plain(KeyCode::Down)),
        _ => false,
    }
}
