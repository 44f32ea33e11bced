//! Semantic styles: widgets ask for a meaning (`item(state, selected)`, `warning()`), never a colour.
//! Sixteen ANSI colours only (readable on dark and light terminals); `NO_COLOR` keeps only bold,
//! underline and reverse.

use crate::app::detail::Tone;
use crate::model::ItemKind;
use crate::run::state::ItemState;
use ratatui::style::{Color, Modifier, Style};

/// The styles the screen uses, by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// A theme; `color: false` for `NO_COLOR`.
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// An item row in a given state.
    pub fn item(&self, state: ItemState, selected: bool) -> Style {
        let base = match state {
            ItemState::Open => Style::new(),
            ItemState::Done | ItemState::Signed | ItemState::Go => self.fg(Color::Green),
            ItemState::Skipped | ItemState::Na => self.fg(Color::DarkGray),
            ItemState::Failed | ItemState::NoGo => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        };
        if selected { self.selected(base) } else { base }
    }

    /// The cursor row.
    pub fn selected(&self, base: Style) -> Style {
        base.add_modifier(Modifier::REVERSED)
    }

    /// A section heading.
    pub fn section(&self, complete: bool, selected: bool) -> Style {
        let s = if complete {
            self.fg(Color::Green).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        };
        if selected { self.selected(s) } else { s }
    }

    /// The title line.
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Secondary text (who/when, hints).
    pub fn muted(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    /// Something that needs attention soon (overdue slot).
    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// An error message.
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// The persistent NOT SAVED banner.
    pub fn banner(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    /// A code block.
    pub fn code(&self) -> Style {
        self.fg(Color::Yellow)
    }

    /// Line numbers beside code.
    pub fn line_number(&self) -> Style {
        self.muted()
    }

    /// A key name in the footer or help.
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// A link or emphasis inside text.
    pub fn accent(&self) -> Style {
        self.fg(Color::Magenta)
    }

    /// Borders of panes and popups.
    pub fn border(&self) -> Style {
        self.muted()
    }

    /// The progress gauge's filled part.
    pub fn gauge(&self) -> Style {
        self.fg(Color::Green)
    }

    /// A search match.
    pub fn matched(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::UNDERLINED)
    }

    /// A planned slot on the timeline.
    pub fn slot(&self) -> Style {
        self.muted()
    }

    /// An actual span (first to last change) on the timeline; `complete` when every item is closed.
    pub fn span(&self, complete: bool) -> Style {
        if complete {
            self.fg(Color::Green)
        } else {
            self.fg(Color::Cyan)
        }
    }

    /// The timeline's now-line.
    pub fn now_line(&self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    /// The style of a toned piece of the detail.
    pub fn tone(&self, t: Tone) -> Style {
        match t {
            Tone::Plain => Style::new(),
            Tone::Muted => self.muted(),
            Tone::Title => self.title(),
            Tone::Strong => Style::new().add_modifier(Modifier::BOLD),
            Tone::Emphasis => Style::new().add_modifier(Modifier::ITALIC),
            Tone::Strike => Style::new().add_modifier(Modifier::CROSSED_OUT),
            Tone::Link => self.accent(),
            Tone::Placeholder => Style::new().add_modifier(Modifier::UNDERLINED),
            Tone::Code => self.code(),
            Tone::Gutter => self.line_number(),
            Tone::Key => self.key(),
            Tone::Warning => self.warning(),
            Tone::State(s) => self.item(s, false),
            Tone::Undone => self.muted().add_modifier(Modifier::CROSSED_OUT),
        }
    }
}

/// The timeline's cells, Unicode or ASCII (each one column wide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineGlyphs {
    /// Planned slot.
    pub slot: char,
    /// Actual span.
    pub span: char,
    /// Still open after the slot ended.
    pub overrun: char,
    /// Now-line.
    pub now: char,
    /// Now on the axis.
    pub now_mark: char,
    /// Axis line.
    pub axis: char,
    /// Tick on the axis.
    pub tick: char,
    /// Faint grid at tick columns.
    pub grid: char,
    /// A complete section.
    pub done: char,
    /// An overdue section.
    pub overdue: char,
    /// A section holding a failed item or a NO-GO.
    pub failed: char,
    /// From–to separator.
    pub dash: char,
    /// Cut text.
    pub ellipsis: char,
}

/// Glyphs for states and folds, Unicode or ASCII.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyphs {
    ascii: bool,
}

impl Glyphs {
    /// Unicode unless `ascii`.
    pub fn new(ascii: bool) -> Glyphs {
        Glyphs { ascii }
    }

    /// Checkbox of an item (3 columns): its state, and for an open sign-off or gate its kind.
    pub fn item(&self, s: ItemState, kind: ItemKind) -> &'static str {
        match (s, kind) {
            (ItemState::Open, ItemKind::Signoff) => "[_]",
            (ItemState::Open, ItemKind::Gate) => "[?]",
            _ => self.state(s),
        }
    }

    /// Checkbox for a state (3 columns).
    pub fn state(&self, s: ItemState) -> &'static str {
        match (s, self.ascii) {
            (ItemState::Open, _) => "[ ]",
            (ItemState::Done, false) => "[✓]",
            (ItemState::Done, true) => "[x]",
            (ItemState::Skipped, false) => "[»]",
            (ItemState::Skipped, true) => "[>]",
            (ItemState::Na, false) => "[–]",
            (ItemState::Na, true) => "[-]",
            (ItemState::Failed, false) => "[✗]",
            (ItemState::Failed, true) => "[!]",
            (ItemState::Signed, false) => "[✎]",
            (ItemState::Signed, true) => "[s]",
            (ItemState::Go, _) => "[G]",
            (ItemState::NoGo, _) => "[N]",
        }
    }

    /// After an item's text when it has notes.
    pub fn notes(&self) -> &'static str {
        if self.ascii { "*" } else { "¶" }
    }

    /// A command running (the pane, the list row, the header).
    pub fn running(&self) -> &'static str {
        if self.ascii { ">>" } else { "▶" }
    }

    /// A command that exited 0; after a done item's text: verified by its command.
    pub fn verified(&self) -> &'static str {
        if self.ascii { "$ok" } else { "⚙✓" }
    }

    /// A command that did not exit 0.
    pub fn failed(&self) -> &'static str {
        if self.ascii { "$!" } else { "⚙✗" }
    }

    /// Ellipsis for cut text.
    pub fn ellipsis(&self) -> &'static str {
        if self.ascii { "~" } else { "…" }
    }

    /// Every mark the list uses, with what it means (the help's legend).
    pub fn legend(&self) -> Vec<(String, &'static str)> {
        let st = |s| self.state(s).to_owned();
        vec![
            (st(ItemState::Open), "task to do"),
            (
                self.item(ItemState::Open, ItemKind::Signoff).to_owned(),
                "sign-off to sign",
            ),
            (
                self.item(ItemState::Open, ItemKind::Gate).to_owned(),
                "gate to decide (GO / NO-GO)",
            ),
            (st(ItemState::Done), "done"),
            (st(ItemState::Signed), "signed"),
            (st(ItemState::Go), "gate decided GO"),
            (st(ItemState::NoGo), "gate decided NO-GO"),
            (st(ItemState::Skipped), "skipped (with a reason)"),
            (st(ItemState::Na), "not applicable (with a reason)"),
            (st(ItemState::Failed), "failed (with a note)"),
            (
                self.notes().to_owned(),
                "the item has notes (the detail shows them)",
            ),
            (
                self.running().to_owned(),
                "its command is running (here or on another screen)",
            ),
            (
                self.verified().to_owned(),
                "done and verified by command: its command ran from runsheet and exited 0",
            ),
            (
                self.fold(false).to_owned(),
                "section (Enter or Tab folds it)",
            ),
            (
                self.fold(true).to_owned(),
                "folded section: closed/total counts everything inside",
            ),
            ("3/7".to_owned(), "closed of all items in the section"),
        ]
    }

    /// Fold marker of a section heading.
    pub fn fold(&self, folded: bool) -> &'static str {
        match (folded, self.ascii) {
            (true, false) => "▸",
            (false, false) => "▾",
            (true, true) => "+",
            (false, true) => "-",
        }
    }

    /// Box-drawing set for borders (ASCII `+-|` when asked).
    pub fn border(&self) -> ratatui::symbols::border::Set<'static> {
        if self.ascii {
            ratatui::symbols::border::Set {
                top_left: "+",
                top_right: "+",
                bottom_left: "+",
                bottom_right: "+",
                vertical_left: "|",
                vertical_right: "|",
                horizontal_top: "-",
                horizontal_bottom: "-",
            }
        } else {
            ratatui::symbols::border::PLAIN
        }
    }

    /// Vertical bar between line numbers and code.
    pub fn bar(&self) -> &'static str {
        if self.ascii { "|" } else { "│" }
    }

    /// Short horizontal rule before a code block.
    pub fn rule(&self) -> &'static str {
        if self.ascii { "--" } else { "──" }
    }

    /// Separator in a section path.
    pub fn path(&self) -> &'static str {
        if self.ascii { " > " } else { " › " }
    }

    /// Cells of the timeline view.
    pub fn timeline(&self) -> TimelineGlyphs {
        if self.ascii {
            TimelineGlyphs {
                slot: '-',
                span: '#',
                overrun: '~',
                now: '|',
                now_mark: 'v',
                axis: '-',
                tick: '+',
                grid: '.',
                done: 'x',
                overdue: '!',
                failed: 'x',
                dash: '-',
                ellipsis: '~',
            }
        } else {
            TimelineGlyphs {
                slot: '░',
                span: '█',
                overrun: '▒',
                now: '│',
                now_mark: '▼',
                axis: '─',
                tick: '┬',
                grid: '·',
                done: '✓',
                overdue: '!',
                failed: '✗',
                dash: '–',
                ellipsis: '…',
            }
        }
    }

    /// Separator between header fields.
    pub fn dot(&self) -> &'static str {
        if self.ascii { "|" } else { "·" }
    }
}
