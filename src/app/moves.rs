//! Normal mode: moving, folding, and the keys that change an item or open a dialog.

use super::detail::CodeLayout;
use super::editor::Editor;
use super::rows::{self, Row};
use super::{Action, App, Mode, Outcome, ReasonKind};
use crate::model::{ItemId, ItemKind};
use crate::run::intent::Intent;
use crate::run::state::ItemState;

impl App {
    /// Rows of the checklist pane.
    pub fn list_height(&self) -> usize {
        let l = super::layout::layout_with(self.size.0, self.size.1, 0, self.pane_docked());
        usize::from(l.list.h).max(1)
    }

    /// Columns and rows inside the detail pane's border.
    pub fn detail_inner(&self) -> (usize, usize) {
        let l = self.layout();
        if l.wide {
            (
                usize::from(l.detail.w.saturating_sub(1)),
                usize::from(l.detail.h),
            )
        } else {
            (
                usize::from(l.detail.w),
                usize::from(l.detail.h.saturating_sub(1)),
            )
        }
    }

    /// How far the detail pane can scroll.
    pub fn detail_max(&self) -> u16 {
        let (w, h) = self.detail_inner();
        let rows = self.detail_doc().rows(w, CodeLayout::Wrap).len();
        u16::try_from(rows.saturating_sub(h)).unwrap_or(u16::MAX)
    }

    pub(super) fn normal(&mut self, action: Action) -> Outcome {
        if action != Action::Tick {
            self.reopen_armed = None;
        }
        let page = self.list_height().saturating_sub(1).max(1);
        let last = self.visible.len().saturating_sub(1);
        let before = (self.cursor, self.scroll);
        match action {
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => self.cursor = (self.cursor + 1).min(last),
            Action::PageUp => self.cursor = self.cursor.saturating_sub(page),
            Action::PageDown => self.cursor = (self.cursor + page).min(last),
            Action::Top => self.cursor = 0,
            Action::Bottom => self.cursor = last,
            Action::Wheel(d) => return self.wheel(usize::from(d.unsigned_abs()) * 3, d < 0),
            Action::Click(x, y) => return self.click(x, y),
            Action::FoldToggle => self.fold(None),
            Action::FoldClose => self.fold(Some(true)),
            Action::FoldOpen => self.fold(Some(false)),
            Action::FoldAll => self.fold_all(true),
            Action::UnfoldAll => self.fold_all(false),
            Action::Open if self.current_item().is_none() => self.fold(None),
            Action::Open | Action::Zoom => {
                self.mode = Mode::Zoom {
                    scroll: 0,
                    hscroll: 0,
                };
            }
            Action::Messages => {
                let max = self.messages_max();
                self.mode = Mode::Messages { scroll: max };
            }
            Action::NextOpen => match self.first_open_from(self.cursor + 1) {
                Some(c) => self.cursor = c,
                None => self.info("no open item below"),
            },
            Action::PrevOpen => match (0..self.cursor).rev().find(|&c| self.open_at(c)) {
                Some(c) => self.cursor = c,
                None => self.info("no open item above"),
            },
            Action::NextSection => {
                if let Some(c) = (self.cursor + 1..self.visible.len())
                    .find(|&c| matches!(self.visible[c], Row::Section(_)))
                {
                    self.cursor = c;
                }
            }
            Action::PrevSection => {
                if let Some(c) = (0..self.cursor)
                    .rev()
                    .find(|&c| matches!(self.visible[c], Row::Section(_)))
                {
                    self.cursor = c;
                }
            }
            Action::DetailDown => {
                self.detail_scroll = self.detail_scroll.saturating_add(3).min(self.detail_max());
            }
            Action::DetailUp => self.detail_scroll = self.detail_scroll.saturating_sub(3),
            Action::Help => self.mode = Mode::Help { scroll: 0 },
            Action::Search => {
                let fuzzy = self.found.as_ref().is_some_and(|f| f.fuzzy);
                self.mode = Mode::Search {
                    query: Editor::single(""),
                    origin: self.cursor,
                    fuzzy,
                }
            }
            Action::NextMatch | Action::PrevMatch => {
                self.jump_match(action == Action::NextMatch);
            }
            Action::ClearSearch => self.found = None,
            Action::Finish => self.mode = Mode::Summary,
            Action::Timeline => self.mode = Mode::Timeline { scroll: 0 },
            Action::Undo => return self.start_undo(),
            Action::Hold | Action::Resume | Action::Abort | Action::Window => {
                return self.run_action(action);
            }
            Action::Info => self.mode = Mode::Info { scroll: 0 },
            Action::Copy => return self.start_copy(false),
            Action::Run => return self.start_command(),
            Action::Output => self.open_output(),
            Action::HideOutput => self.hide_output(),
            other => return self.item_action(other),
        }
        if (self.cursor, self.scroll) != before {
            self.detail_scroll = 0;
            // The operator moved on: do not pull the cursor back when an earlier change lands.
            self.awaiting = None;
        }
        self.ensure_visible();
        Outcome::redraw()
    }

    fn item_action(&mut self, action: Action) -> Outcome {
        let Some(item) = self.current_item() else {
            if matches!(action, Action::Tick) {
                self.fold(None);
                self.ensure_visible();
                return Outcome::redraw();
            }
            self.info("select an item first (the cursor is on a section heading)");
            return Outcome::redraw();
        };
        if !self.run.is_active() && action != Action::Note {
            self.error(&format!(
                "the run is {}: it takes no more changes (notes only)",
                self.run.lifecycle.as_str()
            ));
            return Outcome::redraw();
        }
        let kind = self.kind(item);
        let state = self.states.get(item);
        let Some(id) = self.template.items.get(item).map(|i| i.id.clone()) else {
            return Outcome::default();
        };
        match action {
            Action::Tick if kind == ItemKind::Signoff && state == ItemState::Open => {
                self.open_sign(id)
            }
            Action::Tick if kind == ItemKind::Gate && state == ItemState::Open => {
                self.open_gate(id)
            }
            Action::Tick if state == ItemState::Open => {
                let intent = Intent::Tick {
                    item: id.clone(),
                    note: None,
                };
                let what = format!("tick “{}”", self.item_text(item));
                let (mode, out) = self.proceed(item, id, intent, what);
                self.mode = mode;
                return out.unwrap_or_else(Outcome::redraw);
            }
            Action::Tick => {
                // Reopening someone else's change takes a second press: they may have just done it.
                let by_other = self
                    .run
                    .items
                    .get(&id)
                    .and_then(|r| r.current())
                    .filter(|e| !e.by.same_operator(&self.actor))
                    .map(|e| format!("{} at {}", e.by.name, e.at.format("%H:%M:%S")));
                if let Some(who) = by_other
                    && self.reopen_armed.as_ref() != Some(&id)
                {
                    self.reopen_armed = Some(id);
                    self.info(&format!(
                        "{} by {who}: press again to reopen it",
                        state.as_str()
                    ));
                    return Outcome::redraw();
                }
                self.reopen_armed = None;
                return Outcome::append(Intent::Untick {
                    item: id,
                    note: None,
                });
            }
            Action::Sign if kind == ItemKind::Signoff => self.open_sign(id),
            Action::Gate if kind == ItemKind::Gate => self.open_gate(id),
            Action::Sign | Action::Gate => {
                self.info(&format!("this is a {} item", kind.as_str()));
            }
            Action::Fail if kind != ItemKind::Task => {
                self.info("only tasks can fail: decide a gate NO-GO instead");
            }
            Action::FillField => self.open_field(id),
            Action::Note => {
                self.mode = Mode::Note {
                    item: id,
                    editor: Editor::multi(""),
                }
            }
            Action::Skip | Action::Na | Action::Fail => {
                let kind = match action {
                    Action::Skip => ReasonKind::Skip,
                    Action::Na => ReasonKind::Na,
                    _ => ReasonKind::Fail,
                };
                self.mode = Mode::Reason {
                    item: id,
                    kind,
                    editor: Editor::multi(""),
                };
            }
            _ => return Outcome::default(),
        }
        Outcome::redraw()
    }

    fn open_sign(&mut self, item: ItemId) {
        self.mode = Mode::Sign {
            item,
            name: Editor::single(&self.actor.name),
        };
    }

    fn wheel(&mut self, d: usize, up: bool) -> Outcome {
        let max = self.visible.len().saturating_sub(self.list_height());
        self.scroll = if up {
            self.scroll.saturating_sub(d)
        } else {
            (self.scroll + d).min(max)
        };
        let h = self.list_height();
        self.cursor = self.cursor.clamp(self.scroll, self.scroll + h - 1);
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
        Outcome::redraw()
    }

    fn click(&mut self, x: u16, y: u16) -> Outcome {
        let l = self.layout();
        if !l.list.contains(x, y) {
            return Outcome::default();
        }
        let row = self.scroll + usize::from(y - l.list.y);
        if row >= self.visible.len() {
            return Outcome::default();
        }
        self.cursor = row;
        self.detail_scroll = 0;
        // A click on an item's checkbox ticks it.
        if let Row::Item(i) = self.visible[row] {
            let indent = self.indent(i);
            let col = usize::from(x - l.list.x);
            if col >= indent && col < indent + 3 {
                return self.item_action(Action::Tick);
            }
        }
        Outcome::redraw()
    }

    /// Columns of indentation before an item's checkbox.
    pub fn indent(&self, item: usize) -> usize {
        let Some(it) = self.template.items.get(item) else {
            return 0;
        };
        let sd = self
            .template
            .sections
            .get(it.section)
            .map_or(0, |s| s.depth);
        2 * (sd + 1 + it.depth)
    }

    fn fold(&mut self, to: Option<bool>) {
        let (section, on_heading) = match self.visible.get(self.cursor) {
            Some(Row::Section(s)) => (*s, true),
            Some(Row::Item(i)) => (self.template.items[*i].section, false),
            None => return,
        };
        let folded = self.folded.get(section).copied().unwrap_or(false);
        let want = to.unwrap_or(!folded);
        if want == folded {
            if want && !on_heading {
                self.goto_row(Row::Section(section));
            }
            return;
        }
        if let Some(f) = self.folded.get_mut(section) {
            *f = want;
        }
        self.rebuild_visible();
        self.goto_row(Row::Section(section));
    }

    fn fold_all(&mut self, fold: bool) {
        let here = self.visible.get(self.cursor).copied();
        let top = here.map(|r| match r {
            Row::Section(s) => s,
            Row::Item(i) => self.template.items[i].section,
        });
        for f in &mut self.folded {
            *f = fold;
        }
        self.rebuild_visible();
        // Stay on the row if it is still visible, else on the outermost heading above it.
        let keep = here.filter(|r| self.visible.contains(r)).or_else(|| {
            top.and_then(|s| rows::ancestors(&self.template, s).first().copied())
                .map(Row::Section)
        });
        if let Some(r) = keep {
            self.goto_row(r);
        }
    }

    /// Unfolds what hides `row` and puts the cursor on it.
    pub(super) fn reveal_row(&mut self, row: Row) {
        match row {
            Row::Item(i) => self.reveal(i),
            Row::Section(s) => {
                let chain = rows::ancestors(&self.template, s);
                let hidden = chain[..chain.len().saturating_sub(1)]
                    .iter()
                    .any(|p| self.folded.get(*p).copied().unwrap_or(false));
                if hidden {
                    for p in &chain[..chain.len().saturating_sub(1)] {
                        if let Some(f) = self.folded.get_mut(*p) {
                            *f = false;
                        }
                    }
                    self.rebuild_visible();
                }
                self.goto_row(row);
                self.detail_scroll = 0;
                self.ensure_visible();
            }
        }
    }

    /// Recomputes the visible rows after a fold change.
    pub(super) fn rebuild_visible(&mut self) {
        self.visible = rows::visible_rows(&self.template, &self.all_rows, &self.folded);
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    fn goto_row(&mut self, row: Row) {
        if let Some(c) = self.visible.iter().position(|r| *r == row) {
            self.cursor = c;
        }
    }

    /// Unfolds what hides `item` and puts the cursor on it.
    pub(super) fn reveal(&mut self, item: usize) {
        let Some(sec) = self.template.items.get(item).map(|i| i.section) else {
            return;
        };
        let chain = rows::ancestors(&self.template, sec);
        if chain
            .iter()
            .any(|s| self.folded.get(*s).copied().unwrap_or(false))
        {
            for s in chain {
                if let Some(f) = self.folded.get_mut(s) {
                    *f = false;
                }
            }
            self.rebuild_visible();
        }
        self.goto_row(Row::Item(item));
        self.detail_scroll = 0;
        self.ensure_visible();
    }

    fn open_at(&self, c: usize) -> bool {
        matches!(self.visible.get(c), Some(Row::Item(i)) if self.states.get(*i) == ItemState::Open)
    }

    /// The first visible open item at or after row `from`.
    pub(super) fn first_open_from(&self, from: usize) -> Option<usize> {
        (from..self.visible.len()).find(|&c| self.open_at(c))
    }

    /// Scrolls so the cursor is on screen.
    pub(super) fn ensure_visible(&mut self) {
        let h = self.list_height();
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if self.cursor >= self.scroll + h {
            self.scroll = self.cursor + 1 - h;
        }
        let max = self.visible.len().saturating_sub(h);
        self.scroll = self.scroll.min(max);
    }
}
