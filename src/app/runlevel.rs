//! Changes to the run itself, from the keyboard: HOLD, resume, abort, finishing with exceptions
//! and moving the window. Each takes a reason (it is recorded); abort and a finish with
//! exceptions ask once more before they are sent.

use super::editor::Editor;
use super::forms::{Step, edit};
use super::{Action, App, Mode, Outcome, Question, RunReasonKind};
use crate::run::intent::Intent;

impl App {
    /// `P` (hold), `R` (resume), `A` (abort), `w` (window) from the list.
    pub(super) fn run_action(&mut self, action: Action) -> Outcome {
        if !self.run.is_active() {
            self.error(&format!(
                "the run is {}: it takes no more changes",
                self.run.lifecycle.as_str()
            ));
            return Outcome::redraw();
        }
        let kind = match action {
            Action::Hold => {
                if let Some(h) = self.run.active_hold() {
                    let text = format!(
                        "the run is on HOLD already (since {} by {}): R resumes it",
                        h.at.format("%H:%M"),
                        h.by.name
                    );
                    self.error(&text);
                    return Outcome::redraw();
                }
                let gate = self
                    .run
                    .open_no_go
                    .iter()
                    .max_by_key(|(_, s)| **s)
                    .map(|(g, _)| g.clone());
                RunReasonKind::Hold { gate }
            }
            Action::Resume => {
                if self.blocker.is_none() {
                    self.info(
                        "nothing to resume: the run is not on HOLD and no NO-GO is unresolved",
                    );
                    return Outcome::redraw();
                }
                RunReasonKind::Resume
            }
            Action::Abort => RunReasonKind::Abort,
            Action::Window => {
                self.open_window(false);
                return Outcome::redraw();
            }
            _ => return Outcome::default(),
        };
        self.mode = Mode::RunReason {
            kind,
            editor: Editor::multi(""),
        };
        Outcome::redraw()
    }

    /// Finishing from the summary: failed items or NO-GO decisions need a reason and a
    /// confirmation (`FinishAccepting`); otherwise the finish is sent (the run refuses it while
    /// items are open, and says which).
    pub(super) fn start_finish(&mut self) -> Step {
        let c = self.states.all;
        if c.open == 0 && c.failures() > 0 {
            let kind = RunReasonKind::FinishAccepting {
                exceptions: c.exception_summary(),
            };
            return (
                Mode::RunReason {
                    kind,
                    editor: Editor::multi(""),
                },
                None,
            );
        }
        (Mode::Normal, Some(Outcome::append(Intent::Finish)))
    }

    pub(super) fn run_reason_key(
        &mut self,
        kind: RunReasonKind,
        mut editor: Editor,
        action: Action,
    ) -> Step {
        match action {
            Action::Submit if editor.is_blank() => {
                self.error("a reason is required (it is recorded)");
                (Mode::RunReason { kind, editor }, None)
            }
            Action::Submit => {
                let reason = editor.text();
                match kind {
                    RunReasonKind::Hold { gate } => (
                        Mode::Normal,
                        Some(Outcome::append(Intent::Hold { reason, gate })),
                    ),
                    RunReasonKind::Resume => (
                        Mode::Normal,
                        Some(Outcome::append(Intent::Resume { reason })),
                    ),
                    RunReasonKind::Window {
                        start, zone, end, ..
                    } => (
                        Mode::Normal,
                        Some(Outcome::append(Intent::Window {
                            start,
                            zone,
                            end,
                            reason,
                        })),
                    ),
                    RunReasonKind::Abort => {
                        let q = Question {
                            title: " abort the run ".to_owned(),
                            lines: vec![
                                "abort the run? — it ends for every operator and takes no more changes"
                                    .to_owned(),
                                format!("reason: {}", reason.replace('\n', " ")),
                            ],
                            intent: Intent::Abort { reason },
                            item: None,
                            undo: None,
                        };
                        (Mode::Confirm(Box::new(q)), None)
                    }
                    RunReasonKind::FinishAccepting { exceptions } => {
                        let q = Question {
                            title: " finish with exceptions ".to_owned(),
                            lines: vec![
                                format!("finish the run with exceptions: {exceptions}?"),
                                "The outcome reads “completed with exceptions” and your reason is recorded."
                                    .to_owned(),
                                format!("reason: {}", reason.replace('\n', " ")),
                            ],
                            intent: Intent::FinishAccepting { reason },
                            item: None,
                            undo: None,
                        };
                        (Mode::Confirm(Box::new(q)), None)
                    }
                }
            }
            Action::Cancel => (Mode::Normal, None),
            other => {
                edit(&mut editor, other);
                (Mode::RunReason { kind, editor }, None)
            }
        }
    }
}
