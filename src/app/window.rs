//! The window's start from the screen: the question at the start of a new run whose window would
//! be a guess (prefilled with the best guess; Enter records it as given, Esc leaves the guess),
//! and `w` to set or move it (with a reason). Accepts what `--window` accepts (`22:00`,
//! `2026-12-02 22:00`, `22:00 Europe/Berlin`, …); what cannot be read is said inline.

use super::editor::Editor;
use super::forms::{Step, edit};
use super::{Action, App, Mode, Outcome, RunReasonKind};
use crate::run::intent::Intent;
use crate::run::window::{Resolved, Window, resolve_spec};

/// The window as it would be typed: `2026-12-02 22:00 Europe/Berlin`.
pub fn window_text(w: &Window) -> String {
    format!("{} {}", w.start.format("%Y-%m-%d %H:%M"), w.zone.name())
}

impl App {
    /// A new run started without `--window`: asks when the window starts if it would otherwise
    /// be a guess (after anything already on screen, such as the variables form).
    pub(super) fn ask_window(&mut self) {
        if self.run.is_active() && self.plan.window.is_guess() {
            let mode = self.window_mode(true);
            self.queue_popup(mode);
        }
    }

    /// Opens the window popup (`initial`: the question at the start of a run).
    pub(super) fn open_window(&mut self, initial: bool) {
        self.mode = self.window_mode(initial);
    }

    fn window_mode(&self, initial: bool) -> Mode {
        let prefill = window_text(&self.plan.window);
        Mode::Window {
            initial,
            start: Editor::single(&prefill),
            prefill,
            error: None,
        }
    }

    /// Reads the start as written, resolved at now against the template.
    fn read_window(&self, text: &str) -> Result<Resolved, String> {
        let spec = crate::when::window_spec(text, true)?;
        resolve_spec(&spec, &self.template, self.now)
    }

    pub(super) fn window_key(
        &mut self,
        initial: bool,
        mut start: Editor,
        prefill: String,
        error: Option<String>,
        action: Action,
    ) -> Step {
        let stay = |start, error| Mode::Window {
            initial,
            start,
            prefill: prefill.clone(),
            error,
        };
        match action {
            Action::Submit => {
                let text = start.text();
                let unchanged = text.trim() == prefill.trim();
                let read = if initial && unchanged {
                    // The guess as it stands, end and all.
                    let w = &self.plan.window;
                    Ok(Resolved {
                        start: w.start,
                        zone: w.zone,
                        end: w.end,
                    })
                } else {
                    self.read_window(&text)
                };
                let mut r = match read {
                    Ok(r) => r,
                    Err(e) => return (stay(start, Some(e)), None),
                };
                if r.end.is_none()
                    && let Some(end) = self.plan.window.end
                {
                    // Moving the start keeps the window's length.
                    r.end = Some(end + (r.start - self.plan.window.start));
                }
                let shown = Window {
                    start: r.zone.at(&r.start),
                    zone: r.zone,
                    end: r.end,
                    source: self.plan.window.source.clone(),
                    guess: None,
                }
                .describe();
                if initial {
                    let reason = if unchanged {
                        format!(
                            "confirmed at the start of the run (it was a guess: {})",
                            self.plan.window.guess.as_deref().unwrap_or("")
                        )
                    } else {
                        "given at the start of the run".to_owned()
                    };
                    let intent = Intent::Window {
                        start: r.start,
                        zone: r.zone,
                        end: r.end,
                        reason,
                    };
                    self.info(&format!("window {shown}"));
                    return (Mode::Normal, Some(Outcome::append(intent)));
                }
                (
                    Mode::RunReason {
                        kind: RunReasonKind::Window {
                            start: r.start,
                            zone: r.zone,
                            end: r.end,
                            shown,
                        },
                        editor: Editor::multi(""),
                    },
                    None,
                )
            }
            Action::Cancel => {
                if initial {
                    self.info(&format!(
                        "the window stays a guess ({}): w sets it",
                        window_text(&self.plan.window)
                    ));
                }
                (Mode::Normal, None)
            }
            other => {
                let changed = edit(&mut start, other);
                (stay(start, if changed { None } else { error }), None)
            }
        }
    }
}
