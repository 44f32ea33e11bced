//! Popups that only show things: help, timeline, summary, the zoomed item, the message log, and
//! the choice of a code block to copy. One method per mode, as in `forms.rs`.

use super::detail::{CodeLayout, GUTTER};
use super::forms::Step;
use super::key::KeyCode;
use super::layout::{self, Area};
use super::{Action, App, Mode, Outcome};

/// Lines a page key moves.
const PAGE: u16 = 10;

/// Scrolls `scroll` by `action` (up/down a line or a page, top, bottom) within `0..=max`.
fn scrolled(scroll: u16, max: u16, action: &Action) -> Option<u16> {
    let s = match action {
        Action::Down => scroll.saturating_add(1),
        Action::Up => scroll.saturating_sub(1),
        Action::PageDown => scroll.saturating_add(PAGE),
        Action::PageUp => scroll.saturating_sub(PAGE),
        Action::Wheel(d) if *d < 0 => scroll.saturating_sub(3),
        Action::Wheel(_) => scroll.saturating_add(3),
        Action::Top => 0,
        Action::Bottom => max,
        _ => return None,
    };
    Some(s.min(max))
}

fn clamp16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

impl App {
    /// How far the help overlay can scroll.
    pub fn help_max(&self) -> u16 {
        let a = layout::overlay(self.size.0, self.size.1);
        self.help_len.saturating_sub(a.h.saturating_sub(2))
    }

    /// How far the message log can scroll.
    pub fn messages_max(&self) -> u16 {
        let a = layout::overlay(self.size.0, self.size.1);
        clamp16(self.messages.log().len()).saturating_sub(a.h.saturating_sub(2))
    }

    /// Inside of the zoom view (its border excluded).
    pub fn zoom_inner(&self) -> Area {
        layout::inner(layout::zoom(self.size.0, self.size.1))
    }

    /// How far the zoom view can scroll down and sideways.
    pub fn zoom_max(&self, hscroll: u16) -> (u16, u16) {
        let inner = self.zoom_inner();
        let doc = self.detail_doc();
        let rows = doc
            .rows(
                usize::from(inner.w),
                CodeLayout::Scroll {
                    skip: usize::from(hscroll),
                },
            )
            .len();
        let room = usize::from(inner.w).saturating_sub(GUTTER);
        let wide = doc.code_width().saturating_sub(GUTTER);
        (
            clamp16(rows).saturating_sub(inner.h),
            clamp16(wide.saturating_sub(room.saturating_sub(1))),
        )
    }

    /// Keeps every scroll position within what there is to see (after a resize).
    pub(super) fn clamp_scrolls(&mut self) {
        let (help, msgs) = (self.help_max(), self.messages_max());
        match &mut self.mode {
            Mode::Help { scroll } => *scroll = (*scroll).min(help),
            Mode::Messages { scroll } => *scroll = (*scroll).min(msgs),
            _ => {}
        }
        if let Mode::Zoom { scroll, hscroll } = self.mode {
            let (max, hmax) = self.zoom_max(hscroll);
            self.mode = Mode::Zoom {
                scroll: scroll.min(max),
                hscroll: hscroll.min(hmax),
            };
        }
        self.detail_scroll = self.detail_scroll.min(self.detail_max());
    }

    pub(super) fn help_key(&mut self, scroll: u16, action: Action) -> Step {
        match scrolled(scroll, self.help_max(), &action) {
            Some(scroll) => (Mode::Help { scroll }, None),
            None => match action {
                Action::Edit(_) | Action::Clock => (Mode::Help { scroll }, None),
                _ => (Mode::Normal, None),
            },
        }
    }

    pub(super) fn messages_key(&mut self, scroll: u16, action: Action) -> Step {
        match scrolled(scroll, self.messages_max(), &action) {
            Some(scroll) => (Mode::Messages { scroll }, None),
            None => match action {
                Action::Cancel | Action::Messages => (Mode::Normal, None),
                _ => (Mode::Messages { scroll }, None),
            },
        }
    }

    pub(super) fn timeline_key(&mut self, scroll: u16, action: Action) -> Step {
        let last = self.last_section();
        let scroll = match action {
            Action::Down => scroll.saturating_add(1).min(last),
            Action::PageDown => scroll.saturating_add(PAGE).min(last),
            Action::Up => scroll.saturating_sub(1),
            Action::PageUp => scroll.saturating_sub(PAGE),
            Action::Wheel(d) if d < 0 => scroll.saturating_sub(1),
            Action::Wheel(_) => scroll.saturating_add(1).min(last),
            Action::Top => 0,
            Action::Cancel | Action::Timeline => return (Mode::Normal, None),
            _ => scroll,
        };
        (Mode::Timeline { scroll }, None)
    }

    /// The furthest the timeline can scroll (it shows at most one row per section).
    fn last_section(&self) -> u16 {
        clamp16(self.template.sections.len().saturating_sub(1))
    }

    pub(super) fn summary_key(&mut self, action: Action) -> Step {
        match action {
            Action::Submit if self.run.is_active() => self.start_finish(),
            Action::Cancel | Action::Submit => (Mode::Normal, None),
            _ => (Mode::Summary, None),
        }
    }

    pub(super) fn zoom_key(&mut self, scroll: u16, hscroll: u16, action: Action) -> Step {
        let (max, hmax) = self.zoom_max(hscroll);
        if let Some(scroll) = scrolled(scroll, max, &action) {
            return (Mode::Zoom { scroll, hscroll }, None);
        }
        let step = (self.zoom_inner().w / 2).max(1);
        match action {
            Action::Left => (
                Mode::Zoom {
                    scroll,
                    hscroll: hscroll.saturating_sub(step),
                },
                None,
            ),
            Action::Right => (
                Mode::Zoom {
                    scroll,
                    hscroll: hscroll.saturating_add(step).min(hmax),
                },
                None,
            ),
            Action::Copy => {
                let out = self.start_copy(true);
                let mode = std::mem::replace(&mut self.mode, Mode::Normal);
                match mode {
                    Mode::Copy { .. } => (mode, Some(out)),
                    _ => (Mode::Zoom { scroll, hscroll }, Some(out)),
                }
            }
            Action::Cancel | Action::Zoom | Action::Open => (Mode::Normal, None),
            _ => (Mode::Zoom { scroll, hscroll }, None),
        }
    }

    /// `y`: copies the one code block on screen, or asks which of several.
    pub(super) fn start_copy(&mut self, from_zoom: bool) -> Outcome {
        let blocks = self.blocks_on_screen();
        match blocks.len() {
            0 => {
                self.info("no code block on screen to copy");
                Outcome::redraw()
            }
            1 => self.copy_text(&blocks[0].text),
            n => {
                self.mode = Mode::Copy { from_zoom };
                self.info(&format!(
                    "{n} code blocks: press 1–{} to copy one, Enter copies all, Esc cancels",
                    n.min(9)
                ));
                Outcome::redraw()
            }
        }
    }

    fn copy_text(&mut self, text: &str) -> Outcome {
        let first = text.lines().next().unwrap_or("").to_owned();
        let n = text.lines().count();
        self.info(&format!("copied {n} line(s) to the clipboard: {first}"));
        Outcome {
            redraw: true,
            copy: Some(text.to_owned()),
            ..Outcome::default()
        }
    }

    pub(super) fn copy_key(&mut self, from_zoom: bool, action: Action) -> Step {
        let back = if from_zoom {
            Mode::Zoom {
                scroll: 0,
                hscroll: 0,
            }
        } else {
            Mode::Normal
        };
        let blocks = self.blocks_on_screen();
        match action {
            Action::Edit(k) => match k.code {
                KeyCode::Char(c @ '1'..='9') if !k.ctrl && !k.alt => {
                    let n = usize::from(c as u8 - b'0');
                    match blocks.get(n - 1) {
                        Some(b) => {
                            let text = b.text.clone();
                            (back, Some(self.copy_text(&text)))
                        }
                        None => {
                            self.error(&format!("there are {} code blocks", blocks.len()));
                            (Mode::Copy { from_zoom }, None)
                        }
                    }
                }
                _ => (Mode::Copy { from_zoom }, None),
            },
            Action::Submit => {
                let all: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
                let text = all.join("\n\n");
                (back, Some(self.copy_text(&text)))
            }
            Action::Cancel => (back, None),
            _ => (Mode::Copy { from_zoom }, None),
        }
    }
}
