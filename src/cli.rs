//! Command-line interface: clap definitions and dispatch to one file per command under `cli/`.

mod validate;

pub mod change;
pub mod common;
pub mod config;
pub mod docs;
#[cfg(feature = "test-support")]
pub mod drive;
pub mod exec;
pub mod keys;
pub mod rebase;
pub mod report;
pub mod screen;
pub mod start;
pub mod status;
pub mod templates;
pub mod verify;
pub mod window;

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
    /// How much goes to the log file in the data dir (`runsheet config` shows where); never to
    /// the terminal.
    #[arg(
        long,
        global = true,
        value_enum,
        env = "RUNSHEET_LOG_LEVEL",
        default_value = "info",
        value_name = "LEVEL"
    )]
    pub log_level: crate::log::Level,
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
        /// Numbered steps (`1. Drain the node`) are items even where the file has checkboxes
        /// (without it they are items only in a file with no checkbox; also front matter
        /// `steps: true`).
        #[arg(long)]
        steps: bool,
    },
    /// Open the operator's screen on a checklist: a new run, or an unfinished one of it (asked).
    ///
    /// Example: runsheet run templates/deployment-window.md --var VERSION=1.4.2 (or just: runsheet FILE)
    Run(screen::RunArgs),
    /// Open the operator's screen on a run (default: the unfinished one, or a choice).
    ///
    /// Example: runsheet resume latest
    Resume(screen::ResumeArgs),
    /// Open a run another operator is working, live, from this terminal.
    ///
    /// Example: runsheet join 2026-11-23-production-deployment-window-7f3a --as "Dana Ops"
    Join(screen::ResumeArgs),
    /// Start a run of a checklist; prints its id.
    ///
    /// Example: runsheet start templates/deployment-window.md --var VERSION=1.4.2 --as Alice
    Start(start::StartArgs),
    /// Mark an item done.
    ///
    /// Example: runsheet tick latest "backup taken" --note "took 4 minutes"
    Tick(change::TickArgs),
    /// Reopen an item.
    ///
    /// Example: runsheet untick latest backup-taken-3fa9c2d1
    Untick(change::TickArgs),
    /// Skip an item, with a reason.
    ///
    /// Example: runsheet skip latest "status page" --reason "no user-visible change"
    Skip(change::ReasonArgs),
    /// Mark an item not applicable, with a reason.
    ///
    /// Example: runsheet na latest "windows installer" --reason "linux-only release"
    Na(change::ReasonArgs),
    /// Mark an item failed, with a note.
    ///
    /// Example: runsheet fail latest "smoke tests" --note "checkout returns 502"
    Fail(change::FailArgs),
    /// Sign a sign-off item (as `--as NAME`, or your display name).
    ///
    /// Example: runsheet sign latest "Tech Lead" --as "Dana Ops"
    Sign(change::SignArgs),
    /// Decide a go/no-go gate.
    ///
    /// Example: runsheet gate latest "full rollout" no-go --reason "error rate 2% on canary"
    Gate(change::GateArgs),
    /// Add a note to an item.
    ///
    /// Example: runsheet note latest canary "5% for 10 minutes, p99 flat"
    Note(change::NoteArgs),
    /// Fill in a blank cell of a status-table row (`Last Success`, `Notes`), recorded in the journal.
    ///
    /// Example: runsheet field latest "nightly backup" "Last Success" "2026-12-01 03:10"
    Field(change::FieldArgs),
    /// Set a variable: a `{{ NAME }}` one, or a `[Name]` placeholder by its label.
    ///
    /// Example: runsheet set latest VERSION 2.4.1 (or: runsheet set latest "Deployment Lead" Dana)
    Set(change::SetArgs),
    /// Revert your last change (a new event; history is kept). Says what it reverts; a gate
    /// decision, sign-off or run-level change needs --yes.
    ///
    /// Example: runsheet undo latest --dry-run
    Undo(change::UndoArgs),
    /// Run an item's command (its shell code block) and record it: output, exit status, digest.
    ///
    /// Shows the command and asks first (on a terminal); `--yes` is the confirmation in a script.
    /// Exits with the command's status. Example: runsheet exec latest "backup taken" --yes --tick
    Exec(exec::ExecArgs),
    /// Complete the run (every item done, skipped, n/a, decided or signed). Failed items or NO-GO
    /// decisions must be accepted: --accept-exceptions --reason TEXT.
    ///
    /// Example: runsheet finish latest --accept-exceptions --reason "replica lag accepted by CAB"
    Finish(change::FinishArgs),
    /// Abandon the run, with a reason.
    ///
    /// Example: runsheet abort latest --reason "window cancelled by CAB"
    Abort(change::AbortArgs),
    /// Show the run's window, or set or move it (recorded with who, when and why).
    ///
    /// Example: runsheet window latest "2026-12-02 22:00 Europe/Berlin" --reason "CAB moved it"
    Window(window::WindowArgs),
    /// Put the run on HOLD (after a NO-GO, or to stop the line), or lift it with --release.
    ///
    /// Example: runsheet hold latest --reason "waiting for the DBA"
    Hold(window::HoldArgs),
    /// Show a run's progress, next item, and every item's state.
    ///
    /// Example: runsheet status latest --json
    Status(status::StatusArgs),
    /// List runs, newest first.
    ///
    /// Example: runsheet list --all
    List(status::ListArgs),
    /// Write the record of a run (Markdown, JSON, or one self-contained HTML file).
    ///
    /// Example: runsheet report latest --format html -o record.html
    Report(report::ReportArgs),
    /// Re-check a run's hash chain.
    ///
    /// Example: runsheet verify latest
    Verify(verify::VerifyArgs),
    /// Follow a template that changed since the run started (progress on removed items is kept).
    ///
    /// Example: runsheet rebase latest --dry-run
    Rebase(rebase::RebaseArgs),
    /// Rebuild state.toml from the journal (a damaged one is kept aside).
    ///
    /// Example: runsheet repair-state latest
    RepairState(verify::VerifyArgs),
    /// Move a partial last journal line aside; describe damage (or carry on with --accept-loss).
    ///
    /// Example: runsheet repair-journal latest --accept-loss
    RepairJournal(verify::RepairArgs),
    /// List the built-in and user templates (name, title, item count).
    ///
    /// Example: runsheet templates
    Templates(templates::TemplatesArgs),
    /// Write a copy of a built-in or user template to edit.
    ///
    /// Example: runsheet new release -o release.md
    New(templates::NewArgs),
    /// Print a shell completion script.
    ///
    /// Example: runsheet completions bash > ~/.local/share/bash-completion/completions/runsheet
    Completions {
        /// Shell to generate for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Show where the configuration file is, or print a commented default one.
    ///
    /// Example: runsheet config --print-default > ~/.config/runsheet/config.toml
    Config(config::ConfigArgs),
    /// Print the key bindings in force (or the shipped defaults, a keymap.toml to start from).
    ///
    /// Example: runsheet keys --default > ~/.config/runsheet/keymap.toml
    Keys(keys::KeysArgs),
    /// Print the man page (roff) for runsheet and every subcommand.
    ///
    /// Example: runsheet man > runsheet.1 && man ./runsheet.1
    Man,
    /// Test helper: toggle items and print each acknowledged change.
    #[cfg(feature = "test-support")]
    #[command(name = "_drive", hide = true)]
    Drive(drive::DriveArgs),
}

/// Parses the process arguments, runs the command and returns the exit status.
pub fn run() -> i32 {
    let names: Vec<String> = <Cli as clap::CommandFactory>::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    let args = screen::bare_path(std::env::args_os().collect(), &names);
    let parsed = <Cli as clap::CommandFactory>::command()
        .try_get_matches_from(args)
        .and_then(|m| {
            use clap::FromArgMatches;
            let data_dir = m
                .subcommand()
                .and_then(|(_, sub)| sub.try_get_one::<PathBuf>("data_dir").ok().flatten())
                .cloned();
            let name = m.subcommand_name().unwrap_or("runsheet").to_owned();
            Cli::from_arg_matches(&m).map(|cli| (cli, data_dir, name))
        });
    let (cli, data_dir, name) = match parsed {
        Ok(parsed) => parsed,
        Err(e) if e.use_stderr() => {
            // A usage error echoes the argument it rejects: sanitised, never raw.
            common::say(e.render().to_string().trim_end());
            return EXIT_USAGE;
        }
        Err(e) => {
            // --help / --version: our own text. A closed stdout is not an error.
            let _ = e.print();
            return EXIT_OK;
        }
    };
    let name = name.as_str();
    start_log(data_dir.as_deref(), cli.log_level, name);
    let code = match dispatch(cli.command) {
        Ok(code) => code,
        Err(e) if is_closed_stdout(&e) => {
            // `runsheet status RUN | head -1`: the reader went away; nothing to report.
            EXIT_OK
        }
        Err(e) => {
            tracing::error!(
                command = name,
                "{}",
                crate::text::sanitize::clean_line(&format!("{e:#}"))
            );
            common::say(&format!("runsheet: {e:#}"));
            EXIT_ERROR
        }
    };
    tracing::info!(command = name, status = code, "exit");
    code
}

/// Starts the log in the data root the command uses (`--data-dir`, `RUNSHEET_DATA_DIR`, or the
/// default) and records the command's start.
fn start_log(data_dir: Option<&std::path::Path>, level: crate::log::Level, name: &str) {
    let Ok(store) = crate::store::Store::locate(data_dir) else {
        return;
    };
    if matches!(name, "start" | "run") && level != crate::log::Level::Off {
        // The commands that create the data dir: create it now (checked, 0700), so their own
        // start is logged. A problem here is the command's to report.
        let _ = store.runs(true);
    }
    let user = crate::store::identity::os_user();
    crate::log::init(store.root(), &user, level);
    tracing::info!(
        command = name,
        pid = std::process::id(),
        version = env!("CARGO_PKG_VERSION"),
        "start"
    );
}

fn is_closed_stdout(e: &color_eyre::Report) -> bool {
    let pipe = Some(std::io::ErrorKind::BrokenPipe);
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().map(std::io::Error::kind) == pipe
            || c.downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == pipe
    })
}

fn dispatch(command: Command) -> color_eyre::Result<i32> {
    match command {
        Command::Validate { file, json, steps } => validate::run(&file, json, steps),
        Command::Run(a) => screen::run(a),
        Command::Resume(a) | Command::Join(a) => screen::resume(a),
        Command::Start(a) => start::run(a),
        Command::Tick(a) => change::tick(a),
        Command::Untick(a) => change::untick(a),
        Command::Skip(a) => change::skip(a),
        Command::Na(a) => change::na(a),
        Command::Fail(a) => change::fail(a),
        Command::Sign(a) => change::sign(a),
        Command::Gate(a) => change::gate(a),
        Command::Note(a) => change::note(a),
        Command::Field(a) => change::field(a),
        Command::Set(a) => change::set(a),
        Command::Undo(a) => change::undo(a),
        Command::Exec(a) => exec::run(a),
        Command::Finish(a) => change::finish(a),
        Command::Abort(a) => change::abort(a),
        Command::Window(a) => window::window(a),
        Command::Hold(a) => window::hold(a),
        Command::Status(a) => status::status(a),
        Command::List(a) => status::list(a),
        Command::Report(a) => report::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Rebase(a) => rebase::run(a),
        Command::RepairState(a) => verify::repair_state(a),
        Command::RepairJournal(a) => verify::repair_journal(a),
        Command::Templates(a) => templates::list(a),
        Command::New(a) => templates::new(a),
        Command::Completions { shell } => docs::completions(shell),
        Command::Man => docs::man(),
        Command::Config(a) => config::run(a),
        Command::Keys(a) => keys::run(a),
        #[cfg(feature = "test-support")]
        Command::Drive(a) => drive::run(a),
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn every_visible_command_has_an_example_in_its_help() {
        let cmd = Cli::command();
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let about = sub
                .get_long_about()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(
                about.contains("Example: runsheet"),
                "`runsheet {} --help` has no example",
                sub.get_name()
            );
        }
        cmd.debug_assert();
    }
}
