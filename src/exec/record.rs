//! The record of a command: the `command_started` and `command_finished` changes, appended through
//! [`OpenRun::commit`] (so they are checked under the journal lock like every change), and what the
//! fold knows of a target's commands.

use super::output::{self, Liveness, OutputFile};
use super::spawn::Finished;
use super::{Prepared, Target, find_section};
use crate::model::Template;
use crate::run::Run;
use crate::run::event::{Actor, Change, Event};
use crate::run::intent::IntentError;
use crate::run::state::CommandRecord;
use crate::store::safe::Dir;
use crate::store::{OpenRun, StoreError};
use chrono::{DateTime, FixedOffset};

/// A command whose `command_started` event is in the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// `seq` of the event.
    pub seq: u64,
    /// What it belongs to.
    pub target: Target,
    /// Output file, relative to the run dir.
    pub output: String,
    /// When.
    pub at: DateTime<FixedOffset>,
}

/// Commands recorded for a target, oldest first.
pub fn commands<'a>(run: &'a Run, target: &Target) -> &'a [CommandRecord] {
    match target {
        Target::Item(id) => run.items.get(id).map_or(&[], |r| r.commands.as_slice()),
        Target::Section(k) => run.section_commands.get(k).map_or(&[], Vec::as_slice),
    }
}

/// The change that records `prepared` starting, checked against the latest state: the run is
/// active, the target is in the template, and the same target's command is not running in another
/// runsheet (its output file's lock is free).
pub fn started_change(
    run: &Run,
    template: &Template,
    rundir: &Dir,
    prepared: &Prepared,
    output: &str,
    confirmed: &str,
) -> Result<Change, StoreError> {
    if !run.is_active() {
        return Err(IntentError::Closed {
            id: run.id.clone(),
            status: run.lifecycle.as_str(),
        }
        .into());
    }
    let known = match &prepared.target {
        Target::Item(id) => template.item(id).is_some(),
        Target::Section(k) => find_section(template, k).is_some(),
    };
    if !known {
        return Err(StoreError::Invalid(format!(
            "no item or section {} in the template this run follows",
            prepared.target
        )));
    }
    if let Some(c) = commands(run, &prepared.target)
        .iter()
        .rev()
        .find(|c| c.unfinished())
        && output::liveness(rundir, &c.output) == Liveness::Running
    {
        return Err(StoreError::Invalid(format!(
            "the command of “{}” is already running: started by {} at {} (seq {})",
            prepared.title,
            c.by.describe(),
            crate::run::event::show_time(&c.at),
            c.seq
        )));
    }
    let (item, section) = prepared.target.as_event_fields();
    Ok(Change::CommandStarted {
        item,
        section,
        command: prepared.text.clone(),
        command_sha256: prepared.text_sha256(),
        shell: prepared.shell(),
        cwd: prepared.cwd.display().to_string(),
        output: output.to_owned(),
        timeout_secs: prepared.timeout.as_secs().max(1),
        confirmed: confirmed.to_owned(),
        line: prepared.line,
    })
}

/// The output file's name stem: start time (UTC) and the target's key.
pub fn output_stem(target: &Target, now: DateTime<FixedOffset>) -> String {
    let key: String = target
        .key()
        .trim_start_matches('§')
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let key = if key.len() > 48 {
        // Keep the hash part at the end, which is what makes it unique.
        format!("{}-{}", &key[..32], &key[key.len() - 15..])
    } else {
        key
    };
    format!(
        "{}-{key}",
        now.with_timezone(&chrono::Utc).format("%Y%m%dT%H%M%SZ")
    )
}

/// Creates the output file and appends `command_started`. Nothing may run unless this succeeds;
/// on failure the output file is removed again.
pub fn start(
    open: &mut OpenRun,
    prepared: &Prepared,
    confirmed: &str,
    keep: u64,
    actor: &Actor,
    now: DateTime<FixedOffset>,
) -> Result<(Started, OutputFile), StoreError> {
    start_recorded(open, prepared, confirmed, keep, actor, now).map(|r| (r.started, r.file))
}

/// A command whose start is durable, with the events the append read and wrote (for a front end
/// that shows every event: the screen).
#[derive(Debug)]
pub struct StartRecord {
    /// What started.
    pub started: Started,
    /// Its output file (locked: it runs).
    pub file: OutputFile,
    /// Other processes' events read before ours, oldest first.
    pub caught_up: Vec<Event>,
    /// The `command_started` event.
    pub event: Event,
}

/// [`start`], also returning the events.
pub fn start_recorded(
    open: &mut OpenRun,
    prepared: &Prepared,
    confirmed: &str,
    keep: u64,
    actor: &Actor,
    now: DateTime<FixedOffset>,
) -> Result<StartRecord, StoreError> {
    // A damaged or read-only run takes no changes: refused before anything is created.
    if let Some(e) = open.refusal() {
        return Err(e);
    }
    let file = OutputFile::create(open.rundir(), &output_stem(&prepared.target, now), keep)?;
    let rel = file.rel();
    let rundir = match open.rundir().try_clone() {
        Ok(d) => d,
        Err(e) => {
            file.discard();
            return Err(e);
        }
    };
    let appended = open.commit_caught_up(actor, now, |run, template| {
        started_change(run, template, &rundir, prepared, &rel, confirmed)
    });
    match appended {
        Ok((caught_up, ev)) => Ok(StartRecord {
            started: Started {
                seq: ev.seq,
                target: prepared.target.clone(),
                output: rel,
                at: ev.at,
            },
            file,
            caught_up,
            event: ev,
        }),
        Err(e) => {
            file.discard();
            Err(e)
        }
    }
}

/// The record of how the command `started` ended, as an intent: checked under the journal lock
/// like every change (refused unless that command is unfinished), appended directly by
/// [`finish`] or through the screen's queue.
pub fn finished_intent(started: &Started, f: &Finished) -> crate::run::intent::Intent {
    let (item, section) = started.target.as_event_fields();
    crate::run::intent::Intent::CommandFinished {
        item,
        section,
        started: started.seq,
        end: f.end,
        exit_code: f.exit_code,
        signal: f.signal,
        duration_ms: u64::try_from(f.duration.as_millis()).unwrap_or(u64::MAX),
        output_bytes: f.output_bytes,
        stored_bytes: f.stored_bytes,
        output_sha256: f.output_sha256.clone(),
        error: f.error.clone(),
    }
}

/// Appends `command_finished` (whatever state the run is in now: it is a fact about a command
/// that was allowed to start).
pub fn finish(
    open: &mut OpenRun,
    started: &Started,
    f: &Finished,
    actor: &Actor,
    now: DateTime<FixedOffset>,
) -> Result<Event, StoreError> {
    open.append(&finished_intent(started, f), actor, now)
}

/// The note a failed command leaves when the item is marked failed: how it ended and the last
/// lines of its (clean, masked) output.
pub fn fail_note(started: &Started, f: &Finished, tail: &[&str]) -> String {
    let mut note = format!(
        "command {} after {} (seq {}, output {})",
        f.describe(),
        super::settings::show_duration(f.duration),
        started.seq,
        started.output
    );
    if !tail.is_empty() {
        note.push_str("; last lines:\n");
        let mut body = tail.join("\n");
        if body.len() > 2000 {
            let mut cut = body.len() - 2000;
            while !body.is_char_boundary(cut) {
                cut += 1;
            }
            body = format!("…{}", &body[cut..]);
        }
        note.push_str(&body);
    }
    note
}
