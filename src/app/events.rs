//! Events reaching the app: our own appends, other processes' appends (each folded once, in
//! order), and a re-base by another process.

use super::rows::{self, States};
use super::{App, Mode, Outcome, owned_vars, positions};
use crate::model::Template;
use crate::run::event::{Change, Decision, Event};
use crate::run::undo::{self, UndoPreview};

impl App {
    pub(super) fn applied(&mut self, ev: &Event) -> Outcome {
        self.unsaved.pop_front();
        if self.unsaved.is_empty() && self.not_saved.as_deref().is_some_and(is_slow_note) {
            self.not_saved = None;
        }
        if ev.seq != self.run.seq + 1 {
            // Never expected (the loop delivers every event in order); say so rather than guess.
            self.error(&format!(
                "journal event {} arrived out of order (expected {}): restart runsheet to reload",
                ev.seq,
                self.run.seq + 1
            ));
            return Outcome::redraw();
        }
        let undone = self.undone_by(ev);
        self.apply_event(ev);
        let item = ev.change.item().and_then(|id| self.states.index_of(id));
        match undone {
            Some(p) => self.info(&format!(
                "{} (by you {})",
                p.done(),
                ev.at.format("%H:%M:%S")
            )),
            None => {
                let verb = verb(&ev.change);
                self.info(&format!("{verb} by you {}", ev.at.format("%H:%M:%S")));
            }
        }
        let after_command = self.command_recorded(ev);
        if let Change::Gate {
            item: gate,
            decision: Decision::NoGo,
            ..
        } = &ev.change
        {
            // Our NO-GO: the operator chooses what follows it.
            self.queue_popup(Mode::AfterNoGo { gate: gate.clone() });
        }
        if let (Some(i), Some(w)) = (item, self.awaiting.clone())
            && ev.change.item() == Some(&w)
        {
            self.awaiting = None;
            let next = self
                .first_open_from(self.cursor + 1)
                .or_else(|| self.first_open_from(0));
            if self.states.get(i).is_closed()
                && let Some(next) = next
            {
                self.cursor = next;
                self.detail_scroll = 0;
            }
        }
        self.after_change();
        after_command.unwrap_or_else(Outcome::redraw)
    }

    pub(super) fn remote(&mut self, events: &[Event]) -> Outcome {
        let mut last = None;
        let fresh: Vec<&Event> = events.iter().filter(|e| e.seq > self.run.seq).collect();
        for (k, ev) in fresh.iter().enumerate() {
            // Only the last event is described; an undo is named before it is applied.
            let undone = if k + 1 == fresh.len() {
                self.undone_by(ev)
            } else {
                None
            };
            self.apply_event(ev);
            last = Some((*ev, undone));
        }
        if let Some((ev, undone)) = last {
            let what = match undone {
                Some(p) => p.done(),
                None => {
                    let item = ev
                        .change
                        .item()
                        .and_then(|id| self.states.index_of(id))
                        .map(|i| format!(" “{}”", self.item_text(i)))
                        .unwrap_or_default();
                    format!("{}{item}", verb(&ev.change))
                }
            };
            let why = match &ev.change {
                Change::Hold { reason, .. } | Change::Resume { reason } => {
                    format!(": {}", reason.replace('\n', " "))
                }
                _ => String::new(),
            };
            self.info(&format!(
                "{} {what} {}{why}",
                ev.by.name,
                ev.at.format("%H:%M:%S")
            ));
            self.after_change();
        }
        Outcome::redraw()
    }

    /// What an undo event reverts, named before it is applied (for its message).
    fn undone_by(&mut self, ev: &Event) -> Option<UndoPreview> {
        let Change::Undo { target } = ev.change else {
            return None;
        };
        self.pending_undo
            .take()
            .filter(|p| p.seq == target)
            .or_else(|| undo::describe(&self.run, &self.template, target))
    }

    pub(super) fn apply_event(&mut self, ev: &Event) {
        self.run.apply(ev);
        match &ev.change {
            Change::Undo { .. } | Change::Rebase { .. } => {
                self.states = States::new(&self.run, &self.template);
                self.refresh_commands();
                // An undo may revert a window.
                self.plan = crate::run::schedule::Schedule::new(&self.run, &self.template);
            }
            Change::Window { .. } => {
                self.plan = crate::run::schedule::Schedule::new(&self.run, &self.template);
            }
            Change::Set { .. } => self.vars = owned_vars(&self.run),
            Change::CommandStarted { .. } | Change::CommandFinished { .. } => {
                self.refresh_commands();
                if let Some(i) = ev.change.item().and_then(|id| self.states.index_of(id)) {
                    self.states.refresh(&self.run, &self.template, i);
                }
            }
            c => {
                if let Some(i) = c.item().and_then(|id| self.states.index_of(id)) {
                    self.states.refresh(&self.run, &self.template, i);
                }
            }
        }
        self.blocker = crate::run::gates::blocker(&self.run);
        self.reslot();
        self.refresh_gate_scope();
    }

    /// Another process re-based the run: its events are applied; the rows follow the new template.
    /// The cursor stays on the same item (by id) where it still exists; popups keep their item id.
    pub(super) fn rebased(&mut self, template: Template) {
        let current = self
            .current_item()
            .and_then(|i| self.template.items.get(i))
            .map(|i| i.id.clone());
        if template.sections.len() != self.template.sections.len() {
            self.folded = vec![false; template.sections.len()];
        }
        self.states = States::new(&self.run, &template);
        self.all_rows = rows::all_rows(&template);
        (self.item_pos, self.section_pos) = positions(
            &self.all_rows,
            template.items.len(),
            template.sections.len(),
        );
        self.template = std::sync::Arc::new(template);
        self.replan();
        self.refresh_gate_scope();
        self.found = None;
        self.rebuild_visible();
        if let Some(i) = current.and_then(|id| self.states.index_of(&id)) {
            self.reveal(i);
        }
        self.info("the run was re-based onto a changed template: rows follow it");
        self.after_change();
    }

    fn after_change(&mut self) {
        if self.states.all.open == 0
            && self.run.is_active()
            && !self.summary_shown
            && self.mode == Mode::Normal
        {
            self.summary_shown = true;
            self.mode = Mode::Summary;
        }
        if self.states.all.open > 0 {
            self.summary_shown = false;
        }
        self.ensure_visible();
    }
}

/// Whether the NOT SAVED banner only said a write was slow (not that it failed).
fn is_slow_note(s: &str) -> bool {
    s.starts_with("waiting to write")
}

fn verb(c: &Change) -> &'static str {
    match c {
        Change::Gate {
            decision: Decision::Go,
            ..
        } => "decided GO",
        Change::Gate { .. } => "decided NO-GO",
        c => c.kind_of().verb(),
    }
}
