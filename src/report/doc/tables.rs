//! The record's tables: sign-offs, gate decisions, holds, changes after a NO-GO, exceptions,
//! planned vs actual, the event log (undone events marked).

use super::sections::hm;
use super::{Cell, Part, Row, Table};
use super::{at, badge, signer, when, who};
use crate::report::data::ActorJson;
use crate::report::json::{ReportJson, TimelineJson};
use crate::report::parse_time;
use crate::report::timeline::Timeline;
use chrono::Utc;

pub(super) fn table(
    id: &'static str,
    title: &str,
    head: &[&str],
    rows: Vec<Row>,
    parts: &mut Vec<Part>,
) {
    if rows.is_empty() {
        return;
    }
    parts.push(Part::Table(Table {
        id,
        title: Some(title.to_owned()),
        head: head.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        align: Vec::new(),
    }));
}

pub(super) fn row(cells: Vec<Cell>) -> Row {
    Row { cells, class: None }
}

pub(super) fn decisions(r: &ReportJson, parts: &mut Vec<Part>) {
    let signoffs = r
        .signoffs
        .iter()
        .map(|i| {
            row(vec![
                Cell::Text(i.role.clone().unwrap_or_default()),
                Cell::Text(i.text.clone()),
                Cell::Text(signer(i)),
                badge(i),
                Cell::Text(i.at.as_deref().map(when).unwrap_or_default()),
            ])
        })
        .collect();
    table(
        "signoffs",
        "Sign-offs",
        &["Role", "Item", "Signed by", "State", "When (local, UTC)"],
        signoffs,
        parts,
    );
    let gates = r
        .gates
        .iter()
        .map(|i| {
            row(vec![
                Cell::Text(i.text.clone()),
                badge(i),
                Cell::Text(i.reason.clone().unwrap_or_default()),
                Cell::Text(
                    i.actor
                        .as_ref()
                        .map(ActorJson::describe)
                        .unwrap_or_default(),
                ),
                Cell::Text(i.at.as_deref().map(when).unwrap_or_default()),
                Cell::Text(i.after_no_go.clone().unwrap_or_default()),
            ])
        })
        .collect();
    table(
        "gates",
        "Gate decisions",
        &["Gate", "Decision", "Reason", "By", "When", "After NO-GO"],
        gates,
        parts,
    );
    let holds = r
        .holds
        .iter()
        .map(|h| Row {
            cells: vec![
                Cell::State(
                    if h.kind == "hold" { "no-go" } else { "go" },
                    if h.kind == "hold" { "HOLD" } else { "resume" }.to_owned(),
                ),
                Cell::Text(h.reason.clone()),
                Cell::Text(h.gate_text.clone().unwrap_or_default()),
                Cell::Text(h.actor.describe()),
                Cell::Text(when(&h.at)),
                Cell::Text(
                    h.undone_by
                        .as_ref()
                        .map(|u| format!("undone by {} at {}", u.actor.describe(), when(&u.at)))
                        .unwrap_or_default(),
                ),
            ],
            class: h.undone_by.as_ref().map(|_| "undone"),
        })
        .collect();
    table(
        "holds",
        "Holds",
        &[
            "Event",
            "Reason",
            "After the NO-GO on",
            "By",
            "When",
            "Undone",
        ],
        holds,
        parts,
    );
    let after: Vec<Row> = r
        .sections
        .iter()
        .flat_map(|s| s.items.iter())
        .filter_map(|it| {
            let a = it.item.after_no_go.as_ref()?;
            Some(row(vec![
                Cell::Text(it.item.text.clone()),
                badge(&it.item),
                Cell::Strong(a.clone()),
                Cell::Text(who(&it.item).unwrap_or_default()),
            ]))
        })
        .collect();
    table(
        "after-no-go",
        "Made after a NO-GO or during a HOLD",
        &["Item", "State", "After", "By, when"],
        after,
        parts,
    );
    let exceptions = r
        .exceptions
        .iter()
        .map(|i| {
            row(vec![
                Cell::Text(i.text.clone()),
                badge(i),
                Cell::Text(i.reason.clone().unwrap_or_default()),
                Cell::Text(
                    i.actor
                        .as_ref()
                        .map(ActorJson::describe)
                        .unwrap_or_default(),
                ),
                Cell::Text(i.at.as_deref().map(when).unwrap_or_default()),
            ])
        })
        .collect();
    table(
        "exceptions",
        "Skipped, n/a, failed and NO-GO",
        &["Item", "State", "Reason", "By", "When"],
        exceptions,
        parts,
    );
}

pub(super) fn planned_vs_actual(r: &ReportJson, tl: &Timeline, parts: &mut Vec<Part>) {
    let days = tl.spans_days();
    let rows = tl
        .lanes
        .iter()
        .filter(|l| l.planned.is_some())
        .filter_map(|l| {
            let s = r.sections.get(l.section)?;
            let status = if l.failed {
                Cell::State("failed", "failed".to_owned())
            } else if l.overdue && tl.guess {
                Cell::State("failed", "overdue (guessed window)".to_owned())
            } else if l.overdue {
                Cell::State("failed", "overdue".to_owned())
            } else if l.complete() {
                Cell::Text("on time".to_owned())
            } else if tl.reference < tl.window_start {
                Cell::Text("window not started".to_owned())
            } else {
                Cell::Text("open".to_owned())
            };
            let late = match (s.late_minutes, s.early_minutes) {
                (Some(m), _) => format!("{m} min late"),
                (None, Some(m)) => format!("{m} min early"),
                (None, None) if s.first_change.is_some() => "on time".to_owned(),
                _ => String::new(),
            };
            Some(row(vec![
                Cell::Text(s.title.clone()),
                Cell::Text(
                    l.planned
                        .map(|p| {
                            format!(
                                "{}–{}",
                                hm(p.start, days),
                                hm(p.end, days && p.end.date_naive() != p.start.date_naive())
                            )
                        })
                        .unwrap_or_default(),
                ),
                Cell::Text(at(&s.first_change)),
                Cell::Text(late),
                Cell::Text(
                    s.duration_minutes
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                ),
                status,
            ]))
        })
        .collect();
    table(
        "planned-vs-actual",
        "Planned vs actual",
        &[
            "Section",
            "Planned slot",
            "Started",
            "Start",
            "Duration (min)",
            "Status",
        ],
        rows,
        parts,
    );
}

fn event_cell(t: &TimelineJson) -> Cell {
    let mut s = t.kind.to_owned();
    if t.after_no_go {
        s.push_str(" (after NO-GO)");
    }
    if let Some(u) = &t.undone_by {
        s.push_str(&format!(
            " — undone by {} at {} (seq {})",
            u.actor.describe(),
            when(&u.at),
            u.seq
        ));
    }
    Cell::Text(s)
}

pub(super) fn events(r: &ReportJson, parts: &mut Vec<Part>) {
    let rows = r
        .timeline
        .iter()
        .map(|t| {
            let local = parse_time(Some(&t.at)).map_or_else(
                || t.at.clone(),
                |d| d.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
            );
            let utc = parse_time(Some(&t.at_utc)).map_or_else(
                || t.at_utc.clone(),
                |d| d.with_timezone(&Utc).format("%H:%M:%S").to_string(),
            );
            Row {
                cells: vec![
                    Cell::Text(t.seq.to_string()),
                    Cell::Text(local),
                    Cell::Text(utc),
                    Cell::Text(t.actor.describe()),
                    event_cell(t),
                    Cell::Text(t.text.clone().unwrap_or_default()),
                    Cell::Text(t.detail.clone().unwrap_or_default()),
                ],
                class: t.undone_by.as_ref().map(|_| "undone"),
            }
        })
        .collect();
    table(
        "events",
        "Event log",
        &["Seq", "Local", "UTC", "By", "Event", "Item", "Detail"],
        rows,
        parts,
    );
}
