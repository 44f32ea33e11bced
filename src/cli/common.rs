//! Arguments and helpers shared by the run commands: data dir, identity, opening a run, reporting
//! errors with the right exit status.

use super::{EXIT_ERROR, EXIT_OK, EXIT_UNAVAILABLE};
use crate::run::event::{Event, show_time};
use crate::run::view::RunView;
use crate::store::open::{Drift, SnapshotState};
use crate::store::{OpenRun, Store, StoreError};
use clap::Args;
use std::path::PathBuf;

/// Where runs live.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Data root holding `runs/` (default: $XDG_DATA_HOME/runsheet; a shared dir works for several
    /// operators).
    #[arg(long, value_name = "DIR", env = "RUNSHEET_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

impl StoreArgs {
    /// The store.
    pub fn store(&self) -> Result<Store, StoreError> {
        Store::locate(self.data_dir.as_deref())
    }

    /// Resolves RUN and opens it.
    pub fn open(&self, run: &str) -> Result<OpenRun, StoreError> {
        let dir = self.store()?.resolve(run)?;
        OpenRun::open(&dir)
    }
}

/// Prints an error and gives the exit status: 3 when the run or its lock is unavailable, else 1.
pub fn fail(e: &StoreError) -> i32 {
    eprintln!("runsheet: {e}");
    if e.is_unavailable() {
        EXIT_UNAVAILABLE
    } else {
        EXIT_ERROR
    }
}

/// Turns a command's result into an exit status.
pub fn exit(r: Result<(), StoreError>) -> color_eyre::Result<i32> {
    Ok(match r {
        Ok(()) => EXIT_OK,
        Err(e) => fail(&e),
    })
}

/// Warnings about the run's files, and template drift, on stderr.
pub fn warn(open: &OpenRun) {
    for w in &open.warnings {
        eprintln!("runsheet: warning: {w}");
    }
    match &open.snapshot {
        SnapshotState::Damaged(e) => eprintln!(
            "runsheet: warning: {e}\n  state.toml is ignored (the journal is used) and left as it is; `runsheet repair-state {}` rebuilds it",
            open.run.id
        ),
        SnapshotState::Stale(why) => {
            eprintln!("runsheet: note: state.toml was stale ({why}); the journal was used")
        }
        _ => {}
    }
    if let Drift::Changed { old, new } = open.drift() {
        eprintln!(
            "runsheet: warning: the template {} changed since the run started (SHA-256 {} → {}); `runsheet rebase {}` follows it",
            open.run.template_path,
            short(&old),
            short(&new),
            open.run.id
        );
    }
}

/// First 12 hex digits of a hash.
pub fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Saves the snapshot after a change; a failure is a warning (the journal already has the change).
pub fn snapshot_after(open: &mut OpenRun) {
    if let Err(e) = open.save_snapshot() {
        eprintln!(
            "runsheet: warning: state.toml not updated (the change is safe in the journal): {e}"
        );
    }
}

/// One line acknowledging a durable change.
pub fn ack(open: &OpenRun, ev: &Event) -> String {
    let view = RunView::new(&open.run, &open.template);
    let what = match ev.change.item() {
        Some(id) if matches!(ev.change, crate::run::event::Change::Field { .. }) => {
            let text = view
                .rows
                .iter()
                .find(|r| r.id == id)
                .map_or_else(|| id.to_string(), |r| r.text.to_string());
            match &ev.change {
                crate::run::event::Change::Field { column, value, .. } => {
                    format!("field “{text}”: {column} = {value}")
                }
                _ => String::new(),
            }
        }
        Some(id) => {
            let row = view.rows.iter().find(|r| r.id == id);
            let text = row.map_or_else(|| id.to_string(), |r| r.text.to_string());
            let state = row.map_or("", |r| r.state.as_str());
            format!("{} “{text}” → {state}", ev.change.kind())
        }
        None => ev.change.kind().to_owned(),
    };
    format!(
        "seq {}: {what} — {} at {}",
        ev.seq,
        ev.by.describe(),
        show_time(&ev.at)
    )
}
