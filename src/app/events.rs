//! Events reaching the app: our own appends, other processes' appends, reloads from the store.

use super::rows::{self, States};
use super::{App, Mode, Outcome, owned_vars};
use crate::model::Template;
use crate::run::Run;
use crate::run::event::{Change, Decision, Event};

impl App {
    pub(super) fn applied(&mut self, ev: &Event) -> Outcome {
        if ev.seq != self.run.seq + 1 {
            return Outcome::redraw();
        }
        self.apply_event(ev);
        let item = ev.change.item().and_then(|id| self.states.index_of(id));
        let verb = verb(&ev.change);
        self.info(&format!("{verb} by you {}", ev.at.format("%H:%M:%S")));
        if let (Some(i), Some(w)) = (item, self.awaiting)
            && i == w
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

    pub(super) fn reload(&mut self, run: Run, template: Template) {
        let current = self.current_item();
        if template.sections.len() != self.template.sections.len() {
            self.folded = vec![false; template.sections.len()];
        }
        self.states = States::new(&run, &template);
        self.all_rows = rows::all_rows(&template);
        self.vars = owned_vars(&run);
        self.run = run;
        self.template = template;
        self.rebuild_visible();
        if let Some(i) = current.filter(|i| *i < self.template.items.len()) {
            self.reveal(i);
        }
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

fn verb(c: &Change) -> &'static str {
    match c {
        Change::Tick { .. } => "ticked",
        Change::Untick { .. } => "reopened",
        Change::Skip { .. } => "skipped",
        Change::Na { .. } => "marked n/a",
        Change::Fail { .. } => "marked failed",
        Change::Gate {
            decision: Decision::Go,
            ..
        } => "decided GO",
        Change::Gate { .. } => "decided NO-GO",
        Change::Sign { .. } => "signed",
        Change::Note { .. } => "noted",
        Change::Field { .. } => "filled in a field",
        Change::Set { .. } => "set a variable",
        Change::Undo { .. } => "undid a change",
        Change::Finish => "finished the run",
        Change::Abort { .. } => "aborted the run",
        Change::Rebase { .. } => "re-based the run",
        Change::Start { .. } => "started the run",
    }
}
