//! The terminal lifecycle and event loop. Input is read on its own thread, signals on another, both
//! into one channel; the main loop blocks on `recv_timeout` (one wake-up a second for the clock and
//! for other processes' journal appends). A failed draw, end of input or SIGHUP is a hang-up: the
//! draft is saved and the process exits at once. Ctrl-Z suspends; SIGCONT re-enters and redraws.

pub mod draft;
pub mod input;
pub mod keys;
pub mod parse;
pub mod picker;
pub mod terminal;

mod editor;

use crate::app::{Action, App, Outcome, Style};
use crate::input::Keymap;
use crate::run::event::Actor;
use crate::run::intent::Intent;
use crate::store::{OpenRun, StoreError};
use chrono::{DateTime, FixedOffset, Local};
use signal_hook::consts::signal::{SIGCONT, SIGHUP, SIGINT, SIGSTOP, SIGTERM, SIGTSTP, SIGWINCH};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};
use terminal::Term;

/// Options of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TuiOptions {
    /// ASCII glyphs (`--ascii`, or a non-UTF-8 locale).
    pub ascii: bool,
}

/// What reaches the main loop.
#[derive(Debug)]
enum Msg {
    Input(keys::Input),
    InputGone,
    Signal(i32),
}

/// Whether the locale promises UTF-8 (`LC_ALL`, `LC_CTYPE`, `LANG`, first one set).
pub fn utf8_locale() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .is_some_and(|v| {
            let v = v.to_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

/// Display options from the environment: `NO_COLOR`, locale, `--ascii`.
pub fn style_from_env(ascii: bool) -> Style {
    Style {
        ascii: ascii || !utf8_locale(),
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

fn spawn_signals(tx: Sender<Msg>) -> std::io::Result<()> {
    let mut signals =
        signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGCONT, SIGWINCH, SIGTSTP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for s in signals.forever() {
                if tx.send(Msg::Signal(s)).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

struct Session {
    open: OpenRun,
    actor: Actor,
    app: App,
    pending: std::collections::VecDeque<Intent>,
    input: input::InputThread,
}

/// Opens the screen on a run and runs until the operator quits; returns the exit status.
pub fn run(open: OpenRun, actor: Actor, opts: TuiOptions) -> color_eyre::Result<i32> {
    let _ = color_eyre::install();
    let (keymap, keymap_err) = Keymap::load();
    let mut app = App::new(
        open.template.clone(),
        open.run.clone(),
        actor.clone(),
        keymap,
        style_from_env(opts.ascii),
        now(),
    );
    if let Some(e) = keymap_err {
        app.error(&format!("keymap not used: {e}"));
    }
    for w in &open.warnings {
        app.error(&format!("warning: {w}"));
    }
    if let crate::store::open::Drift::Changed { .. } = open.drift() {
        app.error(&format!(
            "the template file changed since this run started: `runsheet rebase {}` follows it",
            open.run.id
        ));
    }
    if open.read_only.is_some() {
        app.error("a newer runsheet wrote this run: it is read-only here");
    }
    if let Some(d) = draft::take(&open.dir, &actor.user) {
        app.offer_draft(&d);
    }
    let (tx, rx) = mpsc::channel();
    spawn_signals(tx.clone())?;
    let mut terminal = terminal::init()?;
    let input = input::InputThread::spawn(move |i| {
        tx.send(match i {
            input::Incoming::Input(i) => Msg::Input(i),
            input::Incoming::Gone => Msg::InputGone,
        })
        .is_ok()
    })?;
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height), now());
    let mut s = Session {
        open,
        actor,
        app,
        pending: std::collections::VecDeque::new(),
        input,
    };
    let code = s.main_loop(&mut terminal, &rx);
    if let Some(d) = s.app.draft() {
        let _ = draft::save(&s.open.dir, &s.actor.user, &d);
    }
    if code == 0 {
        let _ = s.open.save_snapshot();
    }
    terminal::exit_now(terminal, code)
}

impl Session {
    fn main_loop(&mut self, terminal: &mut Term, rx: &Receiver<Msg>) -> i32 {
        let mut redraw = true;
        let mut next_tick = Instant::now() + Duration::from_secs(1);
        loop {
            if redraw {
                if terminal.draw(|f| crate::ui::render(&self.app, f)).is_err() {
                    return 129; // hang-up: the tty is gone
                }
                redraw = false;
            }
            let wait = next_tick.saturating_duration_since(Instant::now());
            let msg = match rx.recv_timeout(wait) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    next_tick = Instant::now() + Duration::from_secs(1);
                    self.tick();
                    redraw = true;
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return 129,
            };
            let action = match msg {
                Msg::InputGone => return 129,
                Msg::Signal(SIGHUP) => return 129,
                Msg::Signal(SIGTERM) => return 143,
                Msg::Signal(SIGINT) => return 130,
                Msg::Signal(SIGTSTP) => {
                    self.suspend(terminal);
                    redraw = true;
                    continue;
                }
                Msg::Signal(SIGCONT) => {
                    let _ = terminal::enter();
                    terminal::fresh(terminal);
                    redraw = true;
                    continue;
                }
                Msg::Signal(_) => match terminal.size() {
                    Ok(sz) => Action::Resize(sz.width, sz.height),
                    Err(_) => continue,
                },
                Msg::Input(keys::Input::Key(kp)) => {
                    match crate::input::action_for(&self.app.keymap, self.app.key_mode(), kp) {
                        Some(a) => a,
                        None => continue,
                    }
                }
                Msg::Input(keys::Input::Paste(t)) => Action::Paste(t),
                Msg::Input(keys::Input::Mouse(a)) => a,
            };
            let out = self.app.update(action, now());
            redraw |= out.redraw;
            if out.quit {
                return 0;
            }
            redraw |= self.outcome(out, terminal);
        }
    }

    /// Carries out what `update` asked for; returns whether to redraw.
    fn outcome(&mut self, out: Outcome, terminal: &mut Term) -> bool {
        let mut redraw = false;
        if let Some(text) = out.copy {
            let _ = crossterm::execute!(
                std::io::stdout(),
                crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
            );
        }
        if let Some(intent) = out.append {
            self.append(intent);
            redraw = true;
        }
        if out.suspend {
            self.suspend(terminal);
            redraw = true;
        }
        if let Some(text) = out.external_edit {
            let result = editor::edit(&self.input, &self.open.dir, &text);
            terminal::fresh(terminal);
            let action = Action::EditorDone(result.as_ref().ok().cloned());
            self.app.update(action, now());
            if let Err(e) = result {
                self.app.error(&format!("$EDITOR: {e}"));
            }
            redraw = true;
        }
        redraw
    }

    /// Appends in order: a change waits behind any change that could not be written yet.
    fn append(&mut self, intent: Intent) {
        self.pending.push_back(intent);
        self.flush_pending();
    }

    /// Writes waiting changes, oldest first; stops at the first that still cannot be written.
    fn flush_pending(&mut self) {
        let had_failure = self.app.not_saved.is_some();
        while let Some(intent) = self.pending.front().cloned() {
            let t = now();
            match self.open.append(&intent, &self.actor, t) {
                Ok(ev) => {
                    self.pending.pop_front();
                    self.deliver(Some(ev));
                }
                Err(e) if retryable(&e) => {
                    let n = self.pending.len();
                    let msg = format!("{e} ({n} change(s) waiting)");
                    self.app.update(Action::NotSaved(msg), t);
                    return;
                }
                Err(e) => {
                    self.pending.pop_front();
                    self.app.update(Action::Refused(e.to_string()), t);
                }
            }
        }
        if had_failure {
            self.app.update(Action::Saved, now());
        }
    }

    /// Hands our own event (and anything the store caught up on) to the app.
    fn deliver(&mut self, own: Option<crate::run::event::Event>) {
        let t = now();
        let in_step = match &own {
            Some(ev) => ev.seq == self.app.run.seq + 1 && self.open.run.seq == ev.seq,
            None => self.open.run.seq == self.app.run.seq,
        };
        let same_template = self.open.run.base_sha256 == self.app.run.base_sha256;
        if in_step && same_template {
            if let Some(ev) = own {
                self.app.update(Action::Applied(Box::new(ev)), t);
            }
        } else {
            let pair = (self.open.run.clone(), self.open.template.clone());
            self.app.update(Action::Reload(Box::new(pair)), t);
        }
    }

    fn tick(&mut self) {
        let t = now();
        self.app.update(Action::Clock, t);
        if !self.pending.is_empty() {
            self.flush_pending();
        }
        match self.open.read_new_events() {
            Ok(events) if !events.is_empty() => {
                if self.open.run.base_sha256 == self.app.run.base_sha256 {
                    self.app.update(Action::Remote(events), t);
                }
                if self.open.run.seq != self.app.run.seq
                    || self.open.run.base_sha256 != self.app.run.base_sha256
                {
                    self.deliver(None);
                }
            }
            Ok(_) => {}
            Err(e) => self.app.error(&format!("reading the journal: {e}")),
        }
    }

    fn suspend(&mut self, terminal: &mut Term) {
        if let Some(d) = self.app.draft() {
            let _ = draft::save(&self.open.dir, &self.actor.user, &d);
        }
        terminal::leave();
        let _ = signal_hook::low_level::raise(SIGSTOP);
        let _ = terminal::enter();
        terminal::fresh(terminal);
    }
}

fn retryable(e: &StoreError) -> bool {
    matches!(e, StoreError::Io { .. } | StoreError::Locked { .. })
}
