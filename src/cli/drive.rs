//! `runsheet _drive`: a hidden helper for the crash and concurrency tests. It toggles items one
//! change at a time and prints `ack SEQ HASH` after each change is durable.

use super::common::{CmdResult, StoreArgs, exit};
use crate::run::intent::Intent;
use crate::run::state::ItemState;
use crate::run::view::item_state;
use crate::store::identity;
use clap::Args;
use std::io::Write;

/// `_drive`.
#[derive(Debug, Clone, Args)]
pub struct DriveArgs {
    /// Run.
    pub run: String,
    /// Number of changes.
    #[arg(long, default_value_t = 100)]
    pub ops: usize,
    /// First item index.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Save the snapshot every N changes (0: never).
    #[arg(long, default_value_t = 0)]
    pub snapshot_every: usize,
    /// Display name.
    #[arg(long = "as")]
    pub as_name: Option<String>,
    /// Data dir.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Runs `_drive`.
pub fn run(a: DriveArgs) -> color_eyre::Result<i32> {
    exit((|| -> CmdResult {
        let mut open = a.store.open(&a.run)?;
        let actor = identity::current(a.as_name.as_deref());
        let n = open.template.items.len();
        let out = std::io::stdout();
        for i in 0..a.ops {
            let idx = (a.offset + i) % n.max(1);
            open.read_new_events()?;
            let id = open.template.items[idx].id.clone();
            let intent = match item_state(&open.run, &open.template, idx).0 {
                ItemState::Open => Intent::Tick {
                    item: id,
                    note: None,
                },
                _ => Intent::Untick {
                    item: id,
                    note: None,
                },
            };
            let ev = open.append(&intent, &actor, chrono::Local::now().fixed_offset())?;
            let mut lock = out.lock();
            let _ = writeln!(lock, "ack {} {}", ev.seq, ev.hash);
            let _ = lock.flush();
            if a.snapshot_every > 0 && (i + 1) % a.snapshot_every == 0 {
                open.save_snapshot()?;
            }
        }
        Ok(())
    })())
}
