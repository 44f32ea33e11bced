//! Arguments and helpers shared by the run commands: data dir, identity, opening a run, printing
//! (everything sanitised; a closed stdout ends the command quietly), and reporting errors with the
//! right exit status.

use super::{EXIT_ERROR, EXIT_OK, EXIT_UNAVAILABLE};
use crate::run::event::{Event, show_time};
use crate::run::view::RunView;
use crate::store::open::{Drift, SnapshotState};
use crate::store::{OpenRun, Store, StoreError};
use crate::text::sanitize::{clean_line, clean_multiline};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Environment variable that fixes the clock (RFC 3339, e.g. `2026-12-02T21:10:00+01:00`): the
/// time every change is recorded at and every report is judged against. For tests and
/// demonstrations; unset, the system clock is used.
pub const NOW_ENV: &str = "RUNSHEET_NOW";

/// Now: `$RUNSHEET_NOW` when set, else the system clock in the local offset.
pub fn now() -> Result<chrono::DateTime<chrono::FixedOffset>, StoreError> {
    match std::env::var(NOW_ENV) {
        Ok(v) if !v.trim().is_empty() => {
            chrono::DateTime::parse_from_rfc3339(v.trim()).map_err(|e| {
                StoreError::Invalid(format!(
                    "{NOW_ENV}={v}: not an RFC 3339 time ({e}); unset it to use the system clock"
                ))
            })
        }
        _ => Ok(chrono::Local::now().fixed_offset()),
    }
}
/// What a command body returns: a store error (exit 1 or 3), an I/O error on stdout (a closed
/// pipe ends the command with 0, as `validate` does), or anything else (exit 1).
pub type CmdResult = color_eyre::Result<()>;

/// Where runs live.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Data root holding `runs/` (default: $XDG_DATA_HOME/runsheet; a shared group dir works for
    /// several operators: see README).
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
        let open = OpenRun::open(&dir)?;
        tracing::info!(run = %open.run.id, seq = open.run.seq, "opened");
        Ok(open)
    }
}

/// Writes `text` to stderr, sanitised (control, escape and bidi characters made visible); a
/// closed or failing stderr is ignored.
pub fn say(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", clean_multiline(text));
}

/// Prints an error and gives the exit status: 3 when the run or its lock is unavailable, else 1.
pub fn fail(e: &StoreError) -> i32 {
    tracing::warn!("refused: {}", clean_line(&e.to_string()));
    say(&format!("runsheet: {e}"));
    if e.is_unavailable() {
        EXIT_UNAVAILABLE
    } else {
        EXIT_ERROR
    }
}

/// Turns a command's result into an exit status (errors other than the store's go up to
/// [`crate::cli::run`], which treats a closed stdout as success and prints the rest sanitised).
pub fn exit(r: CmdResult) -> color_eyre::Result<i32> {
    match r {
        Ok(()) => Ok(EXIT_OK),
        Err(e) => match e.downcast_ref::<StoreError>() {
            Some(se) => Ok(fail(se)),
            None => Err(e),
        },
    }
}

/// Standard output, locked (line-buffered: for a few lines).
pub fn out() -> std::io::StdoutLock<'static> {
    std::io::stdout().lock()
}

/// Standard output with a large buffer, for big outputs (pretty JSON is one line per value: line
/// buffering would make a `write` each). Call `flush` at the end to see errors.
pub fn out_buffered() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// Writes `text` (sanitised: newlines and tabs kept) to `w`.
pub fn emit(w: &mut impl Write, text: &str) -> std::io::Result<()> {
    w.write_all(clean_multiline(text).as_bytes())
}

/// Writes one sanitised line to `w`.
pub fn line(w: &mut impl Write, text: &str) -> std::io::Result<()> {
    writeln!(w, "{}", clean_line(text))
}

/// Warnings about the run's files (damage, a planted file, a damaged snapshot) and template drift.
pub fn warnings(open: &OpenRun) -> Vec<String> {
    let mut v: Vec<String> = open
        .warnings
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect();
    match &open.snapshot {
        SnapshotState::Damaged(e) => v.push(format!(
            "warning: {e}\n  state.toml is ignored (the journal is used) and left as it is; `runsheet repair-state {}` rebuilds it",
            open.run.id
        )),
        SnapshotState::Older(v0) => v.push(format!(
            "note: state.toml has schema_version {v0}; it is rebuilt from the journal at the next change"
        )),
        _ => {}
    }
    if let Drift::Changed { old, new } = open.drift() {
        v.push(format!(
            "warning: the template {} changed since the run started (SHA-256 {} → {}); `runsheet rebase {}` follows it",
            open.run.template_path,
            short(&old),
            short(&new),
            open.run.id
        ));
    }
    v
}

/// [`warnings`] on stderr.
pub fn warn(open: &OpenRun) {
    for w in warnings(open) {
        tracing::warn!(run = %open.run.id, "{}", clean_line(&w));
        say(&format!("runsheet: {w}"));
    }
}

/// The warning for a run dir another user created (`None` for our own).
pub fn owner_warning(open: &OpenRun) -> Option<String> {
    if open.owner.is_me() {
        return None;
    }
    Some(format!(
        "this run dir was created by {}, not by you: anyone who can write the data dir can create \
         or replace a run, and `verify` proves only that its journal is self-consistent, not who \
         wrote it",
        open.owner.describe()
    ))
}

/// First 12 hex digits of a hash.
pub fn short(hash: &str) -> &str {
    crate::store::short(hash)
}

/// Saves the snapshot after a change; a failure is a warning (the journal already has the change).
pub fn snapshot_after(open: &mut OpenRun) {
    if let Err(e) = open.save_snapshot() {
        say(&format!(
            "runsheet: warning: state.toml not updated (the change is safe in the journal): {e}"
        ));
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
