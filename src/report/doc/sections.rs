//! The sections of the record: headings at real levels, slot lines, bodies, items and item tables.

use super::{Body, Cell, Detail, Heading, Inline, Item, Mark, Part, Row, Table};
use super::{badge, state_class, state_label, who, who_when};
use crate::model::{Span, SpanStyle};
use crate::report::json::{BlockJson, ReportItem, ReportJson, ReportSection};
use crate::report::timeline::Timeline;
use crate::report::{parse_time, when};
use chrono::{DateTime, FixedOffset};

fn inline(spans: &[Span]) -> Vec<Inline> {
    spans
        .iter()
        .map(|s| match &s.style {
            // A placeholder's text is already the value the run set, if it set one.
            SpanStyle::Plain | SpanStyle::Placeholder { .. } => Inline::Text(s.text.to_string()),
            SpanStyle::Break => Inline::Break,
            SpanStyle::Code => Inline::Code(s.text.to_string()),
            SpanStyle::Strong => Inline::Strong(s.text.to_string()),
            SpanStyle::Emphasis => Inline::Em(s.text.to_string()),
            SpanStyle::Strike => Inline::Strike(s.text.to_string()),
            SpanStyle::Link { url } => Inline::Link {
                text: s.text.to_string(),
                url: url.clone(),
            },
        })
        .collect()
}

pub(super) fn body(b: &BlockJson) -> Body {
    match b {
        BlockJson::Paragraph { spans } => Body::Para(inline(spans)),
        BlockJson::Bullet { spans, depth } => Body::Bullet(*depth, inline(spans)),
        BlockJson::Code { lang, text } => Body::Code(lang.clone(), text.clone()),
        BlockJson::Table {
            header,
            rows,
            align,
        } => Body::Table(Table {
            id: "",
            title: None,
            head: header.clone(),
            rows: rows
                .iter()
                .map(|r| Row {
                    cells: (0..header.len().max(r.len()))
                        .map(|c| Cell::Text(r.get(c).cloned().unwrap_or_default()))
                        .collect(),
                    class: None,
                })
                .collect(),
            align: align.clone(),
        }),
    }
}

fn item(it: &ReportItem) -> Item {
    let i = &it.item;
    let mut details = Vec::new();
    if let Some(r) = &i.reason {
        details.push(Detail::Reason(r.clone()));
    }
    for n in &i.notes {
        details.push(Detail::Note(who_when(&n.actor, &n.at), n.text.clone()));
    }
    for h in it.history.iter().filter(|h| h.undone_by.is_some()) {
        if let Some(u) = &h.undone_by {
            details.push(Detail::History(format!(
                "{} by {} at {} — undone by {} at {}",
                state_label(h.state),
                h.actor.describe(),
                when(&h.at),
                u.actor.describe(),
                when(&u.at)
            )));
        }
    }
    for b in &it.body {
        details.push(Detail::Body(body(b)));
    }
    let mark = match i.state {
        "done" | "signed" | "go" => Mark::Done,
        "open" => Mark::Open,
        _ => Mark::Other,
    };
    Item {
        class: if i.prechecked {
            "prechecked"
        } else {
            state_class(i.state)
        },
        mark,
        state: if i.prechecked {
            "pre-checked in the template".to_owned()
        } else if i.verified_by_command {
            format!("{}, verified by command", state_label(i.state))
        } else {
            state_label(i.state).to_owned()
        },
        text: i.text.clone(),
        who: who(i),
        after_no_go: i.after_no_go.clone(),
        depth: it.depth,
        details,
    }
}

/// Consecutive rows of one status table as a table: every column, the status, who and when.
fn item_table(rows: &[&ReportItem]) -> Table {
    let mut columns: Vec<String> = Vec::new();
    for r in rows {
        for f in &r.fields {
            if !columns.contains(&f.name) {
                columns.push(f.name.clone());
            }
        }
    }
    let mut head = vec!["Item".to_owned()];
    head.extend(columns.iter().cloned());
    head.extend(["Status".to_owned(), "By, when".to_owned()]);
    Table {
        id: "",
        title: None,
        head,
        rows: rows
            .iter()
            .map(|r| {
                let i = &r.item;
                let mut cells = vec![Cell::Text(i.text.clone())];
                for c in &columns {
                    let v = r.fields.iter().find(|f| &f.name == c).map(|f| match &f.by {
                        // A blank cell filled in during the run: the value and who wrote it.
                        Some(by) => format!("{} ({by})", f.value),
                        None => f.value.clone(),
                    });
                    cells.push(Cell::Text(v.unwrap_or_default()));
                }
                cells.push(badge(i));
                let mut w = who(i).unwrap_or_default();
                if let Some(reason) = &i.reason {
                    w = if w.is_empty() {
                        reason.clone()
                    } else {
                        format!("{w}: {reason}")
                    };
                }
                cells.push(Cell::Text(w));
                Row { cells, class: None }
            })
            .collect(),
        align: Vec::new(),
    }
}

pub(super) fn hm(t: DateTime<FixedOffset>, with_date: bool) -> String {
    if with_date {
        t.format("%Y-%m-%d %H:%M").to_string()
    } else {
        t.format("%H:%M").to_string()
    }
}

/// `Planned 22:00–22:30 (T-30m) · started 22:05, 5 min late · last change 22:20 (15 min) · overdue`.
fn slot_line(s: &ReportSection, tl: &Timeline) -> Option<String> {
    let planned = parse_time(s.planned_at.as_deref());
    if planned.is_none() && s.first_change.is_none() {
        return None;
    }
    let days = tl.spans_days();
    let local = |t: DateTime<FixedOffset>| t.with_timezone(tl.window_start.offset());
    let mut parts = Vec::new();
    if let Some(p) = planned {
        let end = parse_time(s.slot_end.as_deref()).map(local);
        parts.push(format!(
            "planned {}{}{}",
            hm(local(p), days),
            end.map(|e| format!("–{}", hm(e, days && e.date_naive() != p.date_naive())))
                .unwrap_or_default(),
            s.planned_time
                .as_deref()
                .filter(|w| !w.starts_with(&hm(local(p), false)))
                .map(|w| format!(" (written {w})"))
                .unwrap_or_default()
        ));
    }
    match parse_time(s.first_change.as_deref()) {
        Some(f) => {
            let mut t = format!("started {}", hm(local(f), days));
            if let Some(m) = s.late_minutes {
                t.push_str(&format!(", {m} min late"));
            } else if let Some(m) = s.early_minutes {
                t.push_str(&format!(", {m} min early"));
            } else if planned.is_some() {
                t.push_str(", on time");
            }
            parts.push(t);
            if let Some(l) = parse_time(s.last_change.as_deref()) {
                parts.push(format!(
                    "last change {}{}",
                    hm(local(l), days),
                    s.duration_minutes
                        .map(|m| format!(" ({m} min)"))
                        .unwrap_or_default()
                ));
            }
        }
        None if planned.is_some() => parts.push("not started".to_owned()),
        None => {}
    }
    if s.overdue {
        parts.push(if tl.guess {
            "overdue (against a guessed window)".to_owned()
        } else {
            "overdue".to_owned()
        });
    }
    let mut line = parts.join(" · ");
    if let Some(first) = line.get(..1) {
        line = first.to_uppercase() + &line[1..];
    }
    Some(line)
}

/// Whether each section, or a section below it, has something to show (items, body, a time).
fn shown(sections: &[ReportSection]) -> Vec<bool> {
    let mut show: Vec<bool> = sections
        .iter()
        .map(|s| s.total > 0 || !s.body.is_empty() || s.planned_at.is_some())
        .collect();
    for i in (0..sections.len()).rev() {
        if show[i]
            && let Some(p) = sections[i].parent
            && let Some(x) = show.get_mut(p)
        {
            *x = true;
        }
    }
    show
}

pub(super) fn sections(r: &ReportJson, tl: &Timeline, parts: &mut Vec<Part>) {
    parts.push(Heading::part("Sections", "sections"));
    let show = shown(&r.sections);
    for (i, s) in r.sections.iter().enumerate() {
        if !show.get(i).copied().unwrap_or(false) {
            continue;
        }
        // Real heading levels below the report's own (h3 for top sections); deeper than h6, the
        // path is written out.
        let level = u8::try_from(s.depth.min(3)).unwrap_or(3) + 3;
        let mut title = if s.depth > 3 {
            s.path.join(" › ")
        } else {
            s.title.clone()
        };
        if s.total > 0 {
            title.push_str(&format!(" — {}/{} closed", s.closed, s.total));
        }
        if s.failed {
            title.push_str(" ✗ failed");
        }
        parts.push(Part::Heading(Heading {
            level: level.min(6),
            text: title,
            failed: s.failed,
            part: None,
        }));
        if let Some(line) = slot_line(s, tl) {
            parts.push(Part::Line(line));
        }
        for b in &s.body {
            parts.push(Part::Body(body(b)));
        }
        let mut list: Vec<Item> = Vec::new();
        let mut k = 0;
        while k < s.items.len() {
            if s.items[k].origin == "table" {
                let mut run = vec![&s.items[k]];
                while k + 1 < s.items.len()
                    && s.items[k + 1].origin == "table"
                    && s.items[k + 1]
                        .line
                        .zip(s.items[k].line)
                        .is_some_and(|(b, a)| b == a + 1)
                {
                    k += 1;
                    run.push(&s.items[k]);
                }
                if !list.is_empty() {
                    parts.push(Part::Items(std::mem::take(&mut list)));
                }
                parts.push(Part::Table(item_table(&run)));
            } else {
                list.push(item(&s.items[k]));
            }
            k += 1;
        }
        if !list.is_empty() {
            parts.push(Part::Items(list));
        }
    }
}
