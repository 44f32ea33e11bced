//! The record of a run (`report --format json`); the Markdown report renders the same data.

use super::{
    ActorJson, Context, ItemJson, ProgressJson, RunJson, item_json, progress_json, run_json, time,
};
use crate::run::event::{Change, Decision, Event};
use crate::run::view::RunView;
use chrono::Utc;
use serde::Serialize;

/// A code block listed under an item.
#[derive(Debug, Clone, Serialize)]
pub struct CodeJson {
    /// Language of the fence.
    pub lang: Option<String>,
    /// Text, variables substituted.
    pub text: String,
}

/// An item of the report: status fields plus its code.
#[derive(Debug, Clone, Serialize)]
pub struct ReportItem {
    /// As in `status --json`.
    #[serde(flatten)]
    pub item: ItemJson,
    /// Code blocks listed under it.
    pub code: Vec<CodeJson>,
}

/// A section with planned and actual times.
#[derive(Debug, Clone, Serialize)]
pub struct ReportSection {
    /// Title.
    pub title: String,
    /// Heading level.
    pub level: u8,
    /// Planned time as written (`08:00`, `T-60m`).
    pub planned_time: Option<String>,
    /// Planned time as a moment (clock times on the start day; offsets from the start).
    pub planned_at: Option<String>,
    /// First change to one of its items.
    pub first_change: Option<String>,
    /// Last change.
    pub last_change: Option<String>,
    /// Minutes from first to last change.
    pub duration_minutes: Option<i64>,
    /// Minutes the first change came after the planned time (negative: early).
    pub late_minutes: Option<i64>,
    /// Items not open.
    pub done: usize,
    /// Items.
    pub total: usize,
    /// Items.
    pub items: Vec<ReportItem>,
}

/// One event in the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineJson {
    /// Seq.
    pub seq: u64,
    /// Local time (RFC 3339).
    pub at: String,
    /// UTC time (RFC 3339).
    pub at_utc: String,
    /// Display name.
    pub by: String,
    /// Identity.
    pub actor: ActorJson,
    /// Event type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Item id, for item events.
    pub item: Option<String>,
    /// Item text, for item events.
    pub text: Option<String>,
    /// Note, reason, value, decision.
    pub detail: Option<String>,
}

/// The journal's head, for a change ticket.
#[derive(Debug, Clone, Serialize)]
pub struct JournalJson {
    /// Last seq.
    pub seq: u64,
    /// SHA-256 head hash.
    pub head: String,
    /// Events read.
    pub events: usize,
}

/// `report --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct ReportJson {
    /// The run.
    pub run: RunJson,
    /// Display names of everyone who changed the run.
    pub operators: Vec<ActorJson>,
    /// Progress.
    pub progress: ProgressJson,
    /// Sections with their items.
    pub sections: Vec<ReportSection>,
    /// Sign-off items.
    pub signoffs: Vec<ItemJson>,
    /// Skipped, n/a and failed items.
    pub exceptions: Vec<ItemJson>,
    /// Gate items.
    pub gates: Vec<ItemJson>,
    /// Orphaned items.
    pub orphans: Vec<ItemJson>,
    /// Every event.
    pub timeline: Vec<TimelineJson>,
    /// The head hash.
    pub journal: JournalJson,
}

fn detail(c: &Change) -> Option<String> {
    match c {
        Change::Tick { note, .. } | Change::Untick { note, .. } => note.clone(),
        Change::Skip { reason, .. } | Change::Na { reason, .. } | Change::Abort { reason } => {
            Some(reason.clone())
        }
        Change::Fail { note, .. } => Some(note.clone()),
        Change::Sign { signer, role, .. } => Some(match role {
            Some(r) => format!("{signer} as {r}"),
            None => signer.clone(),
        }),
        Change::Gate {
            decision, reason, ..
        } => {
            let d = match decision {
                Decision::Go => "GO",
                Decision::NoGo => "NO-GO",
            };
            Some(
                reason
                    .as_ref()
                    .map_or_else(|| d.to_owned(), |r| format!("{d}: {r}")),
            )
        }
        Change::Note { text, .. } => Some(text.clone()),
        Change::Field { column, value, .. } => Some(format!("{column} = {value}")),
        Change::Set { var, value } => Some(format!("{var} = {value}")),
        Change::Undo { target } => Some(format!("reverts seq {target}")),
        Change::Rebase {
            from_sha256,
            to_sha256,
            orphans,
        } => Some(format!(
            "template {} → {}; {} orphaned",
            from_sha256.get(..12).unwrap_or(from_sha256),
            to_sha256.get(..12).unwrap_or(to_sha256),
            orphans.len()
        )),
        Change::Start { title, .. } => Some(title.clone()),
        Change::Finish => None,
    }
}

/// Builds the report from the reconciled view and every event of the journal.
pub fn build(view: &RunView<'_>, events: &[Event], ctx: &Context) -> ReportJson {
    let run = view.run;
    let mut sections = Vec::new();
    for s in &view.sections {
        let sec = &view.template.sections[s.index];
        let items: Vec<ReportItem> = view
            .items()
            .iter()
            .filter(|r| r.section == Some(s.index))
            .map(|r| ReportItem {
                item: item_json(view, r),
                code: r
                    .index
                    .and_then(|i| view.template.items.get(i))
                    .map(|i| {
                        i.code_blocks()
                            .map(|c| CodeJson {
                                lang: c.lang.clone(),
                                text: view.subst(&c.text).into_owned(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        let planned = sec
            .planned_time
            .and_then(|p| crate::run::schedule::planned_at(p, view.template, &run.started_at));
        sections.push(ReportSection {
            title: s.title.to_string(),
            level: sec.level,
            planned_time: sec.planned_time.map(|p| p.to_string()),
            planned_at: planned.as_ref().map(time),
            first_change: s.first.as_ref().map(time),
            last_change: s.last.as_ref().map(time),
            duration_minutes: s.first.zip(s.last).map(|(a, b)| (b - a).num_minutes()),
            late_minutes: planned.zip(s.first).map(|(p, f)| (f - p).num_minutes()),
            done: s.progress.done,
            total: s.progress.total,
            items,
        });
    }
    let all: Vec<ItemJson> = view.items().iter().map(|r| item_json(view, r)).collect();
    let pick =
        |f: &dyn Fn(&ItemJson) -> bool| all.iter().filter(|i| f(i)).cloned().collect::<Vec<_>>();
    let mut operators: Vec<ActorJson> = Vec::new();
    for ev in events {
        if !operators
            .iter()
            .any(|o| o.user == ev.by.user && o.host == ev.by.host && o.name == ev.by.name)
        {
            operators.push((&ev.by).into());
        }
    }
    let text_of = |id: &crate::model::ItemId| {
        view.rows
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.text.to_string())
    };
    let timeline = events
        .iter()
        .map(|ev| TimelineJson {
            seq: ev.seq,
            at: time(&ev.at),
            at_utc: ev
                .at
                .with_timezone(&Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            by: ev.by.name.clone(),
            actor: (&ev.by).into(),
            kind: ev.change.kind(),
            item: ev.change.item().map(ToString::to_string),
            text: ev.change.item().and_then(text_of),
            detail: detail(&ev.change),
        })
        .collect();
    ReportJson {
        run: run_json(view, ctx),
        operators,
        progress: progress_json(view, view.progress),
        sections,
        signoffs: pick(&|i| i.kind == "signoff"),
        exceptions: pick(&|i| matches!(i.state, "skipped" | "na" | "failed")),
        gates: pick(&|i| i.kind == "gate"),
        orphans: view.orphans().iter().map(|r| item_json(view, r)).collect(),
        timeline,
        journal: JournalJson {
            seq: run.seq,
            head: run.head.clone(),
            events: events.len(),
        },
    }
}
