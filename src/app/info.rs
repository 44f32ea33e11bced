//! The run's information (`i`): title, the template's metadata (front matter and the
//! `**Key:** value` lines), the window and where it came from, who started the run, what holds
//! it back, and its outcome.

use super::forms::Step;
use super::{Action, App, Mode};
use crate::run::outcome::outcome;

impl App {
    /// The run information as label / value rows, in the order shown.
    pub fn run_info(&self) -> Vec<(String, String)> {
        let w = &self.plan.window;
        let mut rows = vec![
            (
                "title".to_owned(),
                self.subst(&self.template.title).into_owned(),
            ),
            ("run".to_owned(), self.run.id.clone()),
            (
                "started".to_owned(),
                format!(
                    "{} by {}",
                    self.run.started_at.format("%Y-%m-%d %H:%M"),
                    self.run.started_by.describe()
                ),
            ),
            ("state".to_owned(), outcome(&self.run, &self.states.all)),
            (
                "window".to_owned(),
                format!(
                    "{}{} · {}",
                    w.describe(),
                    if w.is_guess() { " (guess)" } else { "" },
                    w.t_label(&self.now)
                ),
            ),
            ("window from".to_owned(), w.source_text(&self.template)),
        ];
        if let Some(b) = &self.blocker {
            rows.push(("holding".to_owned(), self.blocker_text_of(b, true)));
        }
        for m in &self.template.metadata {
            rows.push((m.name.clone(), self.subst(&m.value).into_owned()));
        }
        if self.template.metadata.is_empty() {
            rows.push((
                "metadata".to_owned(),
                "(the template has no front matter or Key: value lines)".to_owned(),
            ));
        }
        rows
    }

    pub(super) fn info_key(&mut self, scroll: u16, action: Action) -> Step {
        let last = u16::try_from(self.run_info().len().saturating_sub(1)).unwrap_or(u16::MAX);
        let scroll = match action {
            Action::Down => scroll.saturating_add(1).min(last),
            Action::Up => scroll.saturating_sub(1),
            Action::PageDown => scroll.saturating_add(10).min(last),
            Action::PageUp => scroll.saturating_sub(10),
            Action::Top => 0,
            Action::Cancel | Action::Info => return (Mode::Normal, None),
            _ => scroll,
        };
        (Mode::Info { scroll }, None)
    }
}
