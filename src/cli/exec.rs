//! `runsheet exec RUN ITEM`: run an item's command from a script or a shell, with the same record
//! the screen keeps (`command_started`, the output file, `command_finished`), print its output as
//! it comes, and exit with its status. See `docs/commands.md`.

use super::EXIT_OK;
use super::change::{Confirm, Target, Who};
use super::common::{CmdResult, emit, exit, line, now, out, say, snapshot_after, warn};
use crate::exec::buffer::OutputBuffer;
use crate::exec::record::{self, Started};
use crate::exec::secrets::Secrets;
use crate::exec::settings::{Settings, parse_duration, show_duration};
use crate::exec::spawn::{self, ExecEvent, Finished, SpawnOptions};
use crate::exec::{self as ex, PrepareError, Prepared};
use crate::model::ItemKind;
use crate::run::gates;
use crate::run::intent::{Intent, IntentError};
use crate::store::{OpenRun, StoreError, identity};
use crate::text::sanitize::clean_multiline;
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
    /// Run it although a NO-GO is unresolved or the run is on HOLD (recorded with the command; a
    /// tick that follows is recorded as made after the NO-GO). Items of a rollback section need
    /// no confirmation.
    #[command(flatten)]
    pub confirm_after: Confirm,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// Environment variable a secret's value is read from: `RUNSHEET_SECRET_` + its name (characters
/// other than letters, digits and `_` as `_`).
pub fn secret_env(name: &str) -> String {
    ex::secrets::secret_env(name)
}

fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Writes `text` to stderr, sanitised, without a line break (a prompt).
fn prompt(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(clean_multiline(text).as_bytes());
    let _ = err.flush();
}

/// Asks on the terminal (stderr); `None` at end of input.
fn ask(question: &str) -> Option<String> {
    prompt(question);
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_owned()),
    }
}

/// Asks without echo (for a secret value).
fn ask_hidden(question: &str) -> Option<String> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    let stdin = std::io::stdin();
    let saved = tcgetattr(&stdin).ok();
    if let Some(t) = &saved {
        let mut quiet = t.clone();
        quiet.local_modes.remove(LocalModes::ECHO);
        let _ = tcsetattr(&stdin, OptionalActions::Now, &quiet);
    }
    let answer = ask(question);
    if let Some(t) = &saved {
        let _ = tcsetattr(&stdin, OptionalActions::Now, t);
        prompt("\n");
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

/// Runs `exec`: the command's own exit status, or runsheet's when it refused (1, or 3 when the
/// run is unavailable).
pub fn run(a: ExecArgs) -> color_eyre::Result<i32> {
    let mut status = EXIT_OK;
    let code = exit(exec(&a, &mut status))?;
    Ok(if code == EXIT_OK { status } else { code })
}

/// A refusal in words (printed sanitised, exit 1).
fn refuse(message: impl Into<String>) -> color_eyre::Report {
    StoreError::Invalid(message.into()).into()
}

fn gather_secrets(a: &ExecArgs, open: &OpenRun) -> color_eyre::Result<Secrets> {
    let mut secrets = Secrets::new();
    for v in &a.vars {
        let Some(rest) = v.strip_prefix("secret:") else {
            return Err(refuse(format!(
                "--var {v}: `exec` takes only secret values (`--var secret:NAME=VALUE`); set ordinary variables with `runsheet set {} NAME VALUE`",
                open.run.id
            )));
        };
        let (name, value) = rest
            .split_once('=')
            .ok_or_else(|| refuse(format!("--var {v}: expected secret:NAME=VALUE")))?;
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
                return Err(refuse(format!(
                    "--secret {name}: no value: set ${} or run on a terminal to be asked",
                    secret_env(name)
                )));
            }
            let v = ask_hidden(&format!("value of secret {name} (not shown): "))
                .ok_or_else(|| refuse(format!("--secret {name}: no value given")))?;
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
) -> color_eyre::Result<Prepared> {
    loop {
        match ex::prepare(&open.template, &open.run, target, settings, &secrets) {
            Ok(p) => return Ok(p),
            Err(PrepareError::MissingVars { names, secrets: s })
                if names.is_empty() && !s.is_empty() && interactive() && !a.dry_run =>
            {
                for name in s {
                    let v = ask_hidden(&format!("value of secret {name} (not shown): "))
                        .ok_or_else(|| refuse(format!("secret {name}: no value given")))?;
                    secrets.insert(&name, &v);
                }
            }
            Err(e) => return Err(refuse(e.to_string())),
        }
    }
}

/// Asks for (or checks) the confirmation; returns how it was given. `blocked`: the unresolved
/// NO-GO or HOLD the command would run after, in words.
fn confirm(a: &ExecArgs, p: &Prepared, blocked: Option<&str>) -> color_eyre::Result<String> {
    let mut how = Vec::new();
    if let Some(b) = blocked {
        if a.confirm_after.after_no_go {
            how.push("--after-no-go");
        } else if interactive() && !a.yes {
            let q = format!(
                "runsheet: there is a {b}.\nRun “{}” anyway, recorded as run after it? [y/N] ",
                p.title
            );
            if !yes_answer(ask(&q), false) {
                return Err(refuse("not run (not confirmed after the NO-GO)"));
            }
            how.push("after-no-go prompt");
        } else {
            return Err(StoreError::from(IntentError::AfterNoGo {
                blocker: b.to_owned(),
            })
            .into());
        }
    }
    if a.yes {
        how.push("--yes");
    } else if interactive() {
        prompt(&format!("runsheet: about to run\n{}", p.preview()));
        if p.needs_code.is_none() && !yes_answer(ask("Run it? [y/N] "), false) {
            return Err(refuse("not run (not confirmed)"));
        }
        how.push("prompt");
    } else {
        return Err(refuse(format!(
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
        p.check_code(typed.as_deref())
            .map_err(|e| refuse(e.to_string()))?;
        how.push(if a.confirm.is_some() {
            "--confirm"
        } else {
            "typed code"
        });
    }
    Ok(how.join(" "))
}

/// The clock for the record (`RUNSHEET_NOW` when set); the system clock if that is unreadable
/// (the value was already checked before the command ran).
fn clock() -> chrono::DateTime<chrono::FixedOffset> {
    now().unwrap_or_else(|_| chrono::Local::now().fixed_offset())
}

/// The unresolved NO-GO or HOLD the command would run after, in words (`None` for items of the
/// rollback section and when nothing is unresolved).
fn blocked_by(open: &OpenRun, target: &ex::Target) -> Option<String> {
    let blocker = match target {
        ex::Target::Item(id) => {
            let index = open.template.items.iter().position(|i| i.id == *id)?;
            gates::needs_confirmation(&open.run, &open.template, index)?
        }
        ex::Target::Section(key) => {
            let rollback = (0..open.template.sections.len())
                .find(|&i| ex::section_key(&open.template, i) == *key)
                .is_some_and(|i| gates::in_rollback(&open.template, i));
            if rollback {
                return None;
            }
            gates::blocker(&open.run)?
        }
    };
    Some(gates::describe(&open.run, &open.template, &blocker))
}

fn exec(a: &ExecArgs, status: &mut i32) -> CmdResult {
    let mut open = a.who.store.open(&a.target.run)?;
    warn(&open);
    if let Some(e) = open.refusal() {
        // Nothing runs in a run that cannot record it.
        return Err(e.into());
    }
    let at = now()?;
    let target =
        ex::find_target(&open.template, &open.run, &a.target.item).map_err(StoreError::from)?;
    let mut settings = Settings::load().map_err(|e| {
        refuse(format!(
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
        let mut o = out();
        emit(&mut o, &prepared.preview())?;
        if let Some(code) = &prepared.needs_code {
            line(
                &mut o,
                &format!("  (marked destructive: running it needs --confirm {code})"),
            )?;
        }
        return Ok(());
    }
    let blocked = blocked_by(&open, &prepared.target);
    let confirmed = confirm(a, &prepared, blocked.as_deref())?;
    let actor = identity::current(a.who.as_name.as_deref());
    let (started, file) = record::start(
        &mut open,
        &prepared,
        &confirmed,
        settings.output_keep,
        &actor,
        at,
    )?;
    if !a.quiet {
        say(&format!(
            "runsheet: seq {}: running the command of “{}” — {} in {} (limit {}); output kept in {}",
            started.seq,
            prepared.title,
            prepared.shell(),
            prepared.cwd.display(),
            show_duration(prepared.timeout),
            started.output
        ));
    }
    let (finished, tail_text, phase) = run_it(&prepared, file, &settings);
    let ev = append_finished(&mut open, &started, &finished, &actor);
    phase.store(finished.shell_status(), Ordering::SeqCst);
    if !a.quiet || ev.is_err() {
        report_end(&prepared, &started, &finished, ev.as_ref().err());
    }
    let tail: Vec<&str> = tail_text.last_lines(10);
    let after = Offer {
        started: &started,
        finished: &finished,
        tail: &tail,
        actor: &actor,
        after_no_go: blocked.is_some(),
    };
    offers(a, &mut open, &prepared, &after);
    snapshot_after(&mut open);
    *status = finished.shell_status();
    Ok(())
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
        Err(e) => say(&format!(
            "runsheet: warning: Ctrl-C will not reach the command ({e})"
        )),
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
        match record::finish(open, started, f, actor, clock()) {
            Ok(ev) => return Ok(ev),
            Err(e) if e.is_unavailable() => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| StoreError::Invalid("could not record the result".to_owned())))
}

fn report_end(p: &Prepared, started: &Started, f: &Finished, err: Option<&StoreError>) {
    say(&format!(
        "runsheet: {} after {}; {} bytes of output printed, {} kept in {} (SHA-256 {})",
        f.describe(),
        show_duration(f.duration),
        f.output_bytes,
        f.stored_bytes,
        started.output,
        f.output_sha256.get(..12).unwrap_or("—")
    ));
    for x in &p.expected {
        say(&format!("runsheet: expected: {x}"));
    }
    if let Some(e) = err {
        say(&format!(
            "runsheet: ERROR: the command ended but its result could not be recorded ({e}); the journal shows it as still running (seq {}). Its output is complete in {}",
            started.seq, started.output
        ));
    }
}

/// What the offers after the command need to know.
struct Offer<'a> {
    started: &'a Started,
    finished: &'a Finished,
    tail: &'a [&'a str],
    actor: &'a crate::run::event::Actor,
    /// The command ran after an unresolved NO-GO or during a HOLD (confirmed): a tick that
    /// follows is recorded as made after it.
    after_no_go: bool,
}

fn offers(a: &ExecArgs, open: &mut OpenRun, p: &Prepared, o: &Offer<'_>) {
    let (started, f, tail, actor) = (o.started, o.finished, o.tail, o.actor);
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
                let confirm = if o.after_no_go { " --after-no-go" } else { "" };
                say(&format!(
                    "runsheet: to tick it: runsheet tick {run_id} {id}{confirm}"
                ));
            }
            return;
        }
        let tick = Intent::Tick {
            item: id.clone(),
            note: a.note.clone(),
        };
        if o.after_no_go {
            Intent::AfterNoGo(Box::new(tick))
        } else {
            tick
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
                say(&format!(
                    "runsheet: to mark it failed: runsheet fail {run_id} {id} --note \"…\" (or run again with --fail)"
                ));
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
    match open.append(&intent, actor, clock()) {
        Ok(ev) => {
            if !a.quiet {
                say(&super::common::ack(open, &ev));
            }
        }
        Err(StoreError::Intent(IntentError::Already { text, state, .. })) => {
            if !a.quiet {
                say(&format!("runsheet: “{text}” is already {state}"));
            }
        }
        Err(e) => say(&format!(
            "runsheet: warning: the command's result is recorded, but {} failed: {e}",
            if f.succeeded() {
                "the tick"
            } else {
                "marking it failed"
            }
        )),
    }
}
