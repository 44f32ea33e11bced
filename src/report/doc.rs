//! One document for the Markdown and HTML reports. Everything a report says — which rows a table
//! has, how an actor or a time is written, what an item's state is called — is decided here, once;
//! `markdown.rs` and `html.rs` only format and escape it.

use super::data::{ActorJson, ItemJson};
use super::json::ReportJson;
use super::timeline::Timeline;
use super::when;
use chrono::{DateTime, Utc};

mod commands;
mod header;
mod sections;
mod tables;

use tables::{decisions, events, planned_vs_actual, row, table};

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
    /// A hard line break of the template's text.
    Break,
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
    /// How each column is aligned, for a table from the template (shown lined up, as its
    /// delimiter row says); empty for the record's own tables.
    pub align: Vec<crate::model::Align>,
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

/// A heading of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// Level 2–6 (the document's title is level 1).
    pub level: u8,
    /// Text.
    pub text: String,
    /// A section holding a failed item or a NO-GO.
    pub failed: bool,
    /// For a level-2 heading, the part of the record it opens (`metadata` stays in the header;
    /// `timeline-section`, `sections`): an HTML id.
    pub part: Option<&'static str>,
}

impl Heading {
    /// A level-2 heading opening a part of the record.
    pub fn part(text: &str, part: &'static str) -> Part {
        Part::Heading(Heading {
            level: 2,
            text: text.to_owned(),
            failed: false,
            part: Some(part),
        })
    }
}

/// A part of the document, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A heading.
    Heading(Heading),
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
    /// Commands run from the checklist.
    Commands(Commands),
    /// The closing note: journal head seq, number of events, head hash, run id.
    Journal(u64, usize, String, String),
}

/// The commands run from the checklist: a summary table, then each command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commands {
    /// The part's title (a level-2 heading).
    pub title: String,
    /// One row per command (no title of its own).
    pub table: Table,
    /// Each command, in the order they started.
    pub runs: Vec<CommandRun>,
}

/// One command run: a level-3 heading, what ran and how (shell, directory, the exact text, the
/// output's last lines), and the whole output where the report embeds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRun {
    /// `seq 5: Health check passes — exit 0`.
    pub heading: Heading,
    /// Paragraphs and code blocks, in order.
    pub body: Vec<Body>,
    /// The whole output (label, text), shown collapsed in HTML.
    pub full: Option<(String, String)>,
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

/// Builds the document of a report as of `now` (the now-line and overdue marks of an active run).
pub fn build(r: &ReportJson, now: DateTime<Utc>) -> Doc {
    let tl = Timeline::from_report(r, now);
    let mut parts = Vec::new();
    header::header(r, &mut parts);
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
        parts.push(Heading::part(
            "Timeline: planned vs actual",
            "timeline-section",
        ));
        parts.push(Part::Chart(caption));
    }
    sections::sections(r, &tl, &mut parts);
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
    commands::commands(r, &mut parts);
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
