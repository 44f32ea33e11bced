//! `runsheet start TEMPLATE`: create a run and print its id.

use super::common::{CmdResult, StoreArgs, exit, line, out, say};
use crate::store::{StartOptions, StoreError, identity};
use clap::Args;
use std::collections::BTreeMap;
use std::io::Write;

/// `start`.
#[derive(Debug, Clone, Args)]
pub struct StartArgs {
    /// Markdown checklist to walk: a path, or the name of a built-in or user template
    /// (`runsheet templates` lists them).
    pub template: String,
    /// A variable's value: `--var VERSION=1.4.2` for `{{ VERSION }}`, `--var "Deployment Lead=Dana"`
    /// for a `[Name]` placeholder after that label (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// A name for this run (default: the template's title).
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Numbered steps (`1. Drain the node`) are items even where the template has checkboxes
    /// (without it they are items only in a template with no checkbox; also front matter
    /// `steps: true`). The run keeps reading its template this way.
    #[arg(long)]
    pub steps: bool,
    /// Display name recorded as the run's starter.
    #[arg(long = "as", value_name = "NAME")]
    pub as_name: Option<String>,
    /// The window's start: `22:00`, `2026-12-02 22:00`, `2026-12-02T22:00+01:00`,
    /// `22:00 Europe/Berlin`, `22:00-02:00 CET`, `22:00 for 4h` (default: the template's metadata,
    /// else a guess from its first clock section).
    #[arg(long, value_name = "START")]
    pub window: Option<String>,
    /// Never run this run's commands from runsheet (recorded in the run; `[exec] enabled = false`
    /// in the configuration does the same for every new run).
    #[arg(long)]
    pub no_exec: bool,
    /// Print `{"id", "dir", …}` as JSON.
    #[arg(long)]
    pub json: bool,
    /// Data dir.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Parses `--var NAME=VALUE`.
pub(crate) fn parse_var(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected NAME=VALUE"))?;
    let k = k.trim();
    if k.is_empty() {
        return Err(format!("`{s}`: the name is empty"));
    }
    if let Some(name) = k.strip_prefix("secret:") {
        return Err(format!(
            "`{name}`: secret values are never written to a run; give them to the command with `runsheet exec RUN ITEM --secret {name}`"
        ));
    }
    Ok((k.to_owned(), v.to_owned()))
}

/// Runs `start`.
pub fn run(a: StartArgs) -> color_eyre::Result<i32> {
    exit(start(a))
}

/// Checks a `--window` against the template before anything is created, and returns the intent
/// that records it once the run exists.
pub(crate) fn window_at_start(
    source: &crate::catalog::Source,
    spec: Option<&str>,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Option<crate::run::intent::Intent>, StoreError> {
    let Some(spec) = spec else {
        return Ok(None);
    };
    let shown = source.display();
    let bytes = source
        .read()
        .map_err(StoreError::io("reading", std::path::Path::new(&shown)))?;
    let template = crate::template::parse_bytes(&shown, &bytes)?;
    super::window::window_intent(
        spec,
        &template,
        now,
        "given with --window at start".to_owned(),
    )
    .map(Some)
}

/// Appends the window given at start, and says which window the run is measured against.
pub(crate) fn record_window(
    open: &mut crate::store::OpenRun,
    intent: Option<crate::run::intent::Intent>,
    actor: &crate::run::event::Actor,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<(), StoreError> {
    if let Some(i) = intent {
        open.append(&i, actor, now)?;
        super::common::snapshot_after(open);
    }
    let w = crate::run::window::resolve(&open.run, &open.template);
    if w.is_guess() {
        super::common::say(&format!(
            "runsheet: note: window {} is a guess ({}); set it with --window or `runsheet window {} START --reason TEXT`",
            w.describe(),
            w.guess.as_deref().unwrap_or(""),
            open.run.id
        ));
    } else {
        super::common::say(&format!(
            "runsheet: window {} · {} · {}",
            w.describe(),
            w.t_label(&now),
            w.source_text(&open.template)
        ));
    }
    Ok(())
}

fn start(a: StartArgs) -> CmdResult {
    let store = a.store.store()?;
    let actor = identity::current(a.as_name.as_deref());
    let now = super::common::now()?;
    let opts = StartOptions {
        vars: a.vars.into_iter().collect::<BTreeMap<_, _>>(),
        name: a
            .name
            .map(|n| crate::text::sanitize::clean_line(n.trim()))
            .filter(|n| !n.is_empty()),
        steps: a.steps,
        exec: Some(crate::exec::settings::at_start(a.no_exec)),
    };
    let source = crate::catalog::resolve(&a.template);
    let window = window_at_start(&source, a.window.as_deref(), now)?;
    let mut open = store.create_from(&source, &opts, &actor, now)?;
    for w in &open.template.warnings {
        say(&format!(
            "runsheet: {}:{}: warning: {}",
            source.display(),
            w.line,
            w.message
        ));
    }
    let missing: Vec<&str> = open
        .template
        .settable_variables()
        .filter(|v| open.run.var(v).is_none())
        .filter(|v| !open.template.secret_variables().contains(v))
        .collect();
    if !missing.is_empty() {
        say(&format!(
            "runsheet: note: variables without a value yet (set them with `runsheet set {} NAME VALUE`): {}",
            open.run.id,
            missing.join(", ")
        ));
    }
    record_window(&mut open, window, &actor, now)?;
    if a.json {
        let v = serde_json::json!({
            "id": open.run.id,
            "dir": open.dir.display().to_string(),
            "title": open.run.display_title(),
            "template_path": open.run.template_path,
            "template_sha256": open.run.template_sha256,
            "items": open.template.items.len(),
            "started_at": crate::report::time(&open.run.started_at),
        });
        writeln!(out(), "{v}")?;
    } else {
        line(&mut out(), &open.run.id)?;
    }
    tracing::info!(run = %open.run.id, items = open.template.items.len(), "run started");
    Ok(())
}
