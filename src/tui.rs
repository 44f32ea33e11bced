//! The terminal lifecycle and the event loop.
//!
//! Three threads feed one channel: the input thread (the terminal's bytes as keys, mouse and
//! pastes; see [`input`]), the signal thread (hang-up, terminate, interrupt, suspend / continue,
//! window size), and the writer thread, which owns the run's store handle so appends (and their
//! waits for the journal's lock) never hold up keys or the clock. The main loop blocks on the
//! channel until the next second (the clock's tick, which also asks the writer for other
//! processes' appends) and hands everything to one dispatch queue on the app. A failed draw, the
//! end of input or SIGHUP is a hang-up: the drafts are saved and the process exits at once.

pub mod draft;
pub mod input;
pub mod keys;
pub mod outbox;
pub mod parse;
pub mod picker;
pub mod terminal;
pub mod writer;

mod editor;
mod session;

use crate::app::Style;
use crate::run::event::Actor;
use crate::run::intent::Intent;
use crate::store::{NewRun, OpenRun};

/// Options of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TuiOptions {
    /// ASCII glyphs (`--ascii`, or a non-UTF-8 locale).
    pub ascii: bool,
    /// Never run commands from this screen (`--no-exec`).
    pub no_exec: bool,
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

/// The keymap, loaded once (on another thread when [`preload`] was called).
static KEYMAP: std::sync::OnceLock<(crate::input::Keymap, Option<String>)> =
    std::sync::OnceLock::new();

fn load_keymap() -> (crate::input::Keymap, Option<String>) {
    let (k, e) = crate::input::Keymap::load();
    (k, e.map(|e| e.to_string()))
}

/// Starts loading the keymap on another thread, so it is ready when the screen opens (a command
/// calls this before parsing the template: the two run at the same time).
pub fn preload() {
    let _ = std::thread::Builder::new().name("keymap".into()).spawn(|| {
        KEYMAP.get_or_init(load_keymap);
    });
}

/// The keymap and what was wrong with the user's file, if anything (waits for [`preload`]).
pub(crate) fn keymap() -> (crate::input::Keymap, Option<String>) {
    KEYMAP.get_or_init(load_keymap).clone()
}

/// Opens the screen on a run and runs until the operator quits; returns the exit status.
pub fn run(open: OpenRun, actor: Actor, opts: TuiOptions) -> color_eyre::Result<i32> {
    let dir = open.dir.clone();
    session::run(
        session::Start::open(crate::backend::Opened::File(Box::new(open)), dir),
        actor,
        opts,
    )
}

/// Opens the screen on a run in either store; a shared run's drafts are kept under `drafts`
/// (a local directory; a local run keeps them in its run dir).
pub fn run_any(
    open: crate::backend::Opened,
    drafts: std::path::PathBuf,
    actor: Actor,
    opts: TuiOptions,
) -> color_eyre::Result<i32> {
    let dir = match open.file() {
        Some(o) => o.dir.clone(),
        None => drafts,
    };
    session::run(session::Start::open(open, dir), actor, opts)
}

/// Opens the screen on a run that is being created: the first frame is drawn while the run dir is
/// written durably on the writer thread; the first change waits for it.
///
/// `first` are changes appended right after the run is created, before the operator's own (the
/// window given with `--window`).
pub fn run_new(
    new: NewRun,
    first: Vec<Intent>,
    actor: Actor,
    opts: TuiOptions,
) -> color_eyre::Result<i32> {
    session::run(
        session::Start::new_run(new).with_changes(first),
        actor,
        opts,
    )
}
