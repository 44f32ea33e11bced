//! The full-screen entry points: `runsheet TEMPLATE`, `runsheet run TEMPLATE`, `runsheet resume
//! [RUN]`, `runsheet join RUN`.

use super::common::{StoreArgs, fail, short};
use crate::run::event::{Change, Event, show_time};
use crate::store::{NewRun, OpenRun, StartOptions, Store, StoreError, identity};
use crate::tui::{self, TuiOptions};
use clap::Args;
use std::collections::BTreeMap;
use std::path::Path;

/// Display options shared by the screen commands.
#[derive(Debug, Clone, Args)]
pub struct ScreenArgs {
    /// Your display name for this session (default: RUNSHEET_OPERATOR, config, or the OS user).
    #[arg(long = "as", value_name = "NAME")]
    pub as_name: Option<String>,
    /// ASCII glyphs only (also chosen when the locale is not UTF-8).
    #[arg(long)]
    pub ascii: bool,
    /// Never run a command from this screen (`r` refuses). A run started with it records that
    /// running was off, and then no screen or `runsheet exec` runs its commands.
    #[arg(long)]
    pub no_exec: bool,
    /// Data dir.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Markdown checklist to walk: a path, or a built-in or user template name (`runsheet templates`).
    pub template: String,
    /// A variable's value: `--var VERSION=1.4.2`, `--var "Deployment Lead=Dana"` (repeatable);
    /// missing ones are asked for.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = super::start::parse_var)]
    pub vars: Vec<(String, String)>,
    /// A name for the run (default: the template's title).
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Always start a new run, even when an unfinished one of this template exists.
    #[arg(long)]
    pub new: bool,
    /// The window's start for a new run (as for `runsheet start --window`).
    #[arg(long, value_name = "START")]
    pub window: Option<String>,
    /// Numbered steps (`1. Drain the node`) are items even where the template has checkboxes
    /// (also front matter `steps: true`). A new run keeps reading its template this way.
    #[arg(long)]
    pub steps: bool,
    /// Screen options.
    #[command(flatten)]
    pub screen: ScreenArgs,
}

/// `resume` / `join`.
#[derive(Debug, Clone, Args)]
pub struct ResumeArgs {
    /// Run: an id, a unique prefix, or `latest` (default: the unfinished one, or a choice).
    pub run: Option<String>,
    /// Screen options.
    #[command(flatten)]
    pub screen: ScreenArgs,
}

fn opts(s: &ScreenArgs) -> TuiOptions {
    TuiOptions {
        ascii: s.ascii,
        no_exec: s.no_exec,
    }
}

fn start_event(dir: &Path) -> Option<Event> {
    crate::store::first_event(dir)
}

/// Unfinished runs, newest first; with `origin`, only those started from that template (a run
/// records the canonical path, or `builtin:NAME`).
fn unfinished(store: &Store, origin: Option<&str>) -> Result<Vec<OpenRun>, StoreError> {
    let want = origin;
    let mut out = Vec::new();
    for id in store.run_ids()? {
        let dir = store.runs_dir().join(&id);
        if let Some(w) = &want {
            let Some(ev) = start_event(&dir) else {
                continue;
            };
            let Change::Start { template_path, .. } = &ev.change else {
                continue;
            };
            if template_path != w {
                continue;
            }
        }
        if let Ok(open) = OpenRun::open(&dir)
            && open.run.is_active()
        {
            out.push(open);
        }
    }
    out.sort_by_key(|o| std::cmp::Reverse(o.run.last.at));
    Ok(out)
}

fn describe(open: &OpenRun) -> String {
    let view = crate::run::view::RunView::new(&open.run, &open.template);
    format!(
        "resume {}  {}/{} closed · last change {} by {} · head {}",
        open.run.id,
        view.progress.closed(),
        view.progress.total,
        show_time(&open.run.last.at),
        open.run.last.by.name,
        short(&open.run.head)
    )
}

/// What `run` opens: a run chosen from the unfinished ones, or a new one.
enum Chosen {
    Existing(Box<OpenRun>),
    /// A new run, and the window given with `--window` (appended first).
    New(Box<NewRun>, Option<crate::run::intent::Intent>),
}

/// `runsheet run TEMPLATE --store postgresql://…`: a new shared run (created before the screen
/// opens: the shared store's start is one transaction), then the screen on it.
fn run_shared(a: &RunArgs, backend: &crate::backend::Backend) -> color_eyre::Result<i32> {
    let go = || -> Result<(crate::backend::Opened, std::path::PathBuf), crate::backend::Error> {
        let source = crate::catalog::resolve(&a.template);
        let actor = identity::current(a.screen.as_name.as_deref());
        let now = super::common::now()?;
        let window = super::start::window_at_start(&source, a.window.as_deref(), now)?;
        let opts = StartOptions {
            vars: a.vars.iter().cloned().collect::<BTreeMap<_, _>>(),
            name: a
                .name
                .as_deref()
                .map(|n| crate::text::sanitize::clean_line(n.trim()))
                .filter(|n| !n.is_empty()),
            steps: a.steps,
            exec: Some(crate::exec::settings::at_start(a.screen.no_exec)),
        };
        let mut open = super::start::create(backend, &source, &opts, &actor, now, None)?;
        super::start::record_window(&mut open, window, &actor, now)?;
        let drafts = backend.root().join("shared-drafts").join(open.id());
        crate::store::fsutil::create_private_dir_all(&drafts)?;
        Ok((open, drafts))
    };
    match go() {
        Ok((open, drafts)) => {
            let actor = identity::current(a.screen.as_name.as_deref());
            tui::run_any(open, drafts, actor, opts(&a.screen))
        }
        Err(e) => super::common::exit(Err(e.into())),
    }
}

/// Runs `runsheet run TEMPLATE` (also `runsheet TEMPLATE`).
pub fn run(a: RunArgs) -> color_eyre::Result<i32> {
    tui::preload();
    match a.screen.store.backend() {
        Ok(b) if b.is_shared() => return run_shared(&a, &b),
        Ok(_) => {}
        Err(e) => return super::common::exit(Err(e.into())),
    }
    let go = || -> Result<Option<Chosen>, StoreError> {
        let store = a.screen.store.store()?;
        let source = crate::catalog::resolve(&a.template);
        let existing = if a.new {
            Vec::new()
        } else {
            unfinished(&store, Some(&source.origin()))?
        };
        let mut existing = existing;
        if !existing.is_empty() {
            let mut options: Vec<String> = existing.iter().map(describe).collect();
            options.push(format!("start a new run of {}", source.display()));
            let title = "unfinished runs of this template";
            match tui::picker::choose(title, &options)
                .map_err(|e| StoreError::Invalid(e.to_string()))?
            {
                None => return Ok(None),
                Some(k) if k < existing.len() => {
                    return Ok(Some(Chosen::Existing(Box::new(existing.swap_remove(k)))));
                }
                Some(_) => {}
            }
        }
        let actor = identity::current(a.screen.as_name.as_deref());
        let now = super::common::now()?;
        let window = super::start::window_at_start(&source, a.window.as_deref(), now)?;
        let opts = StartOptions {
            vars: a.vars.iter().cloned().collect::<BTreeMap<_, _>>(),
            name: a
                .name
                .as_deref()
                .map(|n| crate::text::sanitize::clean_line(n.trim()))
                .filter(|n| !n.is_empty()),
            steps: a.steps,
            exec: Some(crate::exec::settings::at_start(a.screen.no_exec)),
        };
        // The run dir is written durably by the screen's writer thread while the first frame is
        // drawn; the first change waits for it.
        store
            .prepare_from(&source, &opts, &actor, now)
            .map(|n| Some(Chosen::New(Box::new(n), window)))
    };
    match go() {
        Ok(Some(Chosen::Existing(open))) => screen(*open, &a.screen),
        Ok(Some(Chosen::New(new, window))) => {
            let actor = identity::current(a.screen.as_name.as_deref());
            tui::run_new(*new, window.into_iter().collect(), actor, opts(&a.screen))
        }
        Ok(None) => Ok(super::EXIT_OK),
        Err(e) => Ok(fail(&e)),
    }
}

/// The screen on a run of the shared store (`--store postgresql://…`): RUN is resolved there.
fn resume_shared(a: &ResumeArgs, backend: &crate::backend::Backend) -> color_eyre::Result<i32> {
    let Some(r) = &a.run else {
        return super::common::exit(Err(StoreError::Invalid(
            "on a shared store give the run: `runsheet resume RUN --store …` (`runsheet list --store …` shows them)"
                .to_owned(),
        )
        .into()));
    };
    let open = match backend.open(r) {
        Ok(o) => o,
        Err(e) => return super::common::exit(Err(e.into())),
    };
    let drafts = backend.root().join("shared-drafts").join(open.id());
    if let Err(e) = crate::store::fsutil::create_private_dir_all(&drafts) {
        return Ok(fail(&e));
    }
    let actor = identity::current(a.screen.as_name.as_deref());
    tui::run_any(open, drafts, actor, opts(&a.screen))
}

/// Runs `runsheet resume [RUN]` and `runsheet join RUN`.
pub fn resume(a: ResumeArgs) -> color_eyre::Result<i32> {
    tui::preload();
    match a.screen.store.backend() {
        Ok(b) if b.is_shared() => return resume_shared(&a, &b),
        Ok(_) => {}
        Err(e) => return super::common::exit(Err(e.into())),
    }
    let go = || -> Result<Option<OpenRun>, StoreError> {
        if let Some(r) = &a.run {
            return a.screen.store.open(r).map(Some);
        }
        let store = a.screen.store.store()?;
        let mut runs = unfinished(&store, None)?;
        match runs.len() {
            0 => Err(StoreError::Invalid(format!(
                "no unfinished run under {}: start one with `runsheet run TEMPLATE`",
                store.runs_dir().display()
            ))),
            1 => Ok(runs.pop()),
            _ => {
                let options: Vec<String> = runs
                    .iter()
                    .map(|o| format!("{} — {}", o.run.display_title(), describe(o)))
                    .collect();
                Ok(tui::picker::choose("unfinished runs", &options)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?
                    .map(|k| runs.swap_remove(k)))
            }
        }
    };
    match go() {
        Ok(Some(open)) => screen(open, &a.screen),
        Ok(None) => Ok(super::EXIT_OK),
        Err(e) => Ok(fail(&e)),
    }
}

fn screen(open: OpenRun, s: &ScreenArgs) -> color_eyre::Result<i32> {
    let actor = identity::current(s.as_name.as_deref());
    tui::run(open, actor, opts(s))
}

/// Rewrites `runsheet FILE …` to `runsheet run FILE …` when the first argument is an existing file
/// and not a command name.
pub fn bare_path(
    mut args: Vec<std::ffi::OsString>,
    commands: &[String],
) -> Vec<std::ffi::OsString> {
    if let Some(first) = args.get(1) {
        let s = first.to_string_lossy();
        if !s.starts_with('-') && !commands.iter().any(|c| *c == s) && Path::new(first).is_file() {
            args.insert(1, "run".into());
        }
    }
    args
}
