//! Gates with consequences on the screen: the gate dialog (nothing chosen at first, the gate's
//! scope listed, GO and NO-GO each a key, the reasons the config asks for), the choice after our
//! NO-GO (hold, the rollback section, abort), and the question before a tick, sign-off or GO that
//! would come after an unresolved NO-GO or during a HOLD.

use super::editor::Editor;
use super::forms::{Step, edit};
use super::rows::Row;
use super::{Action, App, Mode, Question, RunReasonKind};
use crate::config::GoReason;
use crate::model::ItemId;
use crate::run::event::Decision;
use crate::run::gates::{self, Blocker};
use crate::run::intent::Intent;

impl App {
    /// Opens the gate dialog on `item` with nothing chosen.
    pub(super) fn open_gate(&mut self, item: ItemId) {
        let scope = self.scope_of(&item);
        self.mode = Mode::Gate {
            item,
            decision: None,
            reason: Editor::single(""),
            scope,
        };
    }

    /// What is still open, failed or NO-GO in a gate's scope.
    fn scope_of(&self, gate: &ItemId) -> Vec<usize> {
        self.item_index(gate)
            .map(|g| gates::gate_scope(&self.run, &self.template, g))
            .unwrap_or_default()
    }

    /// Keeps the open gate dialog's scope current (after an event or a re-base).
    pub(super) fn refresh_gate_scope(&mut self) {
        let item = match &self.mode {
            Mode::Gate { item, .. } => item.clone(),
            _ => return,
        };
        let fresh = self.scope_of(&item);
        if let Mode::Gate { scope, .. } = &mut self.mode {
            *scope = fresh;
        }
    }

    pub(super) fn gate_key(
        &mut self,
        item: ItemId,
        decision: Option<Decision>,
        mut reason: Editor,
        scope: Vec<usize>,
        action: Action,
    ) -> Step {
        let gate = |decision, reason| Mode::Gate {
            item: item.clone(),
            decision,
            reason,
            scope: scope.clone(),
        };
        match (action, decision) {
            (Action::Go, _) => (gate(Some(Decision::Go), reason), None),
            (Action::NoGo, _) => (gate(Some(Decision::NoGo), reason), None),
            (Action::Toggle, Some(d)) => {
                let d = match d {
                    Decision::Go => Decision::NoGo,
                    Decision::NoGo => Decision::Go,
                };
                (gate(Some(d), reason), None)
            }
            (Action::Cancel, _) => (Mode::Normal, None),
            (Action::Submit, None) => {
                self.error("choose first: g for GO, n for NO-GO");
                (gate(None, reason), None)
            }
            (Action::Submit, Some(Decision::NoGo)) if reason.is_blank() => {
                self.error("NO-GO needs a reason");
                (gate(decision, reason), None)
            }
            (Action::Submit, Some(Decision::Go))
                if reason.is_blank() && self.settings.go_reason == GoReason::Required =>
            {
                self.error(
                    "a GO needs a reason here (config.toml: [gates] go_reason = \"required\")",
                );
                (gate(decision, reason), None)
            }
            (Action::Submit, Some(d)) => {
                let text = reason.text();
                let intent = Intent::Gate {
                    item: item.clone(),
                    decision: d,
                    reason: (!text.trim().is_empty()).then_some(text),
                };
                match (d, self.item_index(&item)) {
                    (Decision::Go, Some(index)) => {
                        let what = format!("GO on “{}”", self.item_text(index));
                        self.proceed(index, item.clone(), intent, what)
                    }
                    _ => (Mode::Normal, Some(self.expect(item.clone(), intent))),
                }
            }
            (other, Some(_)) => {
                edit(&mut reason, other);
                (gate(decision, reason), None)
            }
            (_, None) => (gate(None, reason), None),
        }
    }

    /// Sends a tick, sign-off or GO on item `index`, or first asks whether to record it after the
    /// unresolved NO-GO (or during the HOLD); items of a rollback section never ask.
    pub(super) fn proceed(
        &mut self,
        index: usize,
        item: ItemId,
        intent: Intent,
        what: String,
    ) -> Step {
        match gates::needs_confirmation(&self.run, &self.template, index) {
            Some(b) => {
                let (title, first, flag) = match &b {
                    Blocker::NoGo { gate, .. } => (
                        " after NO-GO ",
                        format!("after NO-GO on “{}” — record anyway?", self.gate_text(gate)),
                        "It is recorded as made after the NO-GO (flagged in the record).",
                    ),
                    Blocker::Hold { by, at, .. } => (
                        " during HOLD ",
                        format!(
                            "during the HOLD (since {} by {}) — record anyway?",
                            at.format("%H:%M"),
                            by.name
                        ),
                        "It is recorded as made during the HOLD (flagged in the record).",
                    ),
                };
                let q = Question {
                    title: title.to_owned(),
                    lines: vec![first, what, self.blocker_text_of(&b, true), flag.to_owned()],
                    intent: Intent::AfterNoGo(Box::new(intent)),
                    item: Some(item),
                    undo: None,
                };
                (Mode::Confirm(Box::new(q)), None)
            }
            None => (Mode::Normal, Some(self.expect(item, intent))),
        }
    }

    fn gate_text(&self, gate: &ItemId) -> String {
        self.item_index(gate)
            .map_or_else(|| gate.to_string(), |i| self.item_text(i).into_owned())
    }

    /// The unresolved NO-GO or the HOLD in force, if any.
    pub fn blocker(&self) -> Option<&Blocker> {
        self.blocker.as_ref()
    }

    /// [`App::blocker_text_of`] for the header: the gate's text cut to `gate_w` columns, so who
    /// and why stay on screen.
    pub fn blocker_brief(&self, b: &Blocker, gate_w: usize, ellipsis: &str) -> String {
        match b {
            Blocker::NoGo {
                gate,
                by,
                at,
                reason,
                ..
            } => format!(
                "NO-GO on “{}” by {} {}{}",
                super::width::fit(&self.gate_text(gate), gate_w, ellipsis),
                by.name,
                at.format("%H:%M"),
                reason
                    .as_deref()
                    .map(|r| format!(": {}", r.replace('\n', " ")))
                    .unwrap_or_default()
            ),
            Blocker::Hold { .. } => self.blocker_text_of(b, false),
        }
    }

    /// `NO-GO on “Go/No-Go” by Alice 08:51: error rate 2%`, `HOLD since 08:52 by Bob: waiting for
    /// the DBA`; with `long`, who is `Alice (alice@bastion)`.
    pub fn blocker_text_of(&self, b: &Blocker, long: bool) -> String {
        let who = |a: &crate::run::event::Actor| {
            if long { a.describe() } else { a.name.clone() }
        };
        match b {
            Blocker::NoGo {
                gate,
                by,
                at,
                reason,
                ..
            } => format!(
                "NO-GO on “{}” by {} {}{}",
                self.gate_text(gate),
                who(by),
                at.format("%H:%M"),
                reason
                    .as_deref()
                    .map(|r| format!(": {}", r.replace('\n', " ")))
                    .unwrap_or_default()
            ),
            Blocker::Hold { by, at, reason, .. } => format!(
                "HOLD since {} by {}: {}",
                at.format("%H:%M"),
                who(by),
                reason.replace('\n', " ")
            ),
        }
    }

    /// The choice after our NO-GO.
    pub(super) fn after_no_go_key(&mut self, gate: ItemId, action: Action) -> Step {
        match action {
            Action::Hold => (
                Mode::RunReason {
                    kind: RunReasonKind::Hold { gate: Some(gate) },
                    editor: Editor::multi(""),
                },
                None,
            ),
            Action::Rollback => match gates::rollback_section(&self.template) {
                Some(s) => {
                    self.goto_rollback(s);
                    (Mode::Normal, None)
                }
                None => {
                    self.error(
                        "this template has no rollback section (a section titled rollback / roll back / back-out / revert)",
                    );
                    (Mode::AfterNoGo { gate }, None)
                }
            },
            Action::Abort => (
                Mode::RunReason {
                    kind: RunReasonKind::Abort,
                    editor: Editor::multi(""),
                },
                None,
            ),
            Action::Cancel => {
                self.info(
                    "the NO-GO stays unresolved: ticks ask first · P holds · R resumes · A aborts",
                );
                (Mode::Normal, None)
            }
            _ => (Mode::AfterNoGo { gate }, None),
        }
    }

    /// Puts the cursor on the rollback section, unfolded (and what holds it).
    pub(super) fn goto_rollback(&mut self, section: usize) {
        if let Some(f) = self.folded.get_mut(section) {
            *f = false;
        }
        self.rebuild_visible();
        self.reveal_row(Row::Section(section));
        let title = self
            .template
            .sections
            .get(section)
            .map(|s| self.subst(&s.title).into_owned())
            .unwrap_or_default();
        self.info(&format!(
            "rollback: “{title}” — its items need no confirmation after the NO-GO"
        ));
    }

    /// Whether a queued popup still makes sense when its turn comes.
    pub(super) fn still_relevant(&self, mode: &Mode) -> bool {
        match mode {
            Mode::AfterNoGo { gate } => {
                self.run.is_active() && self.run.open_no_go.contains_key(gate)
            }
            Mode::Window { initial: true, .. } => {
                self.run.is_active() && self.plan.window.is_guess()
            }
            _ => true,
        }
    }

    /// Opens `mode` now if nothing else is on screen, else when the screen is free.
    pub(super) fn queue_popup(&mut self, mode: Mode) {
        if self.mode == Mode::Normal {
            self.mode = mode;
        } else {
            self.queued.push_back(mode);
        }
    }

    /// The next queued popup that still makes sense, if any; `true` when one opened.
    pub(super) fn open_queued(&mut self) -> bool {
        while let Some(m) = self.queued.pop_front() {
            if self.still_relevant(&m) {
                self.mode = m;
                return true;
            }
        }
        false
    }
}
