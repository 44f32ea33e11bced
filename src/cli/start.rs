//! `runsheet start TEMPLATE`: create a run and print its id.

use super::common::{StoreArgs, exit};
use crate::store::{StartOptions, StoreError, identity};
use clap::Args;
use std::collections::BTreeMap;

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
    Ok((k.to_owned(), v.to_owned()))
}

/// Runs `start`.
pub fn run(a: StartArgs) -> color_eyre::Result<i32> {
    exit(start(a))
}

fn start(a: StartArgs) -> Result<(), StoreError> {
    let store = a.store.store()?;
    let actor = identity::current(a.as_name.as_deref());
    let opts = StartOptions {
        vars: a.vars.into_iter().collect::<BTreeMap<_, _>>(),
        name: a
            .name
            .map(|n| crate::text::sanitize::clean_line(n.trim()))
            .filter(|n| !n.is_empty()),
        steps: a.steps,
    };
    let source = crate::catalog::resolve(&a.template);
    let open = store.create_from(&source, &opts, &actor, chrono::Local::now().fixed_offset())?;
    for w in &open.template.warnings {
        eprintln!(
            "runsheet: {}:{}: warning: {}",
            source.display(),
            w.line,
            w.message
        );
    }
    let missing: Vec<&str> = open
        .template
        .settable_variables()
        .filter(|v| open.run.var(v).is_none())
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "runsheet: note: variables without a value yet (set them with `runsheet set {} NAME VALUE`): {}",
            open.run.id,
            missing.join(", ")
        );
    }
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
        println!("{v}");
    } else {
        println!("{}", open.run.id);
    }
    Ok(())
}
