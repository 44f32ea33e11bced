//! What a run looks like to a script or an auditor: `status --json`, human status, and the
//! `report` in Markdown, JSON or self-contained HTML.
//!
//! The JSON shapes are a contract (issue 3); field names here are the ones scripts read.

pub mod html;
pub mod json;
pub mod markdown;
pub mod text;
pub mod timeline;

use crate::run::event::{Actor, show_time};
use crate::run::state::{ItemState, NoteEntry};
use crate::run::view::{Progress, Row, RunView};
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// The context a report is made in: drift and warnings found when the run was opened.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// SHA-256 of the original template file when it differs from the run's.
    pub drift_sha256: Option<String>,
    /// Warnings (torn journal, damaged snapshot, …).
    pub warnings: Vec<String>,
    /// Whether the run opened read-only.
    pub read_only: bool,
}

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
    /// `active`, `aborted`, `complete` or `complete with N skipped/overridden`.
    pub outcome: String,
    /// Start time (RFC 3339).
    pub started_at: String,
    /// Who started it.
    pub started_by: ActorJson,
    /// End time, when completed or aborted.
    pub ended_at: Option<String>,
    /// Abort reason.
    pub abort_reason: Option<String>,
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

/// `progress` object.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressJson {
    /// Items not open.
    pub done: usize,
    /// Items in the template.
    pub total: usize,
    /// Skipped, n/a, failed, NO-GO.
    pub exceptions: usize,
    /// Count per state.
    pub by_state: BTreeMap<&'static str, usize>,
}

/// A note.
#[derive(Debug, Clone, Serialize)]
pub struct NoteJson {
    /// Text.
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
    /// Signer's name, for a signed sign-off.
    pub signer: Option<String>,
    /// Role of a sign-off.
    pub role: Option<String>,
    /// Done because the template had it checked.
    pub prechecked: bool,
    /// No longer in the template (kept from an earlier version).
    pub orphaned: bool,
    /// A table row's other columns, with the blank cells filled in during the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldJson>,
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
    /// Planned time (`08:00`, `T-60m`), if timed.
    pub planned_time: Option<String>,
    /// Items not open.
    pub done: usize,
    /// Items directly in it.
    pub total: usize,
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
}

/// RFC 3339 with seconds and offset.
pub fn time(t: &DateTime<FixedOffset>) -> String {
    show_time(t)
}

/// `21:04:05 +01:00 (20:04:05 UTC)`.
pub fn local_and_utc(t: &DateTime<FixedOffset>) -> String {
    format!(
        "{} ({} UTC)",
        t.format("%Y-%m-%d %H:%M:%S %:z"),
        t.with_timezone(&Utc).format("%H:%M:%S")
    )
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
pub fn item_json(view: &RunView<'_>, row: &Row<'_>) -> ItemJson {
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
    }
}

/// Progress as JSON.
pub fn progress_json(view: &RunView<'_>, p: Progress) -> ProgressJson {
    let mut by_state: BTreeMap<&'static str, usize> =
        ItemState::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for r in view.items() {
        *by_state.entry(r.state.as_str()).or_default() += 1;
    }
    ProgressJson {
        done: p.done,
        total: p.total,
        exceptions: p.exceptions,
        by_state,
    }
}

/// The `run` object.
pub fn run_json(view: &RunView<'_>, ctx: &Context) -> RunJson {
    let run = view.run;
    let (ended_at, abort_reason) = match &run.lifecycle {
        crate::run::state::Lifecycle::Aborted { at, reason, .. } => {
            (Some(time(at)), Some(reason.clone()))
        }
        l => (l.ended_at().as_ref().map(time), None),
    };
    RunJson {
        id: run.id.clone(),
        title: view.subst(run.display_title()).into_owned(),
        template_title: view.subst(&run.title).into_owned(),
        status: run.lifecycle.as_str(),
        outcome: view.outcome(),
        started_at: time(&run.started_at),
        started_by: (&run.started_by).into(),
        ended_at,
        abort_reason,
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

/// Sections as JSON.
pub fn sections_json(view: &RunView<'_>) -> Vec<SectionJson> {
    view.sections
        .iter()
        .map(|s| {
            let sec = &view.template.sections[s.index];
            SectionJson {
                title: s.title.to_string(),
                level: sec.level,
                planned_time: sec.planned_time.map(|p| p.to_string()),
                done: s.progress.done,
                total: s.progress.total,
                first_change: s.first.as_ref().map(time),
                last_change: s.last.as_ref().map(time),
            }
        })
        .collect()
}

/// `status --json`.
pub fn status_json(view: &RunView<'_>, ctx: &Context) -> StatusJson {
    StatusJson {
        run: run_json(view, ctx),
        progress: progress_json(view, view.progress),
        sections: sections_json(view),
        next: view.next_open().map(|r| item_json(view, r)),
        items: view.items().iter().map(|r| item_json(view, r)).collect(),
        orphans: view.orphans().iter().map(|r| item_json(view, r)).collect(),
    }
}
