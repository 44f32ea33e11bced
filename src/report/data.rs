//! The JSON of `status --json` (and the parts the report shares): run, window, hold, progress,
//! sections and items. Field names are a contract.

use super::{Context, time};
use crate::run::event::Actor;
use crate::run::schedule::Schedule;
use crate::run::state::{ItemState, Lifecycle, NoteEntry};
use crate::run::view::{Row, RunView};
use crate::run::window::WindowSource;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use std::collections::BTreeMap;

mod blockers;
mod holds;

pub use blockers::Blockers;
pub use holds::{HoldJson, UndoneJson, hold_json, holds_json};

/// `{"user", "host", "name"}`.
#[derive(Debug, Clone, Serialize)]
pub struct ActorJson {
    /// OS user.
    pub user: String,
    /// Host.
    pub host: String,
    /// Display name.
    pub name: String,
}

impl From<&Actor> for ActorJson {
    fn from(a: &Actor) -> Self {
        ActorJson {
            user: a.user.clone(),
            host: a.host.clone(),
            name: a.name.clone(),
        }
    }
}

impl ActorJson {
    /// `Alice (alice@bastion)`: the one way a report names who did something.
    pub fn describe(&self) -> String {
        format!("{} ({}@{})", self.name, self.user, self.host)
    }
}

/// `run` object of `status --json`.
#[derive(Debug, Clone, Serialize)]
pub struct RunJson {
    /// Run id.
    pub id: String,
    /// Name if given, else the template title (variables substituted).
    pub title: String,
    /// Template title.
    pub template_title: String,
    /// `active`, `completed` or `aborted`.
    pub status: &'static str,
    /// `active`, `on hold`, `completed`, `completed with exceptions: 1 failed, 2 skipped`, or
    /// `aborted: <reason>`.
    pub outcome: String,
    /// Start time (RFC 3339).
    pub started_at: String,
    /// Who started it.
    pub started_by: ActorJson,
    /// End time, when completed or aborted.
    pub ended_at: Option<String>,
    /// Who completed or aborted it.
    pub ended_by: Option<ActorJson>,
    /// Abort reason.
    pub abort_reason: Option<String>,
    /// Why it was finished with exceptions (`finish --accept-exceptions --reason`).
    pub finish_reason: Option<String>,
    /// The exceptions accepted at finish (`1 failed, 1 no-go`).
    pub accepted_exceptions: Option<String>,
    /// Original template path.
    pub template_path: String,
    /// SHA-256 of the template at start.
    pub template_sha256: String,
    /// SHA-256 of the template followed now (after re-bases).
    pub base_sha256: String,
    /// Whether the original template file changed since.
    pub drift: bool,
    /// Its SHA-256 now, when drifted.
    pub drift_sha256: Option<String>,
    /// Last event seq.
    pub seq: u64,
    /// Journal head hash.
    pub head: String,
    /// Last change time.
    pub last_change_at: String,
    /// Last change by.
    pub last_change_by: ActorJson,
    /// Variables and their values.
    pub variables: BTreeMap<String, String>,
    /// Opened read-only (newer schema).
    pub read_only: bool,
    /// Problems found opening the run.
    pub warnings: Vec<String>,
}

/// The run's window.
#[derive(Debug, Clone, Serialize)]
pub struct WindowJson {
    /// Start (RFC 3339, in the window's zone).
    pub start: String,
    /// End, when known.
    pub end: Option<String>,
    /// Zone of the window's clock (`Europe/Berlin`, `UTC+07:00`).
    pub zone: String,
    /// `given` (a `window` event), `template` (metadata), `heading` (a dated heading),
    /// `first-clock` or `run-start` (guesses).
    pub source: &'static str,
    /// Whether any part of it is a guess.
    pub guess: bool,
    /// What was guessed, in words.
    pub guessed: Option<String>,
    /// Where it came from, for people.
    pub source_text: String,
    /// Who set it (`given`).
    pub set_by: Option<ActorJson>,
    /// When it was set (`given`).
    pub set_at: Option<String>,
    /// Why it was set (`given`).
    pub reason: Option<String>,
    /// Whether it had started at `now`.
    pub started: bool,
    /// `T-50m` / `T+1h05` at `now`.
    pub t: String,
    /// The time the report was made at.
    pub now: String,
}

/// `progress` object.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressJson {
    /// Items done, signed or decided GO.
    pub done: usize,
    /// Items no longer open (done, signed, GO, skipped, n/a, failed, NO-GO).
    pub closed: usize,
    /// Items in the template.
    pub total: usize,
    /// Skipped, n/a, failed, NO-GO.
    pub exceptions: usize,
    /// Of `done`: checked in the template and not changed since (not work done in the window).
    pub prechecked: usize,
    /// Count per state.
    pub by_state: BTreeMap<&'static str, usize>,
}

/// A note.
#[derive(Debug, Clone, Serialize)]
pub struct NoteJson {
    /// Text (line breaks kept).
    pub text: String,
    /// Display name.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// Full identity.
    pub actor: ActorJson,
}

/// An item in `status --json` and reports.
#[derive(Debug, Clone, Serialize)]
pub struct ItemJson {
    /// Stable id.
    pub id: String,
    /// Text (variables substituted).
    pub text: String,
    /// Section title.
    pub section: String,
    /// `task`, `signoff`, `gate`.
    pub kind: &'static str,
    /// `open`, `done`, `skipped`, `na`, `failed`, `go`, `no-go`, `signed`.
    pub state: &'static str,
    /// Display name of who set the state.
    pub by: Option<String>,
    /// When (RFC 3339).
    pub at: Option<String>,
    /// Full identity of who set it.
    pub actor: Option<ActorJson>,
    /// Reason (skip, n/a, gate) or failure note.
    pub reason: Option<String>,
    /// Notes, oldest first (undone ones left out).
    pub notes: Vec<NoteJson>,
    /// Signer's name as typed, for a signed sign-off (`actor` is who recorded it).
    pub signer: Option<String>,
    /// Role of a sign-off.
    pub role: Option<String>,
    /// Done because the template had it checked.
    pub prechecked: bool,
    /// No longer in the template (kept from an earlier version).
    pub orphaned: bool,
    /// The state was set after an unresolved NO-GO or during a HOLD: what it came after.
    pub after_no_go: Option<String>,
    /// A table row's other columns, with the blank cells filled in during the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldJson>,
    /// Done, and the last command run for it exited 0 (a closed-loop item, not ticked by hand).
    pub verified_by_command: bool,
}

/// A column of a table-row item.
#[derive(Debug, Clone, Serialize)]
pub struct FieldJson {
    /// Column header.
    pub name: String,
    /// Its value (filled in during the run, or as the template has it).
    pub value: String,
    /// A blank cell the operator fills in (`runsheet field`).
    pub fillable: bool,
    /// Who filled it in.
    pub by: Option<String>,
    /// When (RFC 3339).
    pub at: Option<String>,
}

/// A section's progress.
#[derive(Debug, Clone, Serialize)]
pub struct SectionJson {
    /// Title.
    pub title: String,
    /// Heading level.
    pub level: u8,
    /// Planned time as written (`08:00`, `T-60m`), if timed.
    pub planned_time: Option<String>,
    /// Planned start (RFC 3339, in the window's zone).
    pub planned_at: Option<String>,
    /// Where its slot ends.
    pub slot_end: Option<String>,
    /// Items done, signed or GO.
    pub done: usize,
    /// Items closed.
    pub closed: usize,
    /// Items directly in it.
    pub total: usize,
    /// Holds a failed item or a NO-GO.
    pub failed: bool,
    /// Its slot ended with items open, or it was changed after its slot (never before the window
    /// starts).
    pub overdue: bool,
    /// First change to one of its items.
    pub first_change: Option<String>,
    /// Last change.
    pub last_change: Option<String>,
}

/// `status --json`.
#[derive(Debug, Clone, Serialize)]
pub struct StatusJson {
    /// The run.
    pub run: RunJson,
    /// The window.
    pub window: WindowJson,
    /// The hold in force, if the run is on HOLD.
    pub hold: Option<HoldJson>,
    /// Overall progress.
    pub progress: ProgressJson,
    /// Per section.
    pub sections: Vec<SectionJson>,
    /// The first open item.
    pub next: Option<ItemJson>,
    /// Template items in order.
    pub items: Vec<ItemJson>,
    /// Items with progress that the template no longer has.
    pub orphans: Vec<ItemJson>,
    /// Commands run from the checklist, in the order they started.
    pub commands: Vec<super::commands::CommandRow>,
}

fn note_json(n: &NoteEntry) -> NoteJson {
    NoteJson {
        text: n.text.clone(),
        by: n.by.name.clone(),
        at: time(&n.at),
        actor: (&n.by).into(),
    }
}

/// One row as JSON.
pub fn item_json(view: &RunView<'_>, row: &Row<'_>, blockers: &Blockers) -> ItemJson {
    let e = row.entry;
    ItemJson {
        id: row.id.to_string(),
        text: row.text.to_string(),
        section: row.section_title.to_string(),
        kind: row.kind.as_str(),
        state: row.state.as_str(),
        by: e.map(|e| e.by.name.clone()),
        at: e.map(|e| time(&e.at)),
        actor: e.map(|e| (&e.by).into()),
        reason: e.and_then(|e| e.reason.clone()),
        notes: row
            .record
            .map(|r| r.live_notes().map(note_json).collect())
            .unwrap_or_default(),
        signer: e
            .filter(|e| e.state == ItemState::Signed)
            .and_then(|e| e.signer.clone()),
        role: row
            .index
            .and_then(|i| view.template.items.get(i))
            .and_then(|i| i.role.clone())
            .or_else(|| e.and_then(|e| e.role.clone())),
        prechecked: row.prechecked,
        orphaned: row.index.is_none(),
        after_no_go: e.and_then(|e| e.after_no_go).map(|s| blockers.describe(s)),
        fields: view
            .fields(row)
            .into_iter()
            .map(|f| FieldJson {
                name: f.name.to_owned(),
                value: f.value.into_owned(),
                fillable: f.fillable,
                by: f.filled.map(|e| e.by.name.clone()),
                at: f.filled.map(|e| time(&e.at)),
            })
            .collect(),
        verified_by_command: row.record.is_some_and(|r| r.verified_by_command()),
    }
}

/// Progress as JSON: the counts of the view, and a count per state.
pub fn progress_json(view: &RunView<'_>) -> ProgressJson {
    let c = &view.progress;
    let mut by_state: BTreeMap<&'static str, usize> =
        ItemState::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let mut prechecked = 0;
    for r in view.items() {
        *by_state.entry(r.state.as_str()).or_default() += 1;
        prechecked += usize::from(r.prechecked);
    }
    ProgressJson {
        done: c.done,
        closed: c.closed(),
        total: c.total,
        exceptions: c.exceptions(),
        prechecked,
        by_state,
    }
}

/// The `run` object.
pub fn run_json(view: &RunView<'_>, ctx: &Context) -> RunJson {
    let run = view.run;
    let (ended_by, abort_reason, finish_reason, accepted) = match &run.lifecycle {
        Lifecycle::Aborted { by, reason, .. } => {
            (Some(by.into()), Some(reason.clone()), None, None)
        }
        Lifecycle::Completed {
            by,
            reason,
            exceptions,
            ..
        } => (Some(by.into()), None, reason.clone(), exceptions.clone()),
        Lifecycle::Active => (None, None, None, None),
    };
    RunJson {
        id: run.id.clone(),
        title: view.subst(run.display_title()).into_owned(),
        template_title: view.subst(&run.title).into_owned(),
        status: run.lifecycle.as_str(),
        outcome: view.outcome(),
        started_at: time(&run.started_at),
        started_by: (&run.started_by).into(),
        ended_at: run.lifecycle.ended_at().as_ref().map(time),
        ended_by,
        abort_reason,
        finish_reason,
        accepted_exceptions: accepted,
        template_path: run.template_path.clone(),
        template_sha256: run.template_sha256.clone(),
        base_sha256: run.base_sha256.clone(),
        drift: ctx.drift_sha256.is_some(),
        drift_sha256: ctx.drift_sha256.clone(),
        seq: run.seq,
        head: run.head.clone(),
        last_change_at: time(&run.last.at),
        last_change_by: (&run.last.by).into(),
        variables: view
            .vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        read_only: ctx.read_only,
        warnings: ctx.warnings.clone(),
    }
}

/// The `window` object, as of `now`.
pub fn window_json(
    view: &RunView<'_>,
    schedule: &Schedule,
    now: DateTime<FixedOffset>,
) -> WindowJson {
    let w = &schedule.window;
    let (source, set_by, set_at, reason) = match &w.source {
        WindowSource::Given { by, at, reason, .. } => (
            "given",
            Some(by.into()),
            Some(time(at)),
            Some(reason.clone()),
        ),
        WindowSource::Template { .. } => ("template", None, None, None),
        WindowSource::Heading { .. } => ("heading", None, None, None),
        WindowSource::FirstClock { .. } => ("first-clock", None, None, None),
        WindowSource::RunStart => ("run-start", None, None, None),
    };
    WindowJson {
        start: time(&w.start),
        end: w.end.as_ref().map(time),
        zone: w.zone.name(),
        source,
        guess: w.is_guess(),
        guessed: w.guess.clone(),
        source_text: w.source_text(view.template),
        set_by,
        set_at,
        reason,
        started: w.started(&now),
        t: w.t_label(&now),
        now: time(&now),
    }
}

/// Sections as JSON, judged against `schedule` at `now` (active runs) or the run's end.
pub fn sections_json(
    view: &RunView<'_>,
    schedule: &Schedule,
    now: DateTime<FixedOffset>,
) -> Vec<SectionJson> {
    let reference = view.run.lifecycle.ended_at().unwrap_or(now);
    view.sections
        .iter()
        .map(|s| {
            let sec = &view.template.sections[s.index];
            let planned = schedule.planned(s.index);
            SectionJson {
                title: s.title.to_string(),
                level: sec.level,
                planned_time: sec.planned_time.map(|p| p.to_string()),
                planned_at: planned.map(|p| time(&p.start)),
                slot_end: planned.map(|p| time(&p.slot_end)),
                done: s.progress.done,
                closed: s.progress.closed(),
                total: s.progress.total,
                failed: s.progress.failures() > 0,
                overdue: schedule.overdue(s.index, s.progress.open > 0, s.last, reference),
                first_change: s.first.as_ref().map(time),
                last_change: s.last.as_ref().map(time),
            }
        })
        .collect()
}

/// `status --json`.
pub fn status_json(view: &RunView<'_>, ctx: &Context) -> StatusJson {
    let now = ctx.now();
    let schedule = Schedule::new(view.run, view.template);
    let blockers = Blockers::new(view.run, view.template);
    StatusJson {
        run: run_json(view, ctx),
        window: window_json(view, &schedule, now),
        hold: hold_json(view),
        progress: progress_json(view),
        sections: sections_json(view, &schedule, now),
        next: view.next_open().map(|r| item_json(view, r, &blockers)),
        items: view
            .items()
            .iter()
            .map(|r| item_json(view, r, &blockers))
            .collect(),
        orphans: view
            .orphans()
            .iter()
            .map(|r| item_json(view, r, &blockers))
            .collect(),
        commands: super::commands::rows(view),
    }
}
