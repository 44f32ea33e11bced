//! One document for the Markdown and HTML reports. Everything a report says — which rows a table
//! has, how an actor or a time is written, what an item's state is called — is decided here, once;
//! `markdown.rs` and `html.rs` only format and escape it.

use super::data::{ActorJson, ItemJson};
use super::json::{BlockJson, ReportItem, ReportJson, ReportSection, TimelineJson};
use super::timeline::Timeline;
use super::{parse_time, when};
use crate::model::{Span, SpanStyle};
use chrono::{DateTime, FixedOffset, Utc};

/// Inline text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// `code`.
    Code(String),
    /// Bold.
    Strong(String),
    /// Emphasis.
    Em(String),
    /// Struck through.
    Strike(String),
    /// A link from the template: shown as its text and URL, a link only where safe (http, https,
    /// mailto) and only in Markdown.
    Link {
        /// Label.
        text: String,
        /// Target.
        url: String,
    },
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text; line breaks are kept.
    Text(String),
    /// `code`.
    Code(String),
    /// A hash (may break anywhere).
    Hash(String),
    /// A state badge: CSS class and label.
    State(&'static str, String),
    /// Bold.
    Strong(String),
    /// Styled text.
    Rich(Vec<Inline>),
}

/// A table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Cells, one per column.
    pub cells: Vec<Cell>,
    /// A class for the whole row (`undone`, `failed`), if any.
    pub class: Option<&'static str>,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// HTML id of its section (empty: none).
    pub id: &'static str,
    /// Title (a heading above it), if any.
    pub title: Option<String>,
    /// Column headers.
    pub head: Vec<String>,
    /// Rows.
    pub rows: Vec<Row>,
}

/// Part of a section's or item's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A paragraph.
    Para(Vec<Inline>),
    /// A plain bullet at a depth.
    Bullet(usize, Vec<Inline>),
    /// A code block: language and exact text.
    Code(Option<String>, String),
    /// A table.
    Table(Table),
}

/// What is said under an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// `reason: …` (line breaks kept).
    Reason(String),
    /// A note: who and when, then the text (line breaks kept).
    Note(String, String),
    /// A change that was undone, or one made after a NO-GO, in words.
    History(String),
    /// A piece of the item's body.
    Body(Body),
}

/// An item of a checklist section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// CSS class of its state (`done`, `no-go`, `prechecked` …).
    pub class: &'static str,
    /// Whether it counts as done (a ticked box in Markdown), open, or neither.
    pub mark: Mark,
    /// Its state in words (`done`, `NO-GO`, `pre-checked in the template`).
    pub state: String,
    /// Its text.
    pub text: String,
    /// Who set the state and when, in words.
    pub who: Option<String>,
    /// Set after an unresolved NO-GO or during a HOLD: what it came after.
    pub after_no_go: Option<String>,
    /// Nesting depth among items.
    pub depth: usize,
    /// What follows it.
    pub details: Vec<Detail>,
}

/// An item's checkbox in Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// `[x]`: done, signed, GO, or pre-checked.
    Done,
    /// `[ ]`.
    Open,
    /// `[-]`: skipped, n/a, failed, NO-GO.
    Other,
}

/// A part of the document, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A heading: level 1–6, text, and whether it is a failed section.
    Heading(u8, String, bool),
    /// A line of muted text (a section's planned/actual times).
    Line(String),
    /// A warning.
    Warning(String),
    /// A key/value table (the record's header, the template's metadata).
    Facts(&'static str, Vec<(String, Cell)>),
    /// A table.
    Table(Table),
    /// A section body block.
    Body(Body),
    /// Checklist items.
    Items(Vec<Item>),
    /// The timeline chart and its caption.
    Chart(String),
    /// The closing note: journal head seq, number of events, head hash, run id.
    Journal(u64, usize, String, String),
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Doc {
    /// `Run record: …`.
    pub title: String,
    /// The run's title.
    pub run_title: String,
    /// The parts, in order.
    pub parts: Vec<Part>,
    /// The schedule picture the chart draws.
    pub timeline: Timeline,
}

/// `21:04:05 +01:00 (20:04:05 UTC)` with the date.
fn at(s: &Option<String>) -> String {
    s.as_deref().map_or_else(|| "—".to_owned(), when)
}

/// `Alice (ops@bastion), 2026-11-23 21:04:05 +01:00 (20:04:05 UTC)`.
fn who_when(a: &ActorJson, t: &str) -> String {
    format!("{}, {}", a.describe(), when(t))
}

/// What the reports call a state.
pub fn state_label(state: &str) -> &'static str {
    match state {
        "open" => "open",
        "done" => "done",
        "signed" => "signed",
        "go" => "GO",
        "no-go" => "NO-GO",
        "skipped" => "skipped",
        "na" => "n/a",
        "failed" => "failed",
        _ => "other",
    }
}

/// A CSS class name for a state (`no-go` stays as is; anything odd becomes `other`).
pub fn state_class(state: &str) -> &'static str {
    match state {
        "open" => "open",
        "done" => "done",
        "skipped" => "skipped",
        "na" => "na",
        "failed" => "failed",
        "go" => "go",
        "no-go" => "no-go",
        "signed" => "signed",
        _ => "other",
    }
}

fn badge(i: &ItemJson) -> Cell {
    if i.prechecked {
        Cell::State("prechecked", "pre-checked in the template".to_owned())
    } else {
        Cell::State(state_class(i.state), state_label(i.state).to_owned())
    }
}

/// `Dana Ops, recorded by Alice (ops@bastion)`: a typed signer name beside who recorded it.
fn signer(i: &ItemJson) -> String {
    match (&i.signer, &i.actor) {
        (Some(s), Some(a)) if *s == a.name => a.describe(),
        (Some(s), Some(a)) => format!("{s}, recorded by {}", a.describe()),
        (Some(s), None) => s.clone(),
        (None, _) => String::new(),
    }
}

fn who(i: &ItemJson) -> Option<String> {
    if i.prechecked && i.actor.is_none() {
        return None;
    }
    let (a, t) = (i.actor.as_ref()?, i.at.as_deref()?);
    Some(match &i.signer {
        Some(_) => format!("{}, {}", signer(i), when(t)),
        None => who_when(a, t),
    })
}

fn inline(spans: &[Span]) -> Vec<Inline> {
    spans
        .iter()
        .map(|s| match &s.style {
            SpanStyle::Plain => Inline::Text(s.text.clone()),
            SpanStyle::Code => Inline::Code(s.text.clone()),
            SpanStyle::Strong => Inline::Strong(s.text.clone()),
            SpanStyle::Emphasis => Inline::Em(s.text.clone()),
            SpanStyle::Strike => Inline::Strike(s.text.clone()),
            SpanStyle::Link { url } => Inline::Link {
                text: s.text.clone(),
                url: url.clone(),
            },
        })
        .collect()
}

fn body(b: &BlockJson) -> Body {
    match b {
        BlockJson::Paragraph { spans } => Body::Para(inline(spans)),
        BlockJson::Bullet { spans, depth } => Body::Bullet(*depth, inline(spans)),
        BlockJson::Code { lang, text } => Body::Code(lang.clone(), text.clone()),
        BlockJson::Table { header, rows } => Body::Table(Table {
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
                    let v = r
                        .fields
                        .iter()
                        .find(|f| &f.name == c)
                        .map(|f| f.value.clone());
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
    }
}

fn hm(t: DateTime<FixedOffset>, with_date: bool) -> String {
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

fn sections(r: &ReportJson, tl: &Timeline, parts: &mut Vec<Part>) {
    parts.push(Part::Heading(2, "Sections".to_owned(), false));
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
        parts.push(Part::Heading(level.min(6), title, s.failed));
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

fn header(r: &ReportJson, parts: &mut Vec<Part>) {
    let run = &r.run;
    let w = &r.window;
    let mut f: Vec<(String, Cell)> = vec![
        ("Run".into(), Cell::Code(run.id.clone())),
        (
            "Template".into(),
            Cell::Rich(vec![
                Inline::Text(format!("{} ", run.template_title)),
                Inline::Code(run.template_path.clone()),
            ]),
        ),
        (
            "Template SHA-256".into(),
            Cell::Hash(run.base_sha256.clone()),
        ),
    ];
    if run.base_sha256 != run.template_sha256 {
        f.push((
            "Template at start".into(),
            Cell::Hash(run.template_sha256.clone()),
        ));
    }
    if let Some(d) = &run.drift_sha256 {
        f.push((
            "Template file now".into(),
            Cell::Text(format!("{d} (changed since; not re-based)")),
        ));
    }
    f.push(("Outcome".into(), Cell::Strong(run.outcome.clone())));
    if let Some(reason) = &run.finish_reason {
        f.push((
            "Exceptions accepted".into(),
            Cell::Text(match &run.accepted_exceptions {
                Some(e) => format!("{e} — {reason}"),
                None => reason.clone(),
            }),
        ));
    }
    if let Some(h) = &r.hold {
        f.push((
            "On HOLD".into(),
            Cell::Strong(format!(
                "since {} by {}: {}",
                when(&h.at),
                h.actor.describe(),
                h.reason
            )),
        ));
    }
    let start = parse_time(Some(&w.start));
    let fixed = w.zone.starts_with("UTC");
    let mut window = match start {
        Some(s) if fixed => format!("{} {}", s.format("%Y-%m-%d %H:%M"), w.zone),
        Some(s) => format!(
            "{} {} ({})",
            s.format("%Y-%m-%d %H:%M"),
            w.zone,
            s.format("%:z")
        ),
        None => w.start.clone(),
    };
    if let Some(end) = parse_time(w.end.as_deref()) {
        let same_day = start.is_some_and(|s| s.date_naive() == end.date_naive());
        let f = if same_day { "%H:%M" } else { "%Y-%m-%d %H:%M" };
        window.push_str(&format!(" – {}", end.format(f)));
    }
    f.push(("Window".into(), Cell::Text(window)));
    f.push((
        if w.guess {
            "Window source (a guess)".into()
        } else {
            "Window source".into()
        },
        if w.guess {
            Cell::Strong(w.source_text.clone())
        } else {
            Cell::Text(w.source_text.clone())
        },
    ));
    if let (Some(s), Some(local)) = (start, parse_time(Some(&run.started_at)))
        && s.offset() != local.offset()
    {
        f.push((
            "Window start, local time".into(),
            Cell::Text(format!(
                "{} (the run's local time)",
                s.with_timezone(local.offset()).format("%Y-%m-%d %H:%M %:z")
            )),
        ));
    }
    f.push((
        "Run started".into(),
        Cell::Text(format!(
            "{} by {}",
            when(&run.started_at),
            run.started_by.describe()
        )),
    ));
    f.push((
        "Run ended".into(),
        Cell::Text(match (&run.ended_at, &run.ended_by) {
            (Some(t), Some(a)) => who_when(a, t).replacen(", ", " at ", 1),
            _ => at(&run.ended_at),
        }),
    ));
    if let Some(reason) = &run.abort_reason {
        f.push(("Abort reason".into(), Cell::Text(reason.clone())));
    }
    let ops: Vec<String> = r.operators.iter().map(ActorJson::describe).collect();
    f.push(("Operators".into(), Cell::Text(ops.join(", "))));
    let p = &r.progress;
    let n = |k: &str| p.by_state.get(k).copied().unwrap_or(0);
    f.push((
        "Progress".into(),
        Cell::Text(format!(
            "{}/{} closed: {} done, {} signed, {} GO, {} skipped, {} n/a, {} failed, {} NO-GO, {} open",
            p.closed,
            p.total,
            n("done"),
            n("signed"),
            n("go"),
            n("skipped"),
            n("na"),
            n("failed"),
            n("no-go"),
            n("open")
        )),
    ));
    for (k, v) in &run.variables {
        f.push((format!("{{{{ {k} }}}}"), Cell::Text(v.clone())));
    }
    f.push((
        "Journal head".into(),
        Cell::Rich(vec![
            Inline::Text(format!("seq {} ", r.journal.seq)),
            Inline::Code(r.journal.head.clone()),
        ]),
    ));
    parts.push(Part::Facts("record", f));
    if !r.metadata.is_empty() {
        parts.push(Part::Heading(2, "From the template".to_owned(), false));
        parts.push(Part::Facts(
            "metadata",
            r.metadata
                .iter()
                .map(|m| (m.name.clone(), Cell::Text(m.value.clone())))
                .collect(),
        ));
    }
    for w in &run.warnings {
        parts.push(Part::Warning(w.clone()));
    }
}

fn table(id: &'static str, title: &str, head: &[&str], rows: Vec<Row>, parts: &mut Vec<Part>) {
    if rows.is_empty() {
        return;
    }
    parts.push(Part::Table(Table {
        id,
        title: Some(title.to_owned()),
        head: head.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    }));
}

fn row(cells: Vec<Cell>) -> Row {
    Row { cells, class: None }
}

fn decisions(r: &ReportJson, parts: &mut Vec<Part>) {
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
        "Made after a NO-GO",
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

fn planned_vs_actual(r: &ReportJson, tl: &Timeline, parts: &mut Vec<Part>) {
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

fn events(r: &ReportJson, parts: &mut Vec<Part>) {
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

/// Builds the document of a report as of `now` (the now-line and overdue marks of an active run).
pub fn build(r: &ReportJson, now: DateTime<Utc>) -> Doc {
    let tl = Timeline::from_report(r, now);
    let mut parts = Vec::new();
    header(r, &mut parts);
    if !tl.is_empty() {
        let overdue: Vec<&str> = tl
            .lanes
            .iter()
            .filter(|l| l.overdue)
            .map(|l| l.title.as_str())
            .collect();
        let failed: Vec<&str> = tl
            .lanes
            .iter()
            .filter(|l| l.failed)
            .map(|l| l.title.as_str())
            .collect();
        let mut caption = format!(
            "Times are in the window's zone, {} (UTC{}). Planned slots run to the written end or the next planned time; actual bars run from the first to the last change in the section.",
            tl.zone,
            tl.offset_label()
        );
        if tl.guess {
            caption.push_str(" The window start is a guess (see the header).");
        }
        if !failed.is_empty() {
            caption.push_str(&format!(
                " Failed (a failed item or NO-GO): {}.",
                failed.join(", ")
            ));
        }
        if !overdue.is_empty() {
            caption.push_str(&format!(" Overdue: {}.", overdue.join(", ")));
        }
        parts.push(Part::Heading(2, "Timeline chart".to_owned(), false));
        parts.push(Part::Chart(caption));
    }
    sections(r, &tl, &mut parts);
    decisions(r, &mut parts);
    planned_vs_actual(r, &tl, &mut parts);
    let orphans = r
        .orphans
        .iter()
        .map(|i| {
            row(vec![
                Cell::Text(i.text.clone()),
                Cell::Text(i.section.clone()),
                badge(i),
                Cell::Text(who(i).unwrap_or_default()),
            ])
        })
        .collect();
    table(
        "orphans",
        "Orphaned items (no longer in the template)",
        &["Item", "Old section", "State", "By, when"],
        orphans,
        &mut parts,
    );
    events(r, &mut parts);
    let ids = r
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(move |it| (s, it)))
        .map(|(s, it)| {
            row(vec![
                Cell::Text(s.path.join(" › ")),
                Cell::Text(it.item.text.clone()),
                Cell::Code(it.item.id.clone()),
            ])
        })
        .chain(r.orphans.iter().map(|i| {
            row(vec![
                Cell::Text(format!("{} (orphaned)", i.section)),
                Cell::Text(i.text.clone()),
                Cell::Code(i.id.clone()),
            ])
        }))
        .collect();
    table(
        "ids",
        "Appendix: item ids",
        &["Section", "Item", "Id"],
        ids,
        &mut parts,
    );
    parts.push(Part::Journal(
        r.journal.seq,
        r.journal.events,
        r.journal.head.clone(),
        r.run.id.clone(),
    ));
    Doc {
        title: format!("Run record: {}", r.run.title),
        run_title: r.run.title.clone(),
        parts,
        timeline: tl,
    }
}
