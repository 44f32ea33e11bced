//! The operator's screen as state: [`App`] holds the run, the view (cursor, folds, scroll, popups,
//! messages) and changes only in [`App::update`], which takes the clock as an argument and returns an
//! [`Outcome`] (redraw, append an intent, copy, quit …) instead of doing I/O.

pub mod action;
pub mod editor;
pub mod harness;
pub mod key;
pub mod layout;
pub mod rows;
pub mod schedule;

mod events;
mod forms;
mod moves;

pub use action::{Action, KeyMode, Outcome};
pub use forms::match_positions;

use crate::input::Keymap;
use crate::model::{ItemKind, Template};
use crate::run::Run;
use crate::run::event::{Actor, Decision};
use crate::run::intent::Intent;
use crate::run::vars::substitute;
use chrono::{DateTime, Duration, FixedOffset};
use editor::Editor;
use rows::{Row, States};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Why an item is being closed with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonKind {
    /// Skip.
    Skip,
    /// Not applicable.
    Na,
    /// Failed.
    Fail,
}

/// What the screen is doing: walking the list, or a popup.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Walking the checklist.
    Normal,
    /// Keys overlay.
    Help {
        /// First line shown.
        scroll: u16,
    },
    /// Multi-line note editor.
    Note {
        /// Item index.
        item: usize,
        /// Text.
        editor: Editor,
    },
    /// Skip / n-a / fail reason.
    Reason {
        /// Item index.
        item: usize,
        /// Which.
        kind: ReasonKind,
        /// Text.
        editor: Editor,
    },
    /// Sign-off confirmation.
    Sign {
        /// Item index.
        item: usize,
        /// Signer's name (prefilled with the operator).
        name: Editor,
    },
    /// Gate decision.
    Gate {
        /// Item index.
        item: usize,
        /// GO or NO-GO.
        decision: Decision,
        /// Reason (required for NO-GO).
        reason: Editor,
    },
    /// Search prompt (incremental).
    Search {
        /// Query.
        query: Editor,
        /// Cursor row before the search (restored on cancel).
        origin: usize,
    },
    /// Values for `{{ VARIABLES }}` not set yet.
    Vars {
        /// Missing names.
        names: Vec<String>,
        /// The one being asked.
        current: usize,
        /// Value.
        editor: Editor,
    },
    /// Run summary (on completion, or `finish`).
    Summary,
    /// Timeline: planned slot vs actual span per section, on a time axis.
    Timeline {
        /// First section row shown.
        scroll: u16,
    },
}

/// A message in the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Text.
    pub text: String,
    /// An error (shown in the error style).
    pub error: bool,
    /// Shown until then.
    pub until: DateTime<FixedOffset>,
}

/// A note being typed when the program had to stop, kept in the run dir and offered back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Item id.
    pub item: String,
    /// Text typed so far.
    pub text: String,
}

/// An accepted search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Query.
    pub query: String,
    /// Matching item indexes, in document order.
    pub matches: Vec<usize>,
}

/// Display options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ASCII glyphs only.
    pub ascii: bool,
    /// Colours allowed (`NO_COLOR` unset).
    pub color: bool,
}

/// The whole screen state.
#[derive(Debug, Clone)]
pub struct App {
    /// The template the run follows.
    pub template: Template,
    /// The run (fold of the journal).
    pub run: Run,
    /// Who is at this keyboard.
    pub actor: Actor,
    /// Key bindings (for the footer and help).
    pub keymap: Keymap,
    /// State per item, counts per section.
    pub states: States,
    all_rows: Vec<Row>,
    /// Rows left visible by folding.
    pub visible: Vec<Row>,
    /// Folded sections.
    pub folded: Vec<bool>,
    /// Index into `visible`.
    pub cursor: usize,
    /// First visible row shown.
    pub scroll: usize,
    /// First line of the detail pane shown.
    pub detail_scroll: u16,
    /// Screen size.
    pub size: (u16, u16),
    /// Popup or normal.
    pub mode: Mode,
    /// Active search.
    pub found: Option<Found>,
    /// Transient message.
    pub message: Option<Message>,
    /// Persistent banner: a change is not saved yet.
    pub not_saved: Option<String>,
    /// The clock, as of the last update.
    pub now: DateTime<FixedOffset>,
    /// Glyphs and colours.
    pub style: Style,
    /// The item whose tick we wait for, to move on after it.
    awaiting: Option<usize>,
    reopen_armed: Option<usize>,
    quit_armed: bool,
    summary_shown: bool,
    vars: BTreeMap<String, String>,
}

impl App {
    /// A screen on `run`, cursor on the first open item. Missing variables are asked for first, then a
    /// saved draft is offered back.
    pub fn new(
        template: Template,
        run: Run,
        actor: Actor,
        keymap: Keymap,
        style: Style,
        now: DateTime<FixedOffset>,
    ) -> App {
        let states = States::new(&run, &template);
        let all_rows = rows::all_rows(&template);
        let mut app = App {
            folded: vec![false; template.sections.len()],
            visible: all_rows.clone(),
            all_rows,
            states,
            vars: owned_vars(&run),
            template,
            run,
            actor,
            keymap,
            cursor: 0,
            scroll: 0,
            detail_scroll: 0,
            size: (80, 24),
            mode: Mode::Normal,
            found: None,
            message: None,
            not_saved: None,
            now,
            style,
            awaiting: None,
            reopen_armed: None,
            quit_armed: false,
            summary_shown: false,
        };
        app.cursor = app.first_open_from(0).unwrap_or(0);
        app.summary_shown = app.states.all.open == 0;
        let missing: Vec<String> = app
            .template
            .settable_variables()
            .filter(|v| app.run.var(v).is_none())
            .map(str::to_owned)
            .collect();
        if !missing.is_empty() && app.run.is_active() {
            app.mode = Mode::Vars {
                names: missing,
                current: 0,
                editor: Editor::single(""),
            };
        }
        app.ensure_visible();
        app
    }

    /// Offers back a note draft saved when the program last stopped.
    pub fn offer_draft(&mut self, draft: &Draft) {
        let Some(item) = self
            .template
            .items
            .iter()
            .position(|i| i.id.as_str() == draft.item)
        else {
            return;
        };
        self.reveal(item);
        if self.mode == Mode::Normal {
            self.mode = Mode::Note {
                item,
                editor: Editor::multi(&draft.text),
            };
        }
        self.info("restored your unsaved note: Ctrl-S saves it, Esc discards it");
    }

    /// The note being typed, if any (saved as a draft when the program must stop).
    pub fn draft(&self) -> Option<Draft> {
        match &self.mode {
            Mode::Note { item, editor } | Mode::Reason { item, editor, .. }
                if !editor.is_blank() =>
            {
                Some(Draft {
                    item: self.template.items.get(*item)?.id.to_string(),
                    text: editor.text(),
                })
            }
            _ => None,
        }
    }

    /// Which bindings apply now.
    pub fn key_mode(&self) -> KeyMode {
        match self.mode {
            Mode::Normal if self.found.is_some() => KeyMode::Found,
            Mode::Normal => KeyMode::Normal,
            Mode::Help { .. } => KeyMode::Help,
            Mode::Note { .. } => KeyMode::Note,
            Mode::Reason { .. } => KeyMode::Reason,
            Mode::Sign { .. } => KeyMode::Sign,
            Mode::Gate { .. } => KeyMode::Gate,
            Mode::Search { .. } => KeyMode::Search,
            Mode::Vars { .. } => KeyMode::Vars,
            Mode::Summary => KeyMode::Summary,
            Mode::Timeline { .. } => KeyMode::Timeline,
        }
    }

    /// Applies one action. Never does I/O: what must be done outside is in the [`Outcome`].
    pub fn update(&mut self, action: Action, now: DateTime<FixedOffset>) -> Outcome {
        self.now = now;
        match action {
            Action::Clock => {
                if self.message.as_ref().is_some_and(|m| m.until <= now) {
                    self.message = None;
                }
                Outcome::redraw()
            }
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.ensure_visible();
                Outcome::redraw()
            }
            Action::Applied(ev) => self.applied(&ev),
            Action::Remote(events) => self.remote(&events),
            Action::Reload(b) => {
                let (run, template) = *b;
                self.reload(run, template);
                Outcome::redraw()
            }
            Action::Refused(msg) => {
                self.awaiting = None;
                self.error(&msg);
                Outcome::redraw()
            }
            Action::NotSaved(msg) => {
                self.not_saved = Some(msg);
                Outcome::redraw()
            }
            Action::Saved => {
                self.not_saved = None;
                self.quit_armed = false;
                self.info("saved");
                Outcome::redraw()
            }
            Action::Quit if self.not_saved.is_some() && !self.quit_armed => {
                self.quit_armed = true;
                self.error("a change is NOT SAVED yet (retrying): quit again to leave without it");
                Outcome::redraw()
            }
            Action::Quit => Outcome {
                quit: true,
                ..Outcome::default()
            },
            Action::Suspend => Outcome {
                suspend: true,
                redraw: true,
                ..Outcome::default()
            },
            other => {
                if matches!(self.mode, Mode::Normal) {
                    self.normal(other)
                } else {
                    self.popup(other)
                }
            }
        }
    }

    /// A transient message.
    pub fn info(&mut self, text: &str) {
        self.message = Some(Message {
            text: text.to_owned(),
            error: false,
            until: self.now + Duration::seconds(5),
        });
    }

    /// A transient error message (kept longer).
    pub fn error(&mut self, text: &str) {
        self.message = Some(Message {
            text: text.to_owned(),
            error: true,
            until: self.now + Duration::seconds(10),
        });
    }

    /// Index of the item under the cursor.
    pub fn current_item(&self) -> Option<usize> {
        match self.visible.get(self.cursor)? {
            Row::Item(i) => Some(*i),
            Row::Section(_) => None,
        }
    }

    /// Item text with the run's variables substituted.
    pub fn item_text(&self, index: usize) -> Cow<'_, str> {
        self.template
            .items
            .get(index)
            .map_or(Cow::Borrowed(""), |i| self.subst(&i.text))
    }

    /// Any template text with the run's variables substituted.
    pub fn subst<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if !text.contains("{{") {
            return Cow::Borrowed(text);
        }
        let vars: BTreeMap<&str, &str> = self
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        substitute(text, &vars)
    }

    /// A span's text on screen: a placeholder's value once set, `{{ NAME }}` substituted.
    pub fn subst_span<'t>(&self, text: &'t str, style: &crate::model::SpanStyle) -> Cow<'t, str> {
        let vars: BTreeMap<&str, &str> = self
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        crate::run::vars::span_text(text, style, &vars)
    }

    /// A table cell's text on screen.
    pub fn subst_cell<'t>(&self, cell: &'t crate::model::Cell) -> Cow<'t, str> {
        let vars: BTreeMap<&str, &str> = self
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        crate::run::vars::cell_text(cell, &vars)
    }

    /// The item's kind.
    pub fn kind(&self, index: usize) -> ItemKind {
        self.template
            .items
            .get(index)
            .map_or(ItemKind::Task, |i| i.kind)
    }

    /// Wait for `item`'s change to be applied, then move to the next open item.
    fn expect(&mut self, item: usize, intent: Intent) -> Outcome {
        self.awaiting = Some(item);
        Outcome::append(intent)
    }
}

fn owned_vars(run: &Run) -> BTreeMap<String, String> {
    run.var_values()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}
