//! Commands run from the checklist, for the reports and `status`: one row per command (what ran,
//! how it ended, its output's digest and last lines), built from the fold and then checked against
//! the output files in the run dir. The writers each call one function of this module.

use super::{ActorJson, time};
use crate::run::event::{Change, CommandEnd};
use crate::run::state::CommandRecord;
use crate::run::view::RunView;
use crate::store::outputs::{self as output, Liveness};
use crate::store::safe::Dir;
use serde::Serialize;
use std::fmt::Write as _;

/// Lines of output kept in a row's tail.
pub const TAIL_LINES: usize = 20;
/// Bytes of output read for a tail.
const TAIL_BYTES: u64 = 16 * 1024;
/// Largest output embedded whole in the HTML report.
const FULL_BYTES: u64 = 4 << 20;

/// One command run from the checklist.
#[derive(Debug, Clone, Serialize)]
pub struct CommandRow {
    /// Item id, for an item's command.
    pub item: Option<String>,
    /// Section key, for a section's command.
    pub section: Option<String>,
    /// Item text or section title (variables substituted).
    pub text: String,
    /// `seq` of `command_started`.
    pub seq: u64,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// Who ran it.
    pub by: ActorJson,
    /// The text run (variables substituted, secrets masked).
    pub command: String,
    /// Its SHA-256.
    pub command_sha256: String,
    /// Interpreter and arguments.
    pub shell: String,
    /// Directory.
    pub cwd: String,
    /// Time limit in seconds.
    pub timeout_secs: u64,
    /// How it was confirmed.
    pub confirmed: String,
    /// `finished`; `running` (its runsheet holds the output file's lock); `stopped` (the command
    /// was running when runsheet stopped: no `command_finished` and nobody holds the lock); or
    /// `unfinished` (not checked against the run dir).
    pub state: &'static str,
    /// `exited`, `killed`, `interrupted`, `timed_out`, `not_started`.
    pub end: Option<&'static str>,
    /// Exit status.
    pub exit_code: Option<i32>,
    /// Signal.
    pub signal: Option<i32>,
    /// Milliseconds.
    pub duration_ms: Option<u64>,
    /// When it ended.
    pub finished_at: Option<String>,
    /// Output file, relative to the run dir.
    pub output: String,
    /// Bytes printed.
    pub output_bytes: Option<u64>,
    /// Bytes kept in the file (recorded).
    pub stored_bytes: Option<u64>,
    /// SHA-256 of the file (recorded).
    pub output_sha256: Option<String>,
    /// The file checked against the record: `ok`, `modified`, `missing`; `partial` for a command
    /// without `command_finished` (nothing to check against).
    pub output_check: Option<&'static str>,
    /// Bytes in the output file now.
    pub output_saved_bytes: Option<u64>,
    /// Last lines of the output file.
    pub output_tail: Vec<String>,
    /// Why it did not start, or a problem keeping its output.
    pub error: Option<String>,
    /// The item is done and this, its last command, exited 0.
    pub verified_by_command: bool,
    /// The whole output (HTML report only).
    #[serde(skip)]
    pub full_output: Option<String>,
}

impl CommandRow {
    /// `exit 0`, `exit 3`, `killed by signal 9`, `interrupted`, `timed out`, `not started`,
    /// `running`, `was running when runsheet stopped`.
    pub fn result(&self) -> String {
        match (self.state, self.end) {
            ("running", _) => "running".to_owned(),
            ("stopped", _) => "was running when runsheet stopped".to_owned(),
            (_, None) => "no result recorded".to_owned(),
            (_, Some("exited")) => format!("exit {}", self.exit_code.unwrap_or(-1)),
            (_, Some("killed")) => format!("killed by signal {}", self.signal.unwrap_or(0)),
            (_, Some("timed_out")) => "timed out".to_owned(),
            (_, Some("not_started")) => "not started".to_owned(),
            (_, Some(other)) => other.replace('_', " "),
        }
    }

    /// The output file checked against the record, in words (empty when not checked).
    pub fn check_text(&self) -> &'static str {
        match self.output_check {
            Some("ok") => "digest verified",
            Some("modified") => "OUTPUT FILE MODIFIED (digest differs)",
            Some("missing") => "output file missing",
            Some("partial") => "partial output (no digest recorded)",
            _ => "",
        }
    }

    /// Whether it exited 0.
    pub fn succeeded(&self) -> bool {
        self.end == Some("exited") && self.exit_code == Some(0)
    }

    /// `1.2s`, `3m05s`, or `—` without a result.
    pub fn duration(&self) -> String {
        self.duration_ms.map_or_else(
            || "—".to_owned(),
            |ms| crate::exec::settings::show_duration(std::time::Duration::from_millis(ms)),
        )
    }
}

fn row(
    text: String,
    item: Option<String>,
    section: Option<String>,
    c: &CommandRecord,
    verified: bool,
) -> CommandRow {
    let f = c.finished.as_ref();
    CommandRow {
        item,
        section,
        text,
        seq: c.seq,
        started_at: time(&c.at),
        by: (&c.by).into(),
        command: c.command.clone(),
        command_sha256: c.command_sha256.clone(),
        shell: c.shell.clone(),
        cwd: c.cwd.clone(),
        timeout_secs: c.timeout_secs,
        confirmed: c.confirmed.clone(),
        state: if f.is_some() {
            "finished"
        } else {
            "unfinished"
        },
        end: f.map(|f| f.end.as_str()),
        exit_code: f.and_then(|f| f.exit_code),
        signal: f.and_then(|f| f.signal),
        duration_ms: f.map(|f| f.duration_ms),
        finished_at: f.map(|f| time(&f.at)),
        output: c.output.clone(),
        output_bytes: f.map(|f| f.output_bytes),
        stored_bytes: f.map(|f| f.stored_bytes),
        output_sha256: f.map(|f| f.output_sha256.clone()),
        output_check: None,
        output_saved_bytes: None,
        output_tail: Vec::new(),
        error: f.and_then(|f| f.error.clone()),
        verified_by_command: verified,
        full_output: None,
    }
}

/// Every command of the run, in the order they started.
pub fn rows(view: &RunView<'_>) -> Vec<CommandRow> {
    let mut out = Vec::new();
    for r in &view.rows {
        let Some(rec) = r.record else { continue };
        let verified = rec.verified_by_command();
        let last = rec.commands.len().saturating_sub(1);
        for (i, c) in rec.commands.iter().enumerate() {
            out.push(row(
                r.text.to_string(),
                Some(r.id.to_string()),
                None,
                c,
                verified && i == last,
            ));
        }
    }
    for (key, list) in &view.run.section_commands {
        let title = crate::exec::find_section(view.template, key).map_or_else(
            || format!("(section {key}, not in the template)"),
            |i| view.subst(&view.template.sections[i].title).into_owned(),
        );
        for c in list {
            out.push(row(title.clone(), None, Some(key.clone()), c, false));
        }
    }
    out.sort_by_key(|r| r.seq);
    out
}

/// Checks each row's output file in the run dir `rundir` (read through its descriptor, never
/// through a link): digest against the record (or, for a command with no result, whether it
/// still runs), the saved size, the last lines; with `full`, the whole text.
pub fn attach(rows: &mut [CommandRow], rundir: &Dir, full: bool) {
    for r in rows.iter_mut() {
        let digest = output::digest(rundir, &r.output).ok();
        r.output_saved_bytes = digest.as_ref().map(|d| d.1);
        r.output_check = Some(match (&digest, &r.output_sha256) {
            (None, _) => "missing",
            (Some(_), None) => "partial",
            (Some((sha, _)), Some(recorded)) if sha == recorded => "ok",
            (Some(_), Some(_)) => "modified",
        });
        if r.state == "unfinished" {
            r.state = match output::liveness(rundir, &r.output) {
                Liveness::Running => "running",
                Liveness::Stopped | Liveness::Missing => "stopped",
            };
        }
        r.output_tail =
            output::read_tail(rundir, &r.output, TAIL_LINES, TAIL_BYTES).unwrap_or_default();
        if full {
            r.full_output = output::read_all(rundir, &r.output, FULL_BYTES)
                .ok()
                .flatten();
        }
    }
}

/// The rows of a run dir's commands, checked against their files.
pub fn checked_rows(view: &RunView<'_>, rundir: &Dir, full: bool) -> Vec<CommandRow> {
    let mut r = rows(view);
    attach(&mut r, rundir, full);
    r
}

/// What the timeline says of a command event.
pub fn timeline_detail(c: &Change) -> Option<String> {
    match c {
        Change::CommandStarted {
            command,
            shell,
            cwd,
            ..
        } => {
            let first = command.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            let more = if command.lines().filter(|l| !l.trim().is_empty()).count() > 1 {
                " …"
            } else {
                ""
            };
            Some(format!("{first}{more} ({shell} in {cwd})"))
        }
        Change::CommandFinished {
            end,
            exit_code,
            signal,
            duration_ms,
            stored_bytes,
            output_sha256,
            error,
            ..
        } => {
            let how = match end {
                CommandEnd::Exited => format!("exit {}", exit_code.unwrap_or(-1)),
                CommandEnd::Killed => format!("killed by signal {}", signal.unwrap_or(0)),
                CommandEnd::NotStarted => {
                    format!("not started: {}", error.as_deref().unwrap_or(""))
                }
                other => other.as_str().replace('_', " "),
            };
            Some(format!(
                "{how} after {}; output {stored_bytes} bytes, SHA-256 {}",
                crate::exec::settings::show_duration(std::time::Duration::from_millis(
                    *duration_ms
                )),
                output_sha256.get(..12).unwrap_or(output_sha256)
            ))
        }
        _ => None,
    }
}

/// `status`: one line per command, and for a command that was running when runsheet stopped, what
/// output was saved.
pub fn status_text(rows: &[CommandRow]) -> String {
    let mut o = String::new();
    if rows.is_empty() {
        return o;
    }
    let _ = writeln!(o, "\n## Commands run");
    for r in rows {
        let mark = match r.state {
            "running" => "…",
            "stopped" => "!",
            _ if r.succeeded() => "✓",
            _ => "✗",
        };
        let verified = if r.verified_by_command {
            " — verified by command"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "  {mark} {}  “{}”  (seq {}, {} at {}, {}){verified}",
            r.result(),
            r.text,
            r.seq,
            r.by.name,
            r.started_at,
            r.duration()
        );
        if r.state == "stopped" {
            let _ = writeln!(
                o,
                "      the command was running when runsheet stopped: {} bytes of output saved in {}",
                r.output_saved_bytes.unwrap_or(0),
                r.output
            );
            for l in r.output_tail.iter().rev().take(5).rev() {
                let _ = writeln!(o, "      │ {l}");
            }
        } else if r.state == "finished" {
            let _ = writeln!(
                o,
                "      output {} bytes in {} ({})",
                r.stored_bytes.unwrap_or(0),
                r.output,
                r.check_text()
            );
        }
    }
    o
}
