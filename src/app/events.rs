//! Events reaching the app: our own appends, other processes' appends (each folded once, in
//! order), and a re-base by another process.

use super::rows::{self, States};
use super::{App, Mode, Outcome, owned_vars, positions};
use crate::model::Template;
use crate::run::event::{Change, Decision, Event};

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
        self.apply_event(ev);
        let item = ev.change.item().and_then(|id| self.states.index_of(id));
        let verb = verb(&ev.change);
        self.info(&format!("{verb} by you {}", ev.at.format("%H:%M:%S")));
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
        Outcome::redraw()
    }

    pub(super) fn remote(&mut self, events: &[Event]) -> Outcome {
        let mut last = None;
        for ev in events {
            if ev.seq <= self.run.seq {
                continue;
            }
            self.apply_event(ev);
            last = Some(ev);
        }
        if let Some(ev) = last {
            let what = ev
                .change
                .item()
                .and_then(|id| self.states.index_of(id))
                .map(|i| format!(" “{}”", self.item_text(i)))
                .unwrap_or_default();
            self.info(&format!(
                "{} {}{what} {}",
                ev.by.name,
                verb(&ev.change),
                ev.at.format("%H:%M:%S")
            ));
            self.after_change();
        }
        Outcome::redraw()
    }

    fn apply_event(&mut self, ev: &Event) {
        self.run.apply(ev);
        match &ev.change {
            Change::Undo { .. } | Change::Rebase { .. } => {
                self.states = States::new(&self.run, &self.template)
            }
            Change::Set { .. } => self.vars = owned_vars(&self.run),
            c => {
                if let Some(i) = c.item().and_then(|id| self.states.index_of(id)) {
                    self.states.refresh(&self.run, &self.template, i);
                }
            }
        }
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
