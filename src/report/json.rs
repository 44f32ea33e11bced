//! The record of a run (`report --format json`): everything the Markdown and HTML reports show,
//! built once from the reconciled view and the journal, in time linear in the run's size.

use super::data::{
    ActorJson, Blockers, FieldJson, HoldJson, ItemJson, ProgressJson, RunJson, UndoneJson,
    WindowJson, hold_json, holds_json, item_json, progress_json, run_json, window_json,
};
use super::{Context, time};
use crate::model::{Align, Block, Origin, Span, SpanRef};
use crate::run::event::Event;
use crate::run::schedule::Schedule;
use crate::run::state::StateEntry;
use crate::run::view::RunView;
use chrono::Utc;
use detail::{after_no_go, detail};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

mod detail;

/// A code block listed under an item.
#[derive(Debug, Clone, Serialize)]
pub struct CodeJson {
    /// Language of the fence.
    pub lang: Option<String>,
    /// Text, variables substituted.
    pub text: String,
}

/// A piece of a section's or item's body, variables substituted.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum BlockJson {
    /// A paragraph.
    Paragraph {
        /// Styled text.
        spans: Vec<Span>,
    },
    /// A plain bullet.
    Bullet {
        /// Styled text.
        spans: Vec<Span>,
        /// Nesting depth (0 = first level).
        depth: usize,
    },
    /// A code block (rollback commands).
    Code {
        /// Language.
        lang: Option<String>,
        /// Exact text.
        text: String,
    },
    /// A read-only table.
    Table {
        /// Header cells.
        header: Vec<String>,
        /// Rows (every cell kept: a row may be longer than the header).
        rows: Vec<Vec<String>>,
        /// Each column's alignment, from the delimiter row (`none`, `left`, `center`, `right`).
        align: Vec<Align>,
    },
}

/// One state change of an item.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryJson {
    /// Event seq.
    pub seq: u64,
    /// New state.
    pub state: &'static str,
    /// Display name.
    pub by: String,
    /// Identity.
    pub actor: ActorJson,
    /// When (RFC 3339).
    pub at: String,
    /// Reason or failure note.
    pub reason: Option<String>,
    /// Signer as typed.
    pub signer: Option<String>,
    /// Made after an unresolved NO-GO or during a HOLD: what it came after.
    pub after_no_go: Option<String>,
    /// Reverted: by whom and when.
    pub undone_by: Option<UndoneJson>,
}

/// An item of the report: status fields plus its body, columns and history.
#[derive(Debug, Clone, Serialize)]
pub struct ReportItem {
    /// As in `status --json`.
    #[serde(flatten)]
    pub item: ItemJson,
    /// `list`, `table` or `line`.
    pub origin: &'static str,
    /// Nesting depth among items.
    pub depth: usize,
    /// Other columns of a table-row item, in column order, with the blank cells filled in during
    /// the run (who and when).
    pub fields: Vec<FieldJson>,
    /// Code blocks listed under it.
    pub code: Vec<CodeJson>,
    /// Its whole body (paragraphs, bullets, code, tables).
    pub body: Vec<BlockJson>,
    /// Every state change, oldest first, undone ones included.
    pub history: Vec<HistoryJson>,
    /// 1-based template line.
    pub line: Option<usize>,
}

/// A section with planned and actual times.
#[derive(Debug, Clone, Serialize)]
pub struct ReportSection {
    /// Title.
    pub title: String,
    /// Heading level.
    pub level: u8,
    /// Nesting depth among sections (0 = top).
    pub depth: usize,
    /// Index of the parent section in `sections`.
    pub parent: Option<usize>,
    /// Titles from the top section down to this one.
    pub path: Vec<String>,
    /// Planned time as written (`08:00`, `T-60m`).
    pub planned_time: Option<String>,
    /// Planned start (RFC 3339, in the window's zone).
    pub planned_at: Option<String>,
    /// Planned end, when the heading gives one (`08:00 - 09:00`, `(30 min)`).
    pub planned_end: Option<String>,
    /// Where its slot ends (the written end, else the next later planned time).
    pub slot_end: Option<String>,
    /// First change to one of its items.
    pub first_change: Option<String>,
    /// Last change.
    pub last_change: Option<String>,
    /// Minutes from first to last change.
    pub duration_minutes: Option<i64>,
    /// Minutes the first change came after the planned start (never negative; null when on time
    /// or early).
    pub late_minutes: Option<i64>,
    /// Minutes the first change came before the planned start.
    pub early_minutes: Option<i64>,
    /// Overdue (never before the window starts).
    pub overdue: bool,
    /// Holds a failed item or a NO-GO.
    pub failed: bool,
    /// Items done, signed or GO.
    pub done: usize,
    /// Items closed.
    pub closed: usize,
    /// Items.
    pub total: usize,
    /// Items open.
    pub open: usize,
    /// Body before the first item (paragraphs, code, tables), metadata lines left out.
    pub body: Vec<BlockJson>,
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
    /// Confirmed by the operator as made after an unresolved NO-GO or during a HOLD.
    pub after_no_go: bool,
    /// Reverted by a later undo.
    pub undone_by: Option<UndoneJson>,
}

/// A metadata entry of the template.
#[derive(Debug, Clone, Serialize)]
pub struct MetaJson {
    /// Key.
    pub name: String,
    /// Value (variables substituted).
    pub value: String,
    /// 1-based line.
    pub line: usize,
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
    /// The window.
    pub window: WindowJson,
    /// The hold in force.
    pub hold: Option<HoldJson>,
    /// Every hold and resume.
    pub holds: Vec<HoldJson>,
    /// The template's metadata (front matter and `Key: value` lines).
    pub metadata: Vec<MetaJson>,
    /// Display names of everyone who changed the run.
    pub operators: Vec<ActorJson>,
    /// Progress.
    pub progress: ProgressJson,
    /// Sections with their items, in template order.
    pub sections: Vec<ReportSection>,
    /// Sign-off items.
    pub signoffs: Vec<ItemJson>,
    /// Skipped, n/a, failed and NO-GO items.
    pub exceptions: Vec<ItemJson>,
    /// Gate items.
    pub gates: Vec<ItemJson>,
    /// Orphaned items.
    pub orphans: Vec<ItemJson>,
    /// Commands run from the checklist (what ran, how it ended, the output's digest and tail).
    pub commands: Vec<super::commands::CommandRow>,
    /// Every event.
    pub timeline: Vec<TimelineJson>,
    /// The head hash.
    pub journal: JournalJson,
}

fn blocks(view: &RunView<'_>, body: &[Block], skip_lines: &HashSet<usize>) -> Vec<BlockJson> {
    let spans = |s: &[Span]| -> Vec<Span> {
        s.iter()
            .map(|x| Span {
                text: view
                    .subst_span(SpanRef {
                        text: &x.text,
                        style: &x.style,
                    })
                    .into_owned()
                    .into(),
                style: x.style.clone(),
            })
            .collect()
    };
    body.iter()
        .filter_map(|b| match b {
            Block::Paragraph { line, .. } if skip_lines.contains(line) => None,
            Block::Paragraph { spans: s, .. } => Some(BlockJson::Paragraph { spans: spans(s) }),
            Block::Bullet {
                spans: s, depth, ..
            } => Some(BlockJson::Bullet {
                spans: spans(s),
                depth: *depth,
            }),
            Block::Code(c) => Some(BlockJson::Code {
                lang: c.lang.as_deref().map(str::to_owned),
                text: view.subst(&c.text).into_owned(),
            }),
            Block::Table {
                header,
                rows,
                align,
                ..
            } => Some(BlockJson::Table {
                header: header
                    .iter()
                    .map(|h| view.subst_cell(h).into_owned())
                    .collect(),
                rows: rows
                    .iter()
                    .map(|r| r.iter().map(|c| view.subst_cell(c).into_owned()).collect())
                    .collect(),
                align: align.clone(),
            }),
        })
        .collect()
}

fn history_json(e: &StateEntry, blockers: &Blockers) -> HistoryJson {
    HistoryJson {
        seq: e.seq,
        state: e.state.as_str(),
        by: e.by.name.clone(),
        actor: (&e.by).into(),
        at: time(&e.at),
        reason: e.reason.clone(),
        signer: e.signer.clone(),
        after_no_go: e.after_no_go.map(|s| blockers.describe(s)),
        undone_by: e.undone_by.as_ref().map(Into::into),
    }
}

/// Who undid what: `seq` of every reverted change → the undo.
fn undone_index(view: &RunView<'_>) -> HashMap<u64, UndoneJson> {
    let run = view.run;
    let mut m = HashMap::new();
    for rec in run.items.values() {
        for e in &rec.history {
            if let Some(u) = &e.undone_by {
                m.insert(e.seq, u.into());
            }
        }
        for n in &rec.notes {
            if let Some(u) = &n.undone_by {
                m.insert(n.seq, u.into());
            }
        }
    }
    for v in run.vars.values().flatten() {
        if let Some(u) = &v.undone_by {
            m.insert(v.seq, u.into());
        }
    }
    for w in &run.windows {
        if let Some(u) = &w.undone_by {
            m.insert(w.seq, u.into());
        }
    }
    for h in &run.holds {
        if let Some(u) = &h.undone_by {
            m.insert(h.seq, u.into());
        }
    }
    m
}

/// Builds the report from the reconciled view and every event of the journal.
pub fn build(view: &RunView<'_>, events: &[Event], ctx: &Context) -> ReportJson {
    let run = view.run;
    let t = view.template;
    let now = ctx.now();
    let reference = run.lifecycle.ended_at().unwrap_or(now);
    let schedule = Schedule::new(run, t);
    let blockers = Blockers::new(run, t);
    let meta_lines: HashSet<usize> = t.metadata.iter().map(|m| m.line).collect();
    let mut sections: Vec<ReportSection> = Vec::with_capacity(view.sections.len());
    for s in &view.sections {
        let sec = &t.sections[s.index];
        let items: Vec<ReportItem> = view
            .section_rows(s.index)
            .map(|r| {
                let it = r.index.and_then(|i| t.items.get(i));
                let mut item = item_json(view, r, &blockers);
                // Listed once, here, for every item (the flattened item leaves its copy out).
                let mut fields = std::mem::take(&mut item.fields);
                for f in &mut fields {
                    f.name = view.subst(&f.name).into_owned();
                }
                ReportItem {
                    item,
                    origin: match it.map(|i| i.origin) {
                        Some(Origin::Table) => "table",
                        Some(Origin::Line) => "line",
                        _ => "list",
                    },
                    depth: it.map_or(0, |i| i.depth),
                    fields,
                    code: it.map_or_else(Vec::new, |i| {
                        i.code_blocks()
                            .map(|c| CodeJson {
                                lang: c.lang.as_deref().map(str::to_owned),
                                text: view.subst(&c.text).into_owned(),
                            })
                            .collect()
                    }),
                    body: it.map_or_else(Vec::new, |i| blocks(view, &i.body, &HashSet::new())),
                    history: r.record.map_or_else(Vec::new, |rec| {
                        rec.history
                            .iter()
                            .map(|e| history_json(e, &blockers))
                            .collect()
                    }),
                    line: it.map(|i| i.line),
                }
            })
            .collect();
        let planned = schedule.planned(s.index);
        let parent_path = sec
            .parent
            .and_then(|p| sections.get(p))
            .map(|p: &ReportSection| p.path.clone())
            .unwrap_or_default();
        let mut path = parent_path;
        path.push(s.title.to_string());
        sections.push(ReportSection {
            title: s.title.to_string(),
            level: sec.level,
            depth: sec.depth,
            parent: sec.parent,
            path,
            planned_time: sec.planned_time.map(|p| p.to_string()),
            planned_at: planned.map(|p| time(&p.start)),
            planned_end: planned.and_then(|p| p.end).as_ref().map(time),
            slot_end: planned.map(|p| time(&p.slot_end)),
            first_change: s.first.as_ref().map(time),
            last_change: s.last.as_ref().map(time),
            duration_minutes: s.first.zip(s.last).map(|(a, b)| (b - a).num_minutes()),
            late_minutes: schedule.late_minutes(s.index, s.first),
            early_minutes: schedule.early_minutes(s.index, s.first),
            overdue: schedule.overdue(s.index, s.progress.open > 0, s.last, reference),
            failed: s.progress.failures() > 0,
            done: s.progress.done,
            closed: s.progress.closed(),
            total: s.progress.total,
            open: s.progress.open,
            body: blocks(view, &sec.body, &meta_lines),
            items,
        });
    }
    let all: Vec<ItemJson> = view
        .items()
        .iter()
        .map(|r| item_json(view, r, &blockers))
        .collect();
    let pick =
        |f: &dyn Fn(&ItemJson) -> bool| all.iter().filter(|i| f(i)).cloned().collect::<Vec<_>>();
    let mut operators: Vec<ActorJson> = Vec::new();
    let mut seen = HashSet::new();
    for ev in events {
        if seen.insert(&ev.by) {
            operators.push((&ev.by).into());
        }
    }
    let undone = undone_index(view);
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
            text: ev
                .change
                .item()
                .and_then(|id| view.row(id))
                .map(|r| r.text.to_string()),
            detail: detail(&ev.change),
            after_no_go: after_no_go(&ev.change),
            undone_by: undone.get(&ev.seq).cloned(),
        })
        .collect();
    ReportJson {
        run: run_json(view, ctx),
        window: window_json(view, &schedule, now),
        hold: hold_json(view),
        holds: holds_json(view),
        metadata: t
            .metadata
            .iter()
            .map(|m| MetaJson {
                name: m.name.clone(),
                value: view.subst_meta(m).into_owned(),
                line: m.line,
            })
            .collect(),
        operators,
        progress: progress_json(view),
        sections,
        signoffs: pick(&|i| i.kind == "signoff"),
        exceptions: pick(&|i| matches!(i.state, "skipped" | "na" | "failed" | "no-go")),
        gates: pick(&|i| i.kind == "gate"),
        orphans: view
            .orphans()
            .iter()
            .map(|r| item_json(view, r, &blockers))
            .collect(),
        commands: super::commands::rows(view),
        timeline,
        journal: JournalJson {
            seq: run.seq,
            head: run.head.clone(),
            events: events.len(),
        },
    }
}
