//! Popups: note editor, reasons, sign-off, gate decision, search, variables form, help, summary and
//! timeline.

use super::editor::Editor;
use super::key::{KeyCode, KeyPress};
use super::{Action, App, Found, Mode, Outcome, ReasonKind};
use crate::model::ItemId;
use crate::run::event::Decision;
use crate::run::intent::Intent;

impl App {
    pub(super) fn popup(&mut self, action: Action) -> Outcome {
        let mode = std::mem::replace(&mut self.mode, Mode::Normal);
        let (mode, out) = match mode {
            Mode::Help { scroll } => match action {
                Action::Down | Action::PageDown => (Mode::Help { scroll: scroll + 5 }, None),
                Action::Up | Action::PageUp => (
                    Mode::Help {
                        scroll: scroll.saturating_sub(5),
                    },
                    None,
                ),
                Action::Edit(_) | Action::Clock => (Mode::Help { scroll }, None),
                _ => (Mode::Normal, None),
            },
            Mode::Timeline { scroll } => match action {
                Action::Down | Action::PageDown => {
                    let last = self.last_section();
                    let step = if action == Action::Down { 1 } else { 10 };
                    (
                        Mode::Timeline {
                            scroll: scroll.saturating_add(step).min(last),
                        },
                        None,
                    )
                }
                Action::Up | Action::PageUp => {
                    let step = if action == Action::Up { 1 } else { 10 };
                    (
                        Mode::Timeline {
                            scroll: scroll.saturating_sub(step),
                        },
                        None,
                    )
                }
                Action::Wheel(d) => {
                    let last = self.last_section();
                    let scroll = if d < 0 {
                        scroll.saturating_sub(1)
                    } else {
                        scroll.saturating_add(1).min(last)
                    };
                    (Mode::Timeline { scroll }, None)
                }
                Action::Top => (Mode::Timeline { scroll: 0 }, None),
                Action::Cancel | Action::Timeline => (Mode::Normal, None),
                _ => (Mode::Timeline { scroll }, None),
            },
            Mode::Summary => match action {
                Action::Submit if self.run.is_active() => {
                    (Mode::Normal, Some(Outcome::append(Intent::Finish)))
                }
                Action::Cancel | Action::Submit => (Mode::Normal, None),
                _ => (Mode::Summary, None),
            },
            Mode::Note { item, mut editor } => match action {
                Action::Submit => match self.item_id(item) {
                    Some(id) if !editor.is_blank() => (
                        Mode::Normal,
                        Some(Outcome::append(Intent::Note {
                            item: id,
                            text: editor.text(),
                        })),
                    ),
                    _ => (Mode::Normal, None),
                },
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
            },
            Mode::Reason {
                item,
                kind,
                mut editor,
            } => match action {
                Action::Submit => {
                    let text = editor.text();
                    let out = self.item_id(item).map(|id| match kind {
                        ReasonKind::Skip => Intent::Skip {
                            item: id,
                            reason: text,
                        },
                        ReasonKind::Na => Intent::Na {
                            item: id,
                            reason: text,
                        },
                        ReasonKind::Fail => Intent::Fail {
                            item: id,
                            note: text,
                        },
                    });
                    if editor.is_blank() {
                        self.error("a reason is required");
                        (Mode::Reason { item, kind, editor }, None)
                    } else {
                        self.awaiting = Some(item);
                        (Mode::Normal, out.map(Outcome::append))
                    }
                }
                Action::Cancel => (Mode::Normal, None),
                other => {
                    edit(&mut editor, other);
                    (Mode::Reason { item, kind, editor }, None)
                }
            },
            Mode::Sign { item, mut name } => match action {
                Action::Submit if name.is_blank() => {
                    self.error("the signer's name is required");
                    (Mode::Sign { item, name }, None)
                }
                Action::Submit => {
                    let out = self.item_id(item).map(|id| {
                        let signer = name.text().trim().to_owned();
                        let signer = (signer != self.actor.name).then_some(signer);
                        Outcome::append(Intent::Sign { item: id, signer })
                    });
                    self.awaiting = Some(item);
                    (Mode::Normal, out)
                }
                Action::Cancel => (Mode::Normal, None),
                other => {
                    edit(&mut name, other);
                    (Mode::Sign { item, name }, None)
                }
            },
            Mode::Gate {
                item,
                decision,
                mut reason,
            } => match action {
                Action::Toggle => {
                    let decision = match decision {
                        Decision::Go => Decision::NoGo,
                        Decision::NoGo => Decision::Go,
                    };
                    (
                        Mode::Gate {
                            item,
                            decision,
                            reason,
                        },
                        None,
                    )
                }
                Action::Submit if decision == Decision::NoGo && reason.is_blank() => {
                    self.error("NO-GO needs a reason");
                    (
                        Mode::Gate {
                            item,
                            decision,
                            reason,
                        },
                        None,
                    )
                }
                Action::Submit => {
                    let text = reason.text();
                    let out = self.item_id(item).map(|id| {
                        Outcome::append(Intent::Gate {
                            item: id,
                            decision,
                            reason: (!text.trim().is_empty()).then_some(text),
                        })
                    });
                    self.awaiting = Some(item);
                    (Mode::Normal, out)
                }
                Action::Cancel => (Mode::Normal, None),
                other => {
                    edit(&mut reason, other);
                    (
                        Mode::Gate {
                            item,
                            decision,
                            reason,
                        },
                        None,
                    )
                }
            },
            Mode::Search { mut query, origin } => match action {
                Action::Submit => {
                    let q = query.text();
                    let matches = self.matches(&q);
                    if q.trim().is_empty() {
                        self.found = None;
                    } else {
                        self.info(&format!(
                            "{} match(es): n / N to move, Esc to leave",
                            matches.len()
                        ));
                        self.found = Some(Found { query: q, matches });
                    }
                    (Mode::Normal, None)
                }
                Action::Cancel => {
                    self.cursor = origin;
                    self.found = None;
                    (Mode::Normal, None)
                }
                Action::NextMatch | Action::PrevMatch | Action::Down | Action::Up => {
                    self.jump_match(matches!(action, Action::NextMatch | Action::Down));
                    (Mode::Search { query, origin }, None)
                }
                other => {
                    if edit(&mut query, other) {
                        let q = query.text();
                        let matches = self.matches(&q);
                        self.found = (!q.is_empty()).then_some(Found { query: q, matches });
                        self.cursor = origin;
                        self.jump_match_from_cursor();
                    }
                    (Mode::Search { query, origin }, None)
                }
            },
            Mode::Vars {
                names,
                current,
                mut editor,
            } => match action {
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
            },
            Mode::Normal => (Mode::Normal, None),
        };
        self.mode = mode;
        self.ensure_visible();
        out.unwrap_or_else(Outcome::redraw)
    }

    /// The furthest the timeline can scroll (it shows at most one row per section).
    fn last_section(&self) -> u16 {
        u16::try_from(self.template.sections.len().saturating_sub(1)).unwrap_or(u16::MAX)
    }

    fn item_id(&self, item: usize) -> Option<ItemId> {
        self.template.items.get(item).map(|i| i.id.clone())
    }

    /// Items whose text holds the query's characters in order (case-insensitive), in document order.
    pub fn matches(&self, query: &str) -> Vec<usize> {
        let q: Vec<char> = query
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        if q.is_empty() {
            return Vec::new();
        }
        (0..self.template.items.len())
            .filter(|&i| subsequence(&q, &self.item_text(i)))
            .collect()
    }

    fn jump_match_from_cursor(&mut self) {
        let Some(found) = &self.found else { return };
        let here = self.cursor_item_index();
        let target = found
            .matches
            .iter()
            .find(|&&m| m >= here)
            .or_else(|| found.matches.first())
            .copied();
        if let Some(t) = target {
            self.reveal(t);
        }
    }

    fn cursor_item_index(&self) -> usize {
        use super::rows::Row;
        match self.visible.get(self.cursor) {
            Some(Row::Item(i)) => *i,
            Some(Row::Section(s)) => self
                .template
                .items
                .iter()
                .position(|it| it.section >= *s)
                .unwrap_or(0),
            None => 0,
        }
    }

    /// Moves to the next (or previous) match, wrapping around.
    pub(super) fn jump_match(&mut self, forward: bool) {
        let Some(found) = &self.found else {
            self.info("no search: press / to search");
            return;
        };
        if found.matches.is_empty() {
            self.info(&format!("no match for “{}”", found.query));
            return;
        }
        let here = self.current_item();
        let m = &found.matches;
        let target = if forward {
            m.iter()
                .find(|&&x| here.is_none_or(|h| x > h))
                .or(m.first())
        } else {
            m.iter()
                .rev()
                .find(|&&x| here.is_none_or(|h| x < h))
                .or(m.last())
        };
        if let Some(&t) = target {
            self.reveal(t);
        }
    }
}

/// Char positions in `text` where the query's characters match, in order (case-insensitive; the
/// query's whitespace is ignored), or `None` when it does not match. Used to highlight matches.
pub fn match_positions(query: &str, text: &str) -> Option<Vec<usize>> {
    let q: Vec<char> = query
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let mut out = Vec::with_capacity(q.len());
    let mut k = 0;
    for (i, c) in text.chars().enumerate() {
        if k < q.len() && c.to_lowercase().eq(std::iter::once(q[k])) {
            out.push(i);
            k += 1;
        }
    }
    (k == q.len()).then_some(out)
}

fn subsequence(q: &[char], text: &str) -> bool {
    let mut it = q.iter().peekable();
    for c in text.chars().flat_map(char::to_lowercase) {
        match it.peek() {
            Some(&&want) if want == c => {
                it.next();
            }
            Some(_) => {}
            None => break,
        }
    }
    it.peek().is_none()
}

/// Feeds an editing action to an editor; returns whether the text may have changed.
fn edit(editor: &mut Editor, action: Action) -> bool {
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
