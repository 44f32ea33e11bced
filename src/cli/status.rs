//! `runsheet status RUN` and `runsheet list`.

use super::common::{StoreArgs, exit, warn};
use crate::report::{self, Context};
use crate::run::view::RunView;
use crate::store::open::Drift;
use crate::store::{OpenRun, StoreError};
use clap::Args;

/// `status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Data dir.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `list`.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Include completed and aborted runs.
    #[arg(long)]
    pub all: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Data dir.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Drift and warnings of an open run, for reports.
pub fn context(open: &OpenRun) -> Context {
    let mut warnings = open.warnings.clone();
    if let crate::store::open::SnapshotState::Damaged(e) = &open.snapshot {
        warnings.push(format!("state.toml ignored: {e}"));
    }
    Context {
        drift_sha256: match open.drift() {
            Drift::Changed { new, .. } => Some(new),
            _ => None,
        },
        warnings,
        read_only: open.read_only.is_some(),
    }
}

/// Runs `status`.
pub fn status(a: StatusArgs) -> color_eyre::Result<i32> {
    exit((|| -> Result<(), StoreError> {
        let open = a.store.open(&a.run)?;
        let ctx = context(&open);
        let view = RunView::new(&open.run, &open.template);
        if a.json {
            let mut v = report::status_json(&view, &ctx);
            report::commands::attach(&mut v.commands, &open.dir, false);
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        } else {
            warn(&open);
            print!(
                "{}",
                report::text::status(&view, ctx.drift_sha256.as_deref())
            );
            let commands = report::commands::checked_rows(&view, &open.dir, false);
            print!("{}", report::commands::status_text(&commands));
        }
        Ok(())
    })())
}

/// Runs `list`.
pub fn list(a: ListArgs) -> color_eyre::Result<i32> {
    exit((|| -> Result<(), StoreError> {
        let store = a.store.store()?;
        let mut rows = Vec::new();
        for id in store.run_ids()? {
            let dir = store.runs_dir().join(&id);
            match OpenRun::open(&dir) {
                Ok(open) => {
                    if !a.all && !open.run.is_active() {
                        continue;
                    }
                    let view = RunView::new(&open.run, &open.template);
                    let run = &open.run;
                    rows.push(serde_json::json!({
                        "id": run.id,
                        "title": view.subst(run.display_title()),
                        "status": run.lifecycle.as_str(),
                        "outcome": view.outcome(),
                        "progress": {"done": view.progress.done, "total": view.progress.total},
                        "started_at": report::time(&run.started_at),
                        "last_change_at": report::time(&run.last.at),
                        "last_change_by": run.last.by.name,
                        "last_change_actor": report::ActorJson::from(&run.last.by),
                        "dir": dir.display().to_string(),
                    }));
                }
                Err(e) => eprintln!("runsheet: warning: {id}: {e}"),
            }
        }
        rows.sort_by(|a, b| {
            b["started_at"]
                .as_str()
                .cmp(&a["started_at"].as_str())
                .then_with(|| b["id"].as_str().cmp(&a["id"].as_str()))
        });
        if a.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            );
        } else if rows.is_empty() {
            eprintln!(
                "no {}runs under {}",
                if a.all { "" } else { "active " },
                store.runs_dir().display()
            );
        } else {
            for r in &rows {
                println!(
                    "{}  {:<9} {:>5}/{:<5} {}  (last change {} by {})",
                    r["id"].as_str().unwrap_or(""),
                    r["status"].as_str().unwrap_or(""),
                    r["progress"]["done"],
                    r["progress"]["total"],
                    r["title"].as_str().unwrap_or(""),
                    r["last_change_at"].as_str().unwrap_or(""),
                    r["last_change_by"].as_str().unwrap_or("")
                );
            }
        }
        Ok(())
    })())
}
