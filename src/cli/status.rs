//! `runsheet status RUN` and `runsheet list`.

use super::common::{
    CmdResult, StoreArgs, emit, exit, line, now, out_buffered, owner_warning, say, warn, warnings,
};
use crate::report::{self, Context};
use crate::run::view::RunView;
use crate::store::OpenRun;
use crate::store::open::Drift;
use clap::Args;
use std::io::Write;

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

/// Drift, warnings (damage, a run dir another user created, repairs recorded) and whether the
/// run is read-only, for reports and `status --json`.
pub fn context(open: &OpenRun) -> Context {
    let mut warnings = open.warnings.clone();
    if let crate::store::open::SnapshotState::Damaged(e) = &open.snapshot {
        warnings.push(format!("state.toml ignored: {e}"));
    }
    if let Some(w) = owner_warning(open) {
        warnings.push(w);
    }
    warnings.extend(open.run.repairs.iter().cloned());
    Context {
        drift_sha256: match open.drift() {
            Drift::Changed { new, .. } => Some(new),
            _ => None,
        },
        warnings,
        read_only: open.read_only.is_some() || open.refusal().is_some(),
        now: None,
    }
}

/// `{"uid", "user", "is_you"}` of a run dir's owner.
pub fn owner_json(open: &OpenRun) -> serde_json::Value {
    serde_json::json!({
        "uid": open.owner.uid,
        "user": open.owner.name,
        "is_you": open.owner.is_me(),
    })
}

/// Runs `status`.
pub fn status(a: StatusArgs) -> color_eyre::Result<i32> {
    exit((|| -> CmdResult {
        let open = a.store.open(&a.run)?;
        let mut ctx = context(&open);
        let now = now()?;
        ctx.now = Some(now);
        let view = RunView::new(&open.run, &open.template);
        warn(&open);
        if let Some(w) = owner_warning(&open) {
            say(&format!("runsheet: warning: {w}"));
        }
        for r in &open.run.repairs {
            say(&format!("runsheet: note: {r}"));
        }
        let mut out = out_buffered();
        if a.json {
            /// `status --json`: the report's status plus who owns the run dir and why it is
            /// read-only (serialised straight to the output: no `Value` tree for 10k items).
            #[derive(serde::Serialize)]
            struct StatusOut {
                #[serde(flatten)]
                status: report::StatusJson,
                dir_owner: serde_json::Value,
                read_only_reason: Option<String>,
            }
            let mut status = report::status_json(&view, &ctx);
            report::commands::attach(&mut status.commands, open.rundir(), false);
            let v = StatusOut {
                status,
                dir_owner: owner_json(&open),
                read_only_reason: open.read_only_reason(),
            };
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        } else {
            emit(
                &mut out,
                &report::text::status(&view, ctx.drift_sha256.as_deref(), now),
            )?;
            let commands = report::commands::checked_rows(&view, open.rundir(), false);
            emit(&mut out, &report::commands::status_text(&commands))?;
        }
        out.flush()?;
        Ok(())
    })())
}

/// Runs `list`.
pub fn list(a: ListArgs) -> color_eyre::Result<i32> {
    exit((|| -> CmdResult {
        let store = a.store.store()?;
        let mut rows = Vec::new();
        let mut others = Vec::new();
        for id in store.run_ids()? {
            let dir = store.runs_dir().join(&id);
            match OpenRun::open(&dir) {
                Ok(open) => {
                    if !a.all && !open.run.is_active() {
                        continue;
                    }
                    let view = RunView::new(&open.run, &open.template);
                    let run = &open.run;
                    for w in warnings(&open) {
                        say(&format!("runsheet: {id}: {w}"));
                    }
                    if !open.owner.is_me() {
                        others.push(format!("{id} ({})", open.owner.describe()));
                    }
                    rows.push(serde_json::json!({
                        "id": run.id,
                        "title": view.subst(run.display_title()),
                        "status": run.lifecycle.as_str(),
                        "outcome": view.outcome(),
                        "on_hold": run.active_hold().is_some(),
                        "progress": {
                            "done": view.progress.done,
                            "closed": view.progress.closed(),
                            "total": view.progress.total,
                            "failed": view.progress.failed,
                            "no_go": view.progress.no_go,
                            "open": view.progress.open,
                        },
                        "started_at": report::time(&run.started_at),
                        "last_change_at": report::time(&run.last.at),
                        "last_change_by": run.last.by.name,
                        "last_change_actor": report::ActorJson::from(&run.last.by),
                        "dir": dir.display().to_string(),
                        "dir_owner": owner_json(&open),
                        "read_only": open.refusal().is_some(),
                    }));
                }
                Err(e) => say(&format!("runsheet: warning: {id}: {e}")),
            }
        }
        if !others.is_empty() {
            say(&format!(
                "runsheet: warning: {} run dir(s) here were created by another user: {}. Anyone who \
                 can write the data dir can create or replace a run, and `verify` proves only that \
                 a journal is self-consistent, not who wrote it",
                others.len(),
                others.join(", ")
            ));
        }
        rows.sort_by(|a, b| {
            b["started_at"]
                .as_str()
                .cmp(&a["started_at"].as_str())
                .then_with(|| b["id"].as_str().cmp(&a["id"].as_str()))
        });
        let mut out = out_buffered();
        if a.json {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        } else if rows.is_empty() {
            say(&format!(
                "no {}runs under {}",
                if a.all { "" } else { "active " },
                store.runs_dir().display()
            ));
        } else {
            for r in &rows {
                let owner = &r["dir_owner"];
                let by_other = if owner["is_you"].as_bool() == Some(false) {
                    format!(
                        "  [created by {} (uid {}), not you]",
                        owner["user"].as_str().unwrap_or("?"),
                        owner["uid"]
                    )
                } else {
                    String::new()
                };
                let damaged = if r["read_only"].as_bool() == Some(true) {
                    "  [read-only: see `runsheet status`]"
                } else {
                    ""
                };
                line(
                    &mut out,
                    &format!(
                        "{}  {:<9} {:>5}/{:<5} {}  (last change {} by {}){by_other}{damaged}",
                        r["id"].as_str().unwrap_or(""),
                        if r["on_hold"].as_bool().unwrap_or(false) {
                            "on hold"
                        } else {
                            r["status"].as_str().unwrap_or("")
                        },
                        r["progress"]["closed"],
                        r["progress"]["total"],
                        r["title"].as_str().unwrap_or(""),
                        r["last_change_at"].as_str().unwrap_or(""),
                        r["last_change_by"].as_str().unwrap_or("")
                    ),
                )?;
            }
        }
        out.flush()?;
        Ok(())
    })())
}
