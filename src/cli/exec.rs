//! `runsheet exec RUN ITEM`: run an item's command from a script or a shell, with the same record
//! the screen keeps (`command_started`, the output file, `command_finished`), print its output as
//! it comes, and exit with its status. See `docs/commands.md`.

use super::change::{Target, Who};
use super::common::{fail, snapshot_after, warn};
use super::{EXIT_ERROR, EXIT_OK};
use crate::exec::buffer::OutputBuffer;
use crate::exec::record::{self, Started};
use crate::exec::secrets::Secrets;
use crate::exec::settings::{Settings, parse_duration, show_duration};
use crate::exec::spawn::{self, ExecEvent, Finished, SpawnOptions};
use crate::exec::{self as ex, PrepareError, Prepared};
use crate::model::ItemKind;
use crate::run::intent::{Intent, IntentError};
use crate::store::{OpenRun, StoreError, identity};
use clap::Args;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

/// `exec`.
#[derive(Debug, Clone, Args)]
pub struct ExecArgs {
    /// Which item (or section with a command).
    #[command(flatten)]
    pub target: Target,
    /// Confirm running it now (without it, `exec` shows the command and asks on a terminal, and
    /// refuses without one).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The item's code (the last part of its id), required for a block marked destructive.
    #[arg(long, value_name = "CODE")]
    pub confirm: Option<String>,
    /// Show exactly what would run, and run and record nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Tick the item when the command exits 0.
    #[arg(long, conflicts_with = "no_tick")]
    pub tick: bool,
    /// Do not tick, even where the template or configuration says `auto-tick`.
    #[arg(long)]
    pub no_tick: bool,
    /// Mark the item failed when the command does not exit 0 (the note: how it ended and the
    /// output's last lines).
    #[arg(long)]
    pub fail: bool,
    /// A note added to the tick or the failure.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Time limit (`90s`, `10m`, `1h30m`); on expiry SIGTERM, then SIGKILL, to its process group.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Directory to run in (default: where the run was started, or the template's `exec-cwd`).
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// A secret variable for this command: its value comes from $RUNSHEET_SECRET_<NAME>, else is
    /// asked on the terminal (not echoed). Never recorded; masked in what is shown and kept.
    #[arg(long = "secret", value_name = "NAME")]
    pub secrets: Vec<String>,
    /// `--var secret:NAME=VALUE`: a secret value on the command line (other users may see it in
    /// `ps`; prefer --secret).
    #[arg(long = "var", value_name = "secret:NAME=VALUE")]
    pub vars: Vec<String>,
    /// Print only the command's output (runsheet's own lines on stderr are left out; errors stay).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// Environment variable a secret's value is read from: `RUNSHEET_SECRET_` + its name (characters
/// other than letters, digits and `_` as `_`).
pub fn secret_env(name: &str) -> String {
    ex::secrets::env_name(name).replacen("RUNSHEET_VAR_", "RUNSHEET_SECRET_", 1)
}

fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks on the terminal (stderr); `None` at end of input.
fn ask(prompt: &str) -> Option<String> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_owned()),
    }
}

/// Asks without echo (for a secret value).
fn ask_hidden(prompt: &str) -> Option<String> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    let stdin = std::io::stdin();
    let saved = tcgetattr(&stdin).ok();
    if let Some(t) = &saved {
        let mut quiet = t.clone();
        quiet.local_modes.remove(LocalModes::ECHO);
        let _ = tcsetattr(&stdin, OptionalActions::Now, &quiet);
    }
    let answer = ask(prompt);
    if let Some(t) = &saved {
        let _ = tcsetattr(&stdin, OptionalActions::Now, t);
        eprintln!();
    }
    answer
}

fn yes_answer(a: Option<String>, default: bool) -> bool {
    match a.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("y" | "yes") => true,
        Some("") => default,
        _ => false,
    }
}

/// Runs `exec`.
pub fn run(a: ExecArgs) -> color_eyre::Result<i32> {
    Ok(match exec(&a) {
        Ok(code) => code,
        Err(Refusal::Store(e)) => fail(&e),
        Err(Refusal::Message(m)) => {
            eprintln!("runsheet: {m}");
            EXIT_ERROR
        }
    })
}

enum Refusal {
    Store(StoreError),
    Message(String),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::Store(e)
    }
}

impl From<PrepareError> for Refusal {
    fn from(e: PrepareError) -> Self {
        Refusal::Message(e.to_string())
    }
}

fn gather_secrets(a: &ExecArgs, open: &OpenRun) -> Result<Secrets, Refusal> {
    let mut secrets = Secrets::new();
    for v in &a.vars {
        let Some(rest) = v.strip_prefix("secret:") else {
            return Err(Refusal::Message(format!(
                "--var {v}: `exec` takes only secret values (`--var secret:NAME=VALUE`); set ordinary variables with `runsheet set {} NAME VALUE`",
                open.run.id
            )));
        };
        let (name, value) = rest
            .split_once('=')
            .ok_or_else(|| Refusal::Message(format!("--var {v}: expected secret:NAME=VALUE")))?;
        secrets.insert(name.trim(), value);
    }
    let declared: Vec<String> = open
        .template
        .secret_variables()
        .into_iter()
        .map(str::to_owned)
        .collect();
    for name in a.secrets.iter().chain(declared.iter()) {
        if secrets.get(name).is_some() {
            continue;
        }
        if let Some(v) = std::env::var_os(secret_env(name)) {
            secrets.insert(name, &v.to_string_lossy());
        }
    }
    for name in &a.secrets {
        if secrets.get(name).is_none() {
            if !interactive() {
                return Err(Refusal::Message(format!(
                    "--secret {name}: no value: set ${} or run on a terminal to be asked",
                    secret_env(name)
                )));
            }
            let v = ask_hidden(&format!("value of secret {name} (not shown): "))
                .ok_or_else(|| Refusal::Message(format!("--secret {name}: no value given")))?;
            secrets.insert(name, &v);
        }
    }
    Ok(secrets)
}

fn prepare_with_prompts(
    a: &ExecArgs,
    open: &OpenRun,
    target: &ex::Target,
    settings: &Settings,
    mut secrets: Secrets,
) -> Result<Prepared, Refusal> {
    loop {
        match ex::prepare(&open.template, &open.run, target, settings, &secrets) {
            Ok(p) => return Ok(p),
            Err(PrepareError::MissingVars { names, secrets: s })
                if names.is_empty() && !s.is_empty() && interactive() && !a.dry_run =>
            {
                for name in s {
                    let v = ask_hidden(&format!("value of secret {name} (not shown): "))
                        .ok_or_else(|| {
                            Refusal::Message(format!("secret {name}: no value given"))
                        })?;
                    secrets.insert(&name, &v);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Asks for (or checks) the confirmation; returns how it was given.
fn confirm(a: &ExecArgs, p: &Prepared) -> Result<String, Refusal> {
    let mut how = Vec::new();
    if a.yes {
        how.push("--yes");
    } else if interactive() {
        eprint!("runsheet: about to run\n{}", p.preview());
        if p.needs_code.is_none() && !yes_answer(ask("Run it? [y/N] "), false) {
            return Err(Refusal::Message("not run (not confirmed)".to_owned()));
        }
        how.push("prompt");
    } else {
        return Err(Refusal::Message(format!(
            "refused: nothing runs without the operator's confirmation. Add --yes{} to confirm, or run `runsheet exec` on a terminal to be asked (--dry-run shows what would run)",
            p.needs_code
                .as_deref()
                .map_or_else(String::new, |c| format!(" --confirm {c}"))
        )));
    }
    if let Some(code) = &p.needs_code {
        let typed = match &a.confirm {
            Some(c) => Some(c.clone()),
            None if interactive() => ask(&format!(
                "“{}” is marked destructive. Type its code {code} to run it: ",
                p.title
            )),
            None => None,
        };
        p.check_code(typed.as_deref())?;
        how.push(if a.confirm.is_some() {
            "--confirm"
        } else {
            "typed code"
        });
    }
    Ok(how.join(" "))
}

fn exec(a: &ExecArgs) -> Result<i32, Refusal> {
    let mut open = a.who.store.open(&a.target.run)?;
    warn(&open);
    let target = ex::find_target(&open.template, &open.run, &a.target.item)
        .map_err(|e| Refusal::Store(e.into()))?;
    let mut settings = Settings::load().map_err(|e| {
        Refusal::Message(format!(
            "cannot read the configuration ({e}): running commands stays off until it is fixed"
        ))
    })?;
    settings.timeout_override = a.timeout;
    if let Some(c) = &a.cwd {
        settings.cwd = Some(c.clone());
    }
    let secrets = gather_secrets(a, &open)?;
    let prepared = prepare_with_prompts(a, &open, &target, &settings, secrets)?;
    if a.dry_run {
        print!("{}", prepared.preview());
        if let Some(code) = &prepared.needs_code {
            println!("  (marked destructive: running it needs --confirm {code})");
        }
        return Ok(EXIT_OK);
    }
    let confirmed = confirm(a, &prepared)?;
    let actor = identity::current(a.who.as_name.as_deref());
    let (started, file) = record::start(
        &mut open,
        &prepared,
        &confirmed,
        settings.output_keep,
        &actor,
        chrono::Local::now().fixed_offset(),
    )?;
    if !a.quiet {
        eprintln!(
            "runsheet: seq {}: running the command of “{}” — {} in {} (limit {}); output kept in {}",
            started.seq,
            prepared.title,
            prepared.shell(),
            prepared.cwd.display(),
            show_duration(prepared.timeout),
            started.output
        );
    }
    let (finished, tail_text, phase) = run_it(&prepared, file, &settings);
    let ev = append_finished(&mut open, &started, &finished, &actor);
    phase.store(finished.shell_status(), Ordering::SeqCst);
    if !a.quiet || ev.is_err() {
        report_end(&prepared, &started, &finished, ev.as_ref().err());
    }
    let tail: Vec<&str> = tail_text.last_lines(10);
    offers(a, &mut open, &prepared, &started, &finished, &tail, &actor);
    snapshot_after(&mut open);
    Ok(finished.shell_status())
}

/// While the command runs, SIGINT/SIGTERM interrupt it.
const PHASE_RUNNING: i32 = -1;
/// While its result is being recorded, signals wait.
const PHASE_RECORDING: i32 = -2;

/// Runs the command, printing its output live; Ctrl-C (SIGINT) and SIGTERM interrupt the command,
/// SIGHUP stops the printing but not the command or its record. Returns the phase switch: set it
/// to an exit status once the result is recorded, and a signal then ends runsheet with it (Ctrl-C
/// at the questions that follow).
fn run_it(
    prepared: &Prepared,
    file: crate::exec::output::OutputFile,
    settings: &Settings,
) -> (Finished, OutputBuffer, Arc<AtomicI32>) {
    let phase = Arc::new(AtomicI32::new(PHASE_RUNNING));
    let running = spawn::spawn(
        prepared,
        file,
        &SpawnOptions {
            kill_grace: settings.kill_grace,
        },
    );
    let hung_up = Arc::new(AtomicBool::new(false));
    let signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ]);
    match signals {
        Ok(mut signals) => {
            let interrupter = running.interrupter();
            let hung_up = Arc::clone(&hung_up);
            let phase = Arc::clone(&phase);
            let _ = std::thread::Builder::new()
                .name("runsheet-exec-signals".into())
                .spawn(move || {
                    for sig in signals.forever() {
                        match phase.load(Ordering::SeqCst) {
                            PHASE_RUNNING if sig == signal_hook::consts::SIGHUP => {
                                hung_up.store(true, Ordering::Relaxed);
                            }
                            PHASE_RUNNING => interrupter.interrupt(),
                            PHASE_RECORDING => {}
                            code => std::process::exit(code),
                        }
                    }
                });
        }
        Err(e) => eprintln!("runsheet: warning: Ctrl-C will not reach the command ({e})"),
    };
    let mut buffer = OutputBuffer::default();
    let mut stdout = std::io::stdout().lock();
    let mut open_line = false;
    let finished = loop {
        match running.events().recv() {
            Ok(ExecEvent::Output(text)) => {
                buffer.push_str(&text);
                open_line = !text.ends_with('\n');
                if !hung_up.load(Ordering::Relaxed) {
                    let _ = stdout.write_all(text.as_bytes());
                    let _ = stdout.flush();
                }
            }
            Ok(ExecEvent::Finished(f)) => break f,
            Err(_) => {
                break Finished {
                    end: crate::run::event::CommandEnd::Killed,
                    exit_code: None,
                    signal: None,
                    duration: running.elapsed(),
                    output_bytes: 0,
                    stored_bytes: 0,
                    output_sha256: String::new(),
                    error: Some("the command's supervisor stopped without a result".to_owned()),
                };
            }
        }
    };
    if open_line && !hung_up.load(Ordering::Relaxed) {
        // End the command's last line so runsheet's own lines start on their own.
        let _ = writeln!(stdout);
    }
    drop(stdout);
    phase.store(PHASE_RECORDING, Ordering::SeqCst);
    (finished, buffer, phase)
}

fn append_finished(
    open: &mut OpenRun,
    started: &Started,
    f: &Finished,
    actor: &crate::run::event::Actor,
) -> Result<crate::run::event::Event, StoreError> {
    let mut last = None;
    for _ in 0..3 {
        match record::finish(open, started, f, actor, chrono::Local::now().fixed_offset()) {
            Ok(ev) => return Ok(ev),
            Err(e) if e.is_unavailable() => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| StoreError::Invalid("could not record the result".to_owned())))
}

fn report_end(p: &Prepared, started: &Started, f: &Finished, err: Option<&StoreError>) {
    eprintln!(
        "runsheet: {} after {}; {} bytes of output printed, {} kept in {} (SHA-256 {})",
        f.describe(),
        show_duration(f.duration),
        f.output_bytes,
        f.stored_bytes,
        started.output,
        f.output_sha256.get(..12).unwrap_or("—")
    );
    for x in &p.expected {
        eprintln!("runsheet: expected: {x}");
    }
    if let Some(e) = err {
        eprintln!(
            "runsheet: ERROR: the command ended but its result could not be recorded ({e}); the journal shows it as still running (seq {}). Its output is complete in {}",
            started.seq, started.output
        );
    }
}

fn offers(
    a: &ExecArgs,
    open: &mut OpenRun,
    p: &Prepared,
    started: &Started,
    f: &Finished,
    tail: &[&str],
    actor: &crate::run::event::Actor,
) {
    let ex::Target::Item(id) = &p.target else {
        return;
    };
    let run_id = open.run.id.clone();
    let ask_ok = interactive() && !a.yes;
    let intent = if f.succeeded() {
        if p.kind != ItemKind::Task {
            return;
        }
        let tick = !a.no_tick
            && (a.tick
                || p.auto_tick
                || (ask_ok && yes_answer(ask(&format!("Tick “{}”? [Y/n] ", p.title)), true)));
        if !tick {
            if !a.quiet && !a.no_tick {
                eprintln!("runsheet: to tick it: runsheet tick {run_id} {id}");
            }
            return;
        }
        Intent::Tick {
            item: id.clone(),
            note: a.note.clone(),
        }
    } else {
        if p.kind != ItemKind::Task {
            return;
        }
        let mark = a.fail
            || (ask_ok
                && yes_answer(
                    ask(&format!(
                        "Mark “{}” failed, with the output's last lines as the note? [y/N] ",
                        p.title
                    )),
                    false,
                ));
        if !mark {
            if !a.quiet {
                eprintln!(
                    "runsheet: to mark it failed: runsheet fail {run_id} {id} --note \"…\" (or run again with --fail)"
                );
            }
            return;
        }
        let mut note = record::fail_note(started, f, tail);
        if let Some(n) = &a.note {
            note = format!("{n}\n{note}");
        }
        Intent::Fail {
            item: id.clone(),
            note,
        }
    };
    match open.append(&intent, actor, chrono::Local::now().fixed_offset()) {
        Ok(ev) => {
            if !a.quiet {
                eprintln!("{}", super::common::ack(open, &ev));
            }
        }
        Err(StoreError::Intent(IntentError::Already { text, state, .. })) => {
            if !a.quiet {
                eprintln!("runsheet: “{text}” is already {state}");
            }
        }
        Err(e) => eprintln!(
            "runsheet: warning: the command's result is recorded, but {} failed: {e}",
            if f.succeeded() {
                "the tick"
            } else {
                "marking it failed"
            }
        ),
    }
}
