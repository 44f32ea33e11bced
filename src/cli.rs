//! Command-line interface: clap definitions and dispatch to one file per command under `cli/`.

mod validate;

pub mod change;
pub mod common;
pub mod drive;
pub mod rebase;
pub mod report;
pub mod start;
pub mod status;
pub mod verify;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Exit status: success.
pub const EXIT_OK: i32 = 0;
/// Exit status: the command failed (bad input, unreadable file, refused change).
pub const EXIT_ERROR: i32 = 1;
/// Exit status: the command line itself was wrong.
pub const EXIT_USAGE: i32 = 2;
/// Exit status: the run or its lock is unavailable (no such run, ambiguous RUN, locked, read-only,
/// torn journal).
pub const EXIT_UNAVAILABLE: i32 = 3;

/// Walk a Markdown checklist live in the terminal, with a durable record of who did what and when.
#[derive(Debug, Parser)]
#[command(name = "runsheet", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load a checklist and report what runsheet reads in it (sections, items, warnings).
    ///
    /// Example: runsheet validate templates/deployment-window.md --json
    Validate {
        /// Markdown checklist to read.
        file: PathBuf,
        /// Print the whole tree as JSON instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Start a run of a checklist; prints its id.
    ///
    /// Example: runsheet start templates/deployment-window.md --var VERSION=1.4.2 --as Alice
    Start(start::StartArgs),
    /// Mark an item done.
    Tick(change::TickArgs),
    /// Reopen an item.
    Untick(change::TickArgs),
    /// Skip an item, with a reason.
    Skip(change::ReasonArgs),
    /// Mark an item not applicable, with a reason.
    Na(change::ReasonArgs),
    /// Mark an item failed, with a note.
    Fail(change::FailArgs),
    /// Sign a sign-off item (as `--as NAME`, or your display name).
    Sign(change::SignArgs),
    /// Decide a go/no-go gate.
    Gate(change::GateArgs),
    /// Add a note to an item.
    Note(change::NoteArgs),
    /// Set a `{{ NAME }}` variable.
    Set(change::SetArgs),
    /// Revert your last change (a new event; history is kept).
    Undo(change::RunArgs),
    /// Complete the run (every item done, skipped, n/a, decided or signed).
    Finish(change::RunArgs),
    /// Abandon the run, with a reason.
    Abort(change::AbortArgs),
    /// Show a run's progress, next item, and every item's state.
    Status(status::StatusArgs),
    /// List runs, newest first.
    List(status::ListArgs),
    /// Write the record of a run (Markdown or JSON).
    Report(report::ReportArgs),
    /// Re-check a run's hash chain.
    Verify(verify::VerifyArgs),
    /// Follow a template that changed since the run started (progress on removed items is kept).
    Rebase(rebase::RebaseArgs),
    /// Rebuild state.toml from the journal (a damaged one is kept aside).
    RepairState(verify::VerifyArgs),
    /// Move a partial last journal line (left by a crash) aside.
    RepairJournal(verify::VerifyArgs),
    /// Test helper: toggle items and print each acknowledged change.
    #[command(name = "_drive", hide = true)]
    Drive(drive::DriveArgs),
}

/// Parses the process arguments, runs the command and returns the exit status.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("runsheet: {e:#}");
            EXIT_ERROR
        }
    }
}

fn dispatch(command: Command) -> color_eyre::Result<i32> {
    match command {
        Command::Validate { file, json } => validate::run(&file, json),
        Command::Start(a) => start::run(a),
        Command::Tick(a) => change::tick(a),
        Command::Untick(a) => change::untick(a),
        Command::Skip(a) => change::skip(a),
        Command::Na(a) => change::na(a),
        Command::Fail(a) => change::fail(a),
        Command::Sign(a) => change::sign(a),
        Command::Gate(a) => change::gate(a),
        Command::Note(a) => change::note(a),
        Command::Set(a) => change::set(a),
        Command::Undo(a) => change::undo(a),
        Command::Finish(a) => change::finish(a),
        Command::Abort(a) => change::abort(a),
        Command::Status(a) => status::status(a),
        Command::List(a) => status::list(a),
        Command::Report(a) => report::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Rebase(a) => rebase::run(a),
        Command::RepairState(a) => verify::repair_state(a),
        Command::RepairJournal(a) => verify::repair_journal(a),
        Command::Drive(a) => drive::run(a),
    }
}
