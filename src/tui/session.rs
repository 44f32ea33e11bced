//! One session on a run: the main loop and its one dispatch queue. Every input, signal and store
//! report becomes actions; [`Session::dispatch`] applies them to the app one by one and carries out
//! every [`Outcome`] (which may queue more actions, like `$EDITOR`'s result), until the queue is
//! empty. Nothing outside `App::update` changes the app.

use super::draft;
use super::editor;
use super::input::{Incoming, InputThread};
use super::keys::Input;
use super::terminal::{self, Term};
use super::writer::{Finished, StoreMsg, Target, Writer};
use super::{TuiOptions, style_from_env};
use crate::app::command::CommandRequest;
use crate::app::{Action, App, Draft, Outcome, Settings};
use crate::backend::Opened;
use crate::input::{self, Keymap};
use crate::run::event::Actor;
use crate::run::intent::Intent;
use crate::store::NewRun;
use crate::when::Zone;
use chrono::{DateTime, FixedOffset, Local};
use signal_hook::consts::signal::{SIGCONT, SIGHUP, SIGINT, SIGSTOP, SIGTERM, SIGTSTP, SIGWINCH};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// What reaches the main loop.
#[derive(Debug)]
enum Msg {
    Input(Input),
    InputGone,
    Signal(i32),
    Store(StoreMsg),
    /// The running command's output or end.
    Exec(crate::exec::spawn::ExecEvent),
}

/// How long quitting waits for the writer to finish (it may be waiting for the journal's lock).
const QUIT_WAIT: Duration = Duration::from_secs(4);
/// How long a hang-up waits for it: the process must be gone within 2 s.
const HANGUP_WAIT: Duration = Duration::from_millis(900);
/// How long quitting waits for a running command to end after its interrupt (then it is killed).
const COMMAND_QUIT_WAIT: Duration = Duration::from_secs(6);
/// How long a hang-up waits for a running command to end after killing it.
const COMMAND_HANGUP_WAIT: Duration = Duration::from_millis(600);

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

/// The operator's own zone: `TZ` when it names one, else the system's (`/etc/timezone`, or the
/// zone `/etc/localtime` links to). `None` when none can be read (the header then names the
/// offset).
fn local_zone() -> Option<Zone> {
    let parse = |s: &str| Zone::parse(s.trim().trim_start_matches(':'));
    if let Some(z) = std::env::var("TZ").ok().as_deref().and_then(parse) {
        return Some(z);
    }
    if let Some(z) = std::fs::read_to_string("/etc/timezone")
        .ok()
        .as_deref()
        .and_then(parse)
    {
        return Some(z);
    }
    let link = std::fs::read_link("/etc/localtime").ok()?;
    let text = link.to_string_lossy();
    let (_, name) = text.rsplit_once("zoneinfo/")?;
    parse(name)
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

/// What the operator should know about an opened run before the first frame, in order (drift is
/// checked by the writer thread: it reads and hashes the original template, which the first frame
/// need not wait for).
fn start_up_notices(open: &Opened) -> Vec<Action> {
    let mut out = Vec::new();
    let mut say = |text: String| out.push(Action::Notice { text, error: true });
    match open {
        Opened::File(open) => {
            for w in &open.warnings {
                say(format!("warning: {w}"));
            }
            if open.read_only.is_some() {
                say("a newer runsheet wrote this run: it is read-only here".to_owned());
            }
        }
        #[cfg(feature = "postgres")]
        Opened::Shared(s) => {
            for w in &s.warnings {
                say(format!("warning: {w}"));
            }
        }
    }
    out
}

struct Session {
    app: App,
    keymap: Keymap,
    actor: Actor,
    dir: PathBuf,
    run_id: String,
    input: InputThread,
    writer: Option<Writer>,
    redraw: bool,
    exec: commands::Exec,
    /// The loop's channel, for the running command's events.
    tx: Sender<Msg>,
}

/// What a session starts from: the app's own copy of the run, where it lives, what to tell the
/// operator first, and what the writer writes to.
pub(super) struct Start {
    template: std::sync::Arc<crate::model::Template>,
    run: crate::run::Run,
    dir: PathBuf,
    notices: Vec<Action>,
    target: Target,
    first_changes: Vec<Intent>,
}

impl Start {
    /// An existing run, in either store; `dir` keeps the screen's drafts (a local run's own dir).
    pub(super) fn open(open: Opened, dir: PathBuf) -> Start {
        let notices = start_up_notices(&open);
        Start {
            template: std::sync::Arc::new(open.template().clone()),
            run: open.run().clone(),
            dir,
            notices,
            target: Target::Open(Box::new(open)),
            first_changes: Vec::new(),
        }
    }

    /// A run being created: the writer makes it durable while the first frame is drawn.
    pub(super) fn new_run(new: NewRun) -> Start {
        Start {
            template: std::sync::Arc::clone(&new.template),
            run: new.run.clone(),
            dir: new.dir(),
            notices: Vec::new(),
            target: Target::New(Box::new(new)),
            first_changes: Vec::new(),
        }
    }

    /// Changes the writer appends first, in order, before anything the operator does (a window
    /// given with `--window` when the run starts).
    pub(super) fn with_changes(mut self, changes: Vec<Intent>) -> Start {
        self.first_changes = changes;
        self
    }
}

/// Opens the screen and runs until the operator quits; returns the exit status (it does not
/// return on exit paths: the process ends there, without touching a dead terminal again).
pub(super) fn run(start: Start, actor: Actor, opts: TuiOptions) -> color_eyre::Result<i32> {
    let _ = color_eyre::install();
    let (keymap, keymap_err) = super::keymap();
    let mut notices = Vec::new();
    if let Some(e) = keymap_err {
        notices.push(Action::Notice {
            text: format!("keymap not used: {e}"),
            error: true,
        });
    }
    if let Some(e) = crate::store::identity::config_problem() {
        notices.push(Action::Notice {
            text: format!("config not used: {e}"),
            error: true,
        });
    }
    notices.extend(start.notices);
    let ask_window = matches!(start.target, Target::New(_))
        && !start
            .first_changes
            .iter()
            .any(|i| matches!(i, Intent::Window { .. }));
    let first_changes = start.first_changes;
    let dir = start.dir;
    let drafts = draft::claim(&dir, &actor);
    let app = App::new(
        start.template,
        start.run,
        actor.clone(),
        style_from_env(opts.ascii),
        now(),
    );
    let run_id = app.run.id.clone();
    let (tx, rx) = mpsc::channel();
    let exec = commands::Exec::new(opts.no_exec, &app.template);
    let exec_tx = tx.clone();
    spawn_signals(tx.clone())?;
    let mut terminal = terminal::init()?;
    let itx = tx.clone();
    let input = InputThread::spawn(move |i| {
        itx.send(match i {
            Incoming::Input(i) => Msg::Input(i),
            Incoming::Gone => Msg::InputGone,
        })
        .is_ok()
    })?;
    let writer = Writer::spawn_on(start.target, actor.clone(), move |m| {
        tx.send(Msg::Store(m)).is_ok()
    })?;
    for intent in first_changes {
        writer.append(intent);
    }
    let size = terminal.size()?;
    let mut s = Session {
        app,
        keymap,
        actor,
        dir,
        run_id,
        input,
        writer: Some(writer),
        redraw: true,
        exec,
        tx: exec_tx,
    };
    let settings = Settings {
        go_reason: crate::config::load().0.gates.go_reason,
        local_zone: local_zone(),
    };
    let mut first = vec![
        Action::Settings(Box::new(settings)),
        Action::HelpLength(crate::ui::help::help_len(&s.keymap)),
        Action::Resize(size.width, size.height),
    ];
    if ask_window {
        first.push(Action::AskWindow);
    }
    first.extend(notices);
    if !drafts.is_empty() {
        first.push(Action::OfferDrafts(drafts));
    }
    let code = s
        .dispatch(first, &mut terminal)
        .unwrap_or_else(|| s.main_loop(&mut terminal, &rx));
    s.finish(terminal, code, &rx)
}

/// How many waiting messages are handled before the screen is drawn again.
const DRAIN_MAX: usize = 512;
/// How long waiting messages are handled before the screen is drawn again.
const DRAIN_FOR: Duration = Duration::from_millis(8);

impl Session {
    fn main_loop(&mut self, terminal: &mut Term, rx: &Receiver<Msg>) -> i32 {
        let mut next_tick = Instant::now() + Duration::from_secs(1);
        loop {
            if self.redraw {
                let drawn = terminal.draw(|f| {
                    crate::ui::render(&self.app, &self.keymap, f);
                });
                if drawn.is_err() {
                    return 129; // hang-up: the tty is gone
                }
                self.redraw = false;
            }
            let wait = next_tick.saturating_duration_since(Instant::now());
            let msg = match rx.recv_timeout(wait) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    next_tick = Instant::now() + Duration::from_secs(1);
                    if let Some(w) = &self.writer {
                        w.poll();
                    }
                    if let Some(code) = self.dispatch(vec![Action::Clock], terminal) {
                        return code;
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return 129,
            };
            let first_key = matches!(msg, Msg::Input(_));
            if let Some(code) = self.handle(msg, terminal) {
                return code;
            }
            if first_key {
                continue;
            }
            // A command's output that waits is taken in before the next frame, a bounded amount at
            // a time; a key is drawn at once (it never waits behind more output than one piece).
            let until = Instant::now() + DRAIN_FOR;
            for _ in 0..DRAIN_MAX {
                let Ok(msg) = rx.try_recv() else { break };
                let key = matches!(msg, Msg::Input(_));
                if let Some(code) = self.handle(msg, terminal) {
                    return code;
                }
                if key || Instant::now() >= until {
                    break;
                }
            }
        }
    }

    /// One message from the channel; `Some(status)` ends the session.
    fn handle(&mut self, msg: Msg, terminal: &mut Term) -> Option<i32> {
        let actions = match msg {
            Msg::InputGone | Msg::Signal(SIGHUP) => return Some(129),
            Msg::Signal(SIGTERM) => return Some(143),
            Msg::Signal(SIGINT) => return Some(130),
            Msg::Signal(SIGTSTP) => {
                self.suspend(terminal);
                return None;
            }
            Msg::Signal(SIGCONT) => {
                let _ = terminal::enter();
                terminal::fresh(terminal);
                self.redraw = true;
                return None;
            }
            Msg::Signal(SIGWINCH) => match crossterm::terminal::size() {
                Ok((w, h)) => vec![Action::Resize(w, h)],
                Err(_) => return None,
            },
            Msg::Signal(_) => return None,
            Msg::Input(Input::Key(k)) => {
                match input::action_for(&self.keymap, self.app.key_mode(), k) {
                    Some(a) => vec![a],
                    None => return None,
                }
            }
            Msg::Input(Input::Paste(t)) => vec![Action::Paste(t)],
            Msg::Input(Input::Mouse(a)) => vec![a],
            Msg::Store(StoreMsg::CommandStarted {
                caught_up,
                template,
                event,
                started,
                file,
                prepared,
            }) => {
                self.exec.spawn(&prepared, *file, started.clone(), &self.tx);
                let mut out = Vec::new();
                if !caught_up.is_empty() {
                    out.push(Action::Remote(caught_up));
                }
                if let Some(t) = template {
                    out.push(Action::Rebased(t));
                }
                out.push(Action::CommandStarted { event, started });
                out
            }
            Msg::Store(m) => store_actions(m),
            Msg::Exec(crate::exec::spawn::ExecEvent::Output(t)) => {
                vec![Action::CommandOutput(t)]
            }
            Msg::Exec(crate::exec::spawn::ExecEvent::Finished(f)) => {
                self.exec.live = None;
                vec![Action::CommandEnded(Box::new(f))]
            }
        };
        self.dispatch(actions, terminal)
    }

    /// Applies actions in order, carrying out every outcome; returns `Some(0)` when the operator
    /// quit.
    fn dispatch(&mut self, actions: Vec<Action>, terminal: &mut Term) -> Option<i32> {
        let mut fx = Live {
            terminal,
            writer: self.writer.as_ref(),
            input: &self.input,
            dir: &self.dir,
            actor: &self.actor,
            exec: &mut self.exec,
        };
        let d = dispatch(&mut self.app, &mut fx, actions, now);
        self.redraw |= d.redraw;
        d.quit.then_some(0)
    }

    fn save_drafts(&self) {
        if let Err(e) = draft::save(&self.dir, &self.actor, &self.app.drafts()) {
            tracing::error!(run = %self.run_id, "drafts not saved: {e}");
        }
    }

    fn suspend(&mut self, terminal: &mut Term) {
        suspend(terminal, &self.dir, &self.actor, &self.app.drafts());
        self.redraw = true;
    }

    /// Saves the drafts, lets the writer finish (briefly after a hang-up), leaves the screen and
    /// ends the process; after a quit it says whether everything is saved and how to come back.
    fn finish(mut self, terminal: Term, code: i32, rx: &Receiver<Msg>) -> ! {
        self.save_drafts();
        // A command still running is interrupted (after a quit the operator confirmed) or killed
        // (hang-up), and how it ended is recorded before the writer finishes.
        let (kill, wait) = if code == 0 {
            (false, COMMAND_QUIT_WAIT)
        } else {
            (true, COMMAND_HANGUP_WAIT)
        };
        if let Some((started, f)) = self.exec.stop(rx, kill, wait) {
            tracing::warn!(
                seq = started.seq,
                "command stopped with the screen: {}",
                f.describe()
            );
            if let Some(w) = &self.writer {
                w.append(crate::exec::record::finished_intent(&started, &f));
            }
        }
        let within = if code == 0 { QUIT_WAIT } else { HANGUP_WAIT };
        let done = self.writer.take().and_then(|w| w.finish(code == 0, within));
        let unsaved = done.as_ref().map_or(0, |d| d.unsaved);
        if code == 0 {
            tracing::info!(run = %self.run_id, unsaved, "screen closed");
        } else {
            tracing::warn!(run = %self.run_id, unsaved, status = code, "hang-up: screen closed");
        }
        terminal::leave();
        std::mem::forget(terminal);
        if code == 0 {
            println!(
                "{}",
                farewell(&self.run_id, done.as_ref(), !self.app.drafts().is_empty())
            );
        }
        std::process::exit(code)
    }
}

/// Leaves the screen (drafts saved first), stops the process, and comes back to a fresh screen.
fn suspend(terminal: &mut Term, dir: &Path, actor: &Actor, drafts: &[Draft]) {
    if let Err(e) = draft::save(dir, actor, drafts) {
        tracing::error!("drafts not saved before suspending: {e}");
    }
    tracing::info!("suspended (Ctrl-Z)");
    terminal::leave();
    let _ = signal_hook::low_level::raise(SIGSTOP);
    let _ = terminal::enter();
    terminal::fresh(terminal);
}

/// What carrying out outcomes needs from the world outside the app.
pub(super) trait Effects {
    /// Puts text on the clipboard.
    fn copy(&mut self, text: String);
    /// Queues a change to be written.
    fn append(&mut self, intent: Intent);
    /// Suspends to the shell until `fg` (the drafts are kept first).
    fn suspend(&mut self, drafts: &[Draft]);
    /// Runs `$EDITOR` on the text.
    fn edit(&mut self, text: &str) -> Result<String, String>;
    /// Carries out a request about commands; what it answers at once comes back as actions.
    fn command(&mut self, req: CommandRequest, app: &App) -> Vec<Action>;
}

/// The real effects of a session.
struct Live<'a> {
    terminal: &'a mut Term,
    writer: Option<&'a Writer>,
    input: &'a InputThread,
    dir: &'a Path,
    actor: &'a Actor,
    exec: &'a mut commands::Exec,
}

impl Effects for Live<'_> {
    fn command(&mut self, req: CommandRequest, app: &App) -> Vec<Action> {
        self.exec.request(req, &app.template, &app.run, self.writer)
    }

    fn copy(&mut self, text: String) {
        let _ = crossterm::execute!(
            std::io::stdout(),
            crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
        );
    }

    fn append(&mut self, intent: Intent) {
        if let Some(w) = self.writer {
            w.append(intent);
        }
    }

    fn suspend(&mut self, drafts: &[Draft]) {
        suspend(self.terminal, self.dir, self.actor, drafts);
    }

    fn edit(&mut self, text: &str) -> Result<String, String> {
        let result = editor::edit(self.input, self.dir, text);
        terminal::fresh(self.terminal);
        result
    }
}

/// What a round of dispatching asks of the loop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Dispatched {
    /// Draw again.
    pub redraw: bool,
    /// The operator quit.
    pub quit: bool,
}

/// The one dispatch queue: applies each action, carries out every part of its outcome (which
/// may queue more actions, like `$EDITOR`'s result), until the queue is empty or the operator
/// quits.
pub(super) fn dispatch(
    app: &mut App,
    fx: &mut dyn Effects,
    actions: Vec<Action>,
    now: impl Fn() -> DateTime<FixedOffset>,
) -> Dispatched {
    let mut d = Dispatched::default();
    let mut queue: VecDeque<Action> = actions.into();
    while let Some(a) = queue.pop_front() {
        let out: Outcome = app.update(a, now());
        d.redraw |= out.redraw;
        if out.quit {
            d.quit = true;
            return d;
        }
        if let Some(text) = out.copy {
            fx.copy(text);
        }
        if let Some(intent) = out.append {
            fx.append(intent);
        }
        if let Some(req) = out.command {
            queue.extend(fx.command(req, app));
        }
        if out.suspend {
            fx.suspend(&app.drafts());
            d.redraw = true;
        }
        if let Some(text) = out.external_edit {
            let result = fx.edit(&text);
            d.redraw = true;
            queue.push_back(Action::EditorDone(result.as_ref().ok().cloned()));
            if let Err(e) = result {
                queue.push_back(Action::Notice {
                    text: format!("$EDITOR: {e}"),
                    error: true,
                });
            }
        }
    }
    d
}

/// What is printed after a quit.
fn farewell(run_id: &str, done: Option<&Finished>, drafts: bool) -> String {
    let mut s = match done {
        Some(f) if f.unsaved == 0 && f.not_shared > 0 => format!(
            "{} change(s) not shared yet: kept on this machine, sent in order (each re-checked) when you open the run again · resume with: runsheet resume {run_id}",
            f.not_shared
        ),
        Some(f) if f.unsaved == 0 => format!("saved · resume with: runsheet resume {run_id}"),
        Some(f) => format!(
            "NOT SAVED: {} change(s) could not be written{} · resume with: runsheet resume {run_id}",
            f.unsaved,
            f.error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ),
        None => format!(
            "NOT SAVED: the journal did not answer in time (another process holds its lock); \
             the last change(s) may be missing · resume with: runsheet resume {run_id}"
        ),
    };
    if drafts {
        s.push_str("\nyour unsaved note is kept as a draft: it comes back when you resume");
    }
    s
}

/// A store report as the actions it means for the app, in order.
fn store_actions(m: StoreMsg) -> Vec<Action> {
    let mut out = Vec::new();
    match m {
        StoreMsg::Remote { events, template } => {
            if !events.is_empty() {
                out.push(Action::Remote(events));
            }
            if let Some(t) = template {
                out.push(Action::Rebased(t));
            }
        }
        StoreMsg::Written {
            caught_up,
            template,
            event,
        } => {
            if !caught_up.is_empty() {
                out.push(Action::Remote(caught_up));
            }
            if let Some(t) = template {
                out.push(Action::Rebased(t));
            }
            out.push(Action::Applied(event));
        }
        StoreMsg::Refused(e) => out.push(Action::Refused(e)),
        StoreMsg::NotSaved(e) => out.push(Action::NotSaved(e)),
        StoreMsg::Saved => out.push(Action::Saved),
        StoreMsg::Problem(text) => out.push(Action::Notice { text, error: true }),
        StoreMsg::NotShared { pending, why } => out.push(Action::NotShared { pending, why }),
        StoreMsg::Withdrawn(text) => out.push(Action::Withdrawn(text)),
        StoreMsg::Presence(v) => out.push(Action::Presence(v)),
        StoreMsg::CommandRefused(e) => out.push(Action::CommandRefused(e)),
        StoreMsg::CommandLiveness(l) => out.push(Action::CommandLiveness(l)),
        // Spawned by the session before its actions (see `Session::handle`).
        StoreMsg::CommandStarted { .. } => {}
    }
    out
}

mod commands;

#[cfg(test)]
mod tests;
