//! The operator's screen as state: [`App`] holds the run, the view (cursor, folds, scroll, popups,
//! messages) and changes only in [`App::update`], which takes the clock as an argument and returns an
//! [`Outcome`] (redraw, append an intent, copy, quit …) instead of doing I/O. The keymap is not
//! here: the loop resolves keys to actions, and rendering takes the keymap as an argument.

pub mod action;
pub mod command;
pub mod detail;
pub mod editor;
pub mod key;
pub mod layout;
pub mod messages;
pub mod mode;
pub mod rows;
pub mod schedule;
pub mod search;
pub mod width;

mod confirm;
mod events;
mod forms;
mod gate;
mod info;
mod moves;
mod runlevel;
mod views;
mod window;

pub use action::{Action, KeyMode, Outcome};
pub use messages::{Message, Messages};
pub use mode::{Draft, Mode, Question, ReasonKind, RunReasonKind};
pub use search::Found;

use crate::config::GoReason;
use crate::model::{ItemId, ItemKind, Template};
use crate::run::Run;
use crate::run::event::Actor;
use crate::run::gates::Blocker;
use crate::run::intent::Intent;
use crate::run::schedule::Schedule;
use crate::run::undo::UndoPreview;
use crate::run::vars::substitute;
use crate::when::Zone;
use chrono::{DateTime, Duration, FixedOffset};
use editor::Editor;
use rows::{Row, States};
use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// Display options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ASCII glyphs only.
    pub ascii: bool,
    /// Colours allowed (`NO_COLOR` unset).
    pub color: bool,
}

/// What the app takes from outside: `config.toml` and the environment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// Whether a GO decision needs a reason (`[gates] go_reason`).
    pub go_reason: GoReason,
    /// The operator's own zone, when known (the header names it: `20:10 UTC here`).
    pub local_zone: Option<Zone>,
}

/// A change sent to be written and not acknowledged yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsaved {
    /// The change.
    pub intent: Intent,
    /// When it was asked for.
    pub since: DateTime<FixedOffset>,
}

/// After this long without an acknowledgement, a change counts as NOT SAVED on screen.
pub const SLOW_WRITE: i64 = 2;

/// The whole screen state.
#[derive(Debug, Clone)]
pub struct App {
    /// The template the run follows (shared with the writer when a new run is being created, so
    /// the first frame does not wait for a copy).
    pub template: Arc<Template>,
    /// The run (fold of the journal).
    pub run: Run,
    /// Who is at this keyboard.
    pub actor: Actor,
    /// State per item, counts per section.
    pub states: States,
    all_rows: Vec<Row>,
    item_pos: Vec<usize>,
    section_pos: Vec<usize>,
    /// Rows left visible by folding.
    pub visible: Vec<Row>,
    /// Folded sections.
    pub folded: Vec<bool>,
    /// Index into `visible`.
    pub cursor: usize,
    /// First visible row shown.
    pub scroll: usize,
    /// First row of the detail pane shown.
    pub detail_scroll: u16,
    /// Screen size.
    pub size: (u16, u16),
    /// Popup or normal.
    pub mode: Mode,
    /// Active search.
    pub found: Option<Found>,
    /// Messages: the footer's queue and the log.
    pub messages: Messages,
    /// Persistent banner: a change is not saved yet.
    pub not_saved: Option<String>,
    /// Changes sent to be written, oldest first, until each is acknowledged or refused.
    pub unsaved: VecDeque<Unsaved>,
    /// Shared store: changes kept in the durable outbox while the link is down (count, why).
    pub not_shared: Option<(usize, String)>,
    /// Who else has the run open now.
    pub viewers: Vec<crate::run::presence::Viewer>,
    /// The clock, as of the last update.
    pub now: DateTime<FixedOffset>,
    /// Glyphs and colours.
    pub style: Style,
    /// Rows of the help overlay.
    pub help_len: u16,
    /// Settings from `config.toml` and the environment.
    pub settings: Settings,
    /// The window and every timed section's plan (recomputed when the window or the template
    /// changes, never per frame).
    plan: Schedule,
    /// The header's next / overdue slot (recomputed on events and on the clock tick).
    slot: Option<schedule::Slot>,
    /// The unresolved NO-GO or the HOLD in force (recomputed on every event).
    blocker: Option<Blocker>,
    /// Popups waiting for the screen to be free (the window question, the choice after a NO-GO).
    queued: VecDeque<Mode>,
    /// The undo sent and not applied yet, as it was named.
    pending_undo: Option<UndoPreview>,
    /// The item whose change we wait for, to move on after it.
    awaiting: Option<ItemId>,
    reopen_armed: Option<ItemId>,
    quit_armed: bool,
    summary_shown: bool,
    vars: BTreeMap<String, String>,
    /// Drafts offered back and not opened yet.
    drafts: VecDeque<Draft>,
    /// The command this screen runs or ran last (the output pane).
    pub pane: Option<command::Pane>,
    /// Commands of the run without a result, and what the writer found of them.
    pub commands: command::Commands,
    /// The command confirmed and not started yet (and whether it was confirmed after a NO-GO).
    starting: Option<(command::CommandPreview, bool)>,
    /// Quit was pressed once while our command runs.
    quit_running_armed: bool,
}

fn positions(rows: &[Row], items: usize, sections: usize) -> (Vec<usize>, Vec<usize>) {
    let mut ip = vec![0; items];
    let mut sp = vec![0; sections];
    for (k, r) in rows.iter().enumerate() {
        match *r {
            Row::Item(i) if i < items => ip[i] = k,
            Row::Section(s) if s < sections => sp[s] = k,
            _ => {}
        }
    }
    (ip, sp)
}

impl App {
    /// A screen on `run`, cursor on the first open item. Missing variables are asked for first.
    pub fn new(
        template: impl Into<Arc<Template>>,
        run: Run,
        actor: Actor,
        style: Style,
        now: DateTime<FixedOffset>,
    ) -> App {
        let template: Arc<Template> = template.into();
        let states = States::new(&run, &template);
        let plan = Schedule::new(&run, &template);
        let blocker = crate::run::gates::blocker(&run);
        let slot = schedule::current_slot(&plan, &states.sections, now);
        let all_rows = rows::all_rows(&template);
        let (item_pos, section_pos) =
            positions(&all_rows, template.items.len(), template.sections.len());
        let mut app = App {
            folded: vec![false; template.sections.len()],
            visible: all_rows.clone(),
            all_rows,
            item_pos,
            section_pos,
            states,
            vars: owned_vars(&run),
            template,
            run,
            actor,
            cursor: 0,
            scroll: 0,
            detail_scroll: 0,
            size: (80, 24),
            mode: Mode::Normal,
            found: None,
            messages: Messages::default(),
            not_saved: None,
            unsaved: VecDeque::new(),
            not_shared: None,
            viewers: Vec::new(),
            now,
            style,
            help_len: 0,
            settings: Settings::default(),
            slot,
            plan,
            blocker,
            queued: VecDeque::new(),
            pending_undo: None,
            awaiting: None,
            reopen_armed: None,
            quit_armed: false,
            summary_shown: false,
            drafts: VecDeque::new(),
            pane: None,
            commands: command::Commands::default(),
            starting: None,
            quit_running_armed: false,
        };
        app.commands.unfinished = command::unfinished(&app.run);
        app.cursor = app.first_open_from(0).unwrap_or(0);
        app.summary_shown = app.states.all.open == 0;
        let missing: Vec<String> = app
            .template
            .settable_variables()
            .filter(|v| app.run.var(v).is_none())
            // Secret values are given to each command, never to the run.
            .filter(|v| !app.template.secret_variables().contains(v))
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

    /// Every note being typed or offered back and not saved yet (kept as drafts when the program
    /// must stop).
    pub fn drafts(&self) -> Vec<Draft> {
        let mut out: Vec<Draft> = self.draft().into_iter().collect();
        out.extend(self.drafts.iter().cloned());
        out
    }

    /// The note being typed, if any.
    pub fn draft(&self) -> Option<Draft> {
        match &self.mode {
            Mode::Note { item, editor }
            | Mode::Reason { item, editor, .. }
            | Mode::CommandNote { item, editor, .. }
                if !editor.is_blank() =>
            {
                Some(Draft {
                    item: item.to_string(),
                    text: editor.text(),
                })
            }
            _ => None,
        }
    }

    /// The message shown in the footer now.
    pub fn message(&self) -> Option<&Message> {
        self.messages.current()
    }

    /// Which bindings apply now.
    pub fn key_mode(&self) -> KeyMode {
        match self.mode {
            Mode::Normal if self.found.is_some() => KeyMode::Found,
            Mode::Normal => KeyMode::Normal,
            Mode::Help { .. } => KeyMode::Help,
            Mode::Note { .. } => KeyMode::Note,
            Mode::Reason { .. } => KeyMode::Reason,
            Mode::Field { .. } => KeyMode::Field,
            Mode::Sign { .. } => KeyMode::Sign,
            Mode::Gate { decision: None, .. } => KeyMode::Decide,
            Mode::Gate { .. } => KeyMode::Gate,
            Mode::Confirm(_) => KeyMode::Confirm,
            Mode::AfterNoGo { .. } => KeyMode::AfterNoGo,
            Mode::RunReason { .. } => KeyMode::Reason,
            Mode::Window { .. } => KeyMode::Window,
            Mode::Info { .. } => KeyMode::Info,
            Mode::Search { .. } => KeyMode::Search,
            Mode::Vars { .. } => KeyMode::Vars,
            Mode::Summary => KeyMode::Summary,
            Mode::Timeline { .. } => KeyMode::Timeline,
            Mode::Zoom { .. } => KeyMode::Zoom,
            Mode::Copy { .. } => KeyMode::Copy,
            Mode::Messages { .. } => KeyMode::Messages,
            Mode::RunConfirm { ref preview, .. } if preview.needs_code.is_some() => {
                KeyMode::RunCode
            }
            Mode::RunConfirm { .. } => KeyMode::RunConfirm,
            Mode::Secret { .. } => KeyMode::Secret,
            Mode::CommandDone { .. } => KeyMode::CommandDone,
            Mode::CommandNote { .. } => KeyMode::Note,
            Mode::Output { .. } => KeyMode::Output,
        }
    }

    /// Applies one action. Never does I/O: what must be done outside is in the [`Outcome`].
    pub fn update(&mut self, action: Action, now: DateTime<FixedOffset>) -> Outcome {
        self.now = now;
        let out = match action {
            Action::Clock => {
                self.messages.tick(now);
                self.check_slow_writes();
                self.reslot();
                Outcome::redraw()
            }
            Action::Settings(s) => {
                self.settings = *s;
                Outcome::redraw()
            }
            Action::AskWindow => {
                self.ask_window();
                Outcome::redraw()
            }
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.ensure_visible();
                self.clamp_scrolls();
                Outcome::redraw()
            }
            Action::HelpLength(n) => {
                self.help_len = n;
                Outcome::default()
            }
            Action::Notice { text, error } => {
                self.say(&text, error);
                Outcome::redraw()
            }
            Action::OfferDrafts(drafts) => {
                self.offer_drafts(drafts);
                Outcome::redraw()
            }
            Action::Applied(ev) => self.applied(&ev),
            Action::Remote(events) => self.remote(&events),
            Action::Rebased(t) => {
                self.rebased(*t);
                Outcome::redraw()
            }
            Action::Refused(msg) => {
                self.unsaved.pop_front();
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
            Action::NotShared { pending, why } => {
                if pending == 0 {
                    if self.not_shared.take().is_some() {
                        self.info("every change is shared");
                    }
                } else {
                    self.not_shared = Some((pending, why));
                    // They are safe on this disk: not a NOT SAVED write.
                    if self
                        .not_saved
                        .as_deref()
                        .is_some_and(|n| n.starts_with("waiting to write"))
                    {
                        self.not_saved = None;
                    }
                }
                Outcome::redraw()
            }
            Action::Withdrawn(msg) => {
                // The undo and the change it took back: neither will come back as an event.
                self.unsaved.pop_back();
                self.unsaved.pop_back();
                self.awaiting = None;
                self.info(&msg);
                Outcome::redraw()
            }
            Action::Presence(v) => {
                self.viewers = v;
                Outcome::redraw()
            }
            Action::Interrupt => match self.interrupt() {
                Some(out) => out,
                None => self.update(Action::Quit, now),
            },
            Action::CommandPrepared(p) => self.command_prepared(*p),
            Action::SecretsNeeded { target, names } => self.secrets_needed(target, names),
            Action::CommandRefused(msg) => self.command_refused(&msg),
            Action::CommandStarted { event, started } => self.command_started(&event, started),
            Action::CommandOutput(text) => self.command_output(&text),
            Action::CommandEnded(f) => self.command_ended(*f),
            Action::CommandLiveness(list) => self.command_liveness(list),
            Action::Quit if self.quit_while_running() => Outcome::redraw(),
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
        };
        if let Some(i) = &out.append {
            self.unsaved.push_back(Unsaved {
                intent: i.clone(),
                since: now,
            });
        }
        out
    }

    /// A change waiting longer than [`SLOW_WRITE`] seconds is shown as NOT SAVED (the journal is
    /// busy, or its lock is held by a stopped process) until it is written.
    fn check_slow_writes(&mut self) {
        // A real failure reported by the writer stays; the "waiting" note is kept current.
        if self
            .not_saved
            .as_deref()
            .is_some_and(|n| !n.starts_with("waiting to write"))
        {
            return;
        }
        // Kept in the shared store's durable outbox: the header says so; nothing is unsaved.
        if self.not_shared.is_some() {
            return;
        }
        if let Some(u) = self.unsaved.front()
            && self.now - u.since >= Duration::seconds(SLOW_WRITE)
        {
            self.not_saved = Some(format!(
                "waiting to write {} change(s) for {}s: another process holds the journal's lock, or the disk is slow",
                self.unsaved.len(),
                (self.now - u.since).num_seconds()
            ));
        } else {
            self.not_saved = None;
        }
    }

    fn say(&mut self, text: &str, error: bool) {
        self.messages.push(
            Message {
                text: text.to_owned(),
                error,
                at: self.now,
            },
            self.now,
        );
    }

    /// A transient message.
    pub(crate) fn info(&mut self, text: &str) {
        self.say(text, false);
    }

    /// An error message (waits its turn, never replaced before its time).
    pub(crate) fn error(&mut self, text: &str) {
        self.say(text, true);
    }

    /// Index of the item under the cursor.
    pub fn current_item(&self) -> Option<usize> {
        match self.visible.get(self.cursor)? {
            Row::Item(i) => Some(*i),
            Row::Section(_) => None,
        }
    }

    /// Index of an item by id.
    pub fn item_index(&self, id: &ItemId) -> Option<usize> {
        self.states.index_of(id)
    }

    /// Item text with the run's variables substituted.
    pub fn item_text(&self, index: usize) -> Cow<'_, str> {
        self.template
            .items
            .get(index)
            .map_or(Cow::Borrowed(""), |i| self.subst(&i.text))
    }

    /// Text of an item by id (for popups), or a note that it is gone.
    pub fn item_text_of(&self, id: &ItemId) -> String {
        match self.item_index(id) {
            Some(i) => self.item_text(i).into_owned(),
            None => format!("(item {id} is no longer in the template)"),
        }
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

    /// Whether the item has notes (not undone).
    pub fn has_notes(&self, index: usize) -> bool {
        self.template
            .items
            .get(index)
            .and_then(|i| self.run.items.get(&i.id))
            .is_some_and(|r| r.live_notes().next().is_some())
    }

    /// The screen's geometry now (the detail pane widens for long code).
    pub fn layout(&self) -> layout::Layout {
        let want = self.detail_doc().code_width() + 1;
        layout::layout_with(
            self.size.0,
            self.size.1,
            u16::try_from(want).unwrap_or(u16::MAX),
            self.pane_docked(),
        )
    }

    /// Whether the output pane is docked below the list.
    pub fn pane_docked(&self) -> bool {
        self.pane.as_ref().is_some_and(|p| p.docked)
    }

    /// Wait for `item`'s change to be applied, then move to the next open item.
    fn expect(&mut self, item: ItemId, intent: Intent) -> Outcome {
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
