//! Yes/no questions before a change is sent (after an unresolved NO-GO, undoing a decision,
//! aborting, finishing with exceptions), and undo that names what it reverts before doing it.

use super::forms::Step;
use super::{Action, App, Mode, Outcome, Question};
use crate::run::intent::Intent;
use crate::run::undo;

impl App {
    /// `u`: names what the undo would revert; asks first for gates, sign-offs and run-level
    /// changes, else sends it (the message after it names the item).
    pub(super) fn start_undo(&mut self) -> Outcome {
        let Some(p) = undo::preview(&self.run, &self.template, &self.actor) else {
            self.error(&format!("nothing of {}'s to undo", self.actor.name));
            return Outcome::redraw();
        };
        let intent = Intent::UndoOf { target: p.seq };
        if p.confirm {
            let q = Question {
                title: " undo ".to_owned(),
                lines: vec![
                    p.question(&self.actor),
                    "It is recorded as undone (the history keeps it, marked undone).".to_owned(),
                ],
                intent,
                item: None,
                undo: Some(p),
            };
            self.mode = Mode::Confirm(Box::new(q));
            return Outcome::redraw();
        }
        self.pending_undo = Some(p);
        Outcome::append(intent)
    }

    /// `y` / Enter sends the question's change; `n` / Esc leaves everything as it was.
    pub(super) fn confirm_key(&mut self, q: Question, action: Action) -> Step {
        match action {
            Action::Submit => {
                if let Some(p) = q.undo {
                    self.pending_undo = Some(p);
                }
                let out = match q.item {
                    Some(item) => self.expect(item, q.intent),
                    None => Outcome::append(q.intent),
                };
                (Mode::Normal, Some(out))
            }
            Action::Cancel => {
                self.info("not recorded: nothing changed");
                (Mode::Normal, None)
            }
            _ => (Mode::Confirm(Box::new(q)), None),
        }
    }
}
