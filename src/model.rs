//! The loaded checklist: an immutable tree of sections and items with stable ids.
//!
//! The tree is stored flat (arena style): `Template::sections` and `Template::items` are in document
//! order and refer to their parents by index. That keeps every walk iterative (a 4,000-deep nested list
//! cannot overflow the stack) and gives the TUI its display order for free. Nested views are derived.

mod shared;
mod styled;

pub use crate::when::{ClockTime, Zone};
pub use shared::{SharedSlice, SharedStr};
pub use styled::{Align, Cell, Span, SpanRef, SpanStyle, StyleRun, spans_of};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Deepest nesting kept for items; deeper items are attached at this depth (with a warning).
pub const MAX_ITEM_DEPTH: usize = 32;

/// A stable item identifier: readable slug of the text plus a hash of section path, text and occurrence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemId(pub SharedStr);

impl ItemId {
    /// An id from its text.
    pub fn new(id: impl Into<SharedStr>) -> ItemId {
        ItemId(id.into())
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for ItemId {
    fn from(id: String) -> ItemId {
        ItemId(id.into())
    }
}

impl From<&str> for ItemId {
    fn from(id: &str) -> ItemId {
        ItemId(id.into())
    }
}

impl std::borrow::Borrow<str> for ItemId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an operator does with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// Tick it off.
    Task,
    /// Someone in a role signs it (name and time recorded).
    Signoff,
    /// A go/no-go decision point, decided GO or NO-GO with a reason.
    Gate,
}

impl ItemKind {
    /// The JSON / CLI spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Task => "task",
            ItemKind::Signoff => "signoff",
            ItemKind::Gate => "gate",
        }
    }
}

/// Where in the Markdown an item came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A list item (task list item, or a plain bullet recognised as a sign-off or gate).
    List,
    /// A row of a status table.
    Table,
    /// A heading, bold line or paragraph line (gates, sign-off lines).
    Line,
}

/// When a timed section starts, as its heading says: a wall-clock time or an offset from the
/// window start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum PlannedAt {
    /// A wall-clock time of day (`### 08:00 - Deployment Start`).
    Clock {
        /// Hour, 0..=23.
        hour: u8,
        /// Minute, 0..=59.
        minute: u8,
    },
    /// Minutes relative to the window start (`### T-60 min` is -60).
    Offset {
        /// Signed minutes from the window start.
        minutes: i32,
    },
}

/// Where a timed section's slot ends, when its heading says (`08:00 - 09:00`, `(30 min)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum PlannedEnd {
    /// The end of a range (`08:00 - 09:00`).
    Clock {
        /// Hour, 0..=23.
        hour: u8,
        /// Minute, 0..=59.
        minute: u8,
        /// The zone written with it, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zone: Option<Zone>,
    },
    /// A duration (`(30 min)`).
    Duration {
        /// Minutes.
        minutes: u32,
    },
}

/// A planned time carried by a timed section heading: when it starts, and the date, zone and end
/// the heading gives (the run's window decides whatever it leaves out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedTime {
    /// Clock time or window offset.
    #[serde(flatten)]
    pub at: PlannedAt,
    /// The date written with it (`2024-12-10 08:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// The day written with it (`Day 2 08:00`; day 1 is the window's date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u16>,
    /// The zone written with it (`08:00 UTC`, `08:00 AM UTC+7`, `08:00 CET`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<Zone>,
    /// The end written with it (`08:00 - 09:00`, `(30 min)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<PlannedEnd>,
}

impl PlannedTime {
    /// A clock time with nothing else.
    pub fn clock(hour: u8, minute: u8) -> PlannedTime {
        PlannedTime::from(PlannedAt::Clock { hour, minute })
    }

    /// A window offset with nothing else.
    pub fn offset(minutes: i32) -> PlannedTime {
        PlannedTime::from(PlannedAt::Offset { minutes })
    }

    /// Whether it is a wall-clock time.
    pub fn is_clock(&self) -> bool {
        matches!(self.at, PlannedAt::Clock { .. })
    }
}

impl From<PlannedAt> for PlannedTime {
    fn from(at: PlannedAt) -> PlannedTime {
        PlannedTime {
            at,
            date: None,
            day: None,
            zone: None,
            end: None,
        }
    }
}

/// `08:00`, `T-60m`, `T+1h30m` as `T+90m`, `Day 2 08:00`, `2024-12-10 08:00 UTC+07:00`,
/// `08:00–09:00 CET`, `T+15m (30 min)`.
impl fmt::Display for PlannedTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = self.date {
            write!(f, "{} ", d.format("%Y-%m-%d"))?;
        } else if let Some(n) = self.day {
            write!(f, "Day {n} ")?;
        }
        match self.at {
            PlannedAt::Clock { hour, minute } => write!(f, "{hour:02}:{minute:02}")?,
            PlannedAt::Offset { minutes } => {
                let sign = if minutes < 0 { '-' } else { '+' };
                write!(f, "T{sign}{}m", minutes.unsigned_abs())?;
            }
        }
        let end_zone = match self.end {
            Some(PlannedEnd::Clock { hour, minute, zone }) => {
                write!(f, "–{hour:02}:{minute:02}")?;
                zone.filter(|z| Some(*z) != self.zone)
            }
            _ => None,
        };
        if let Some(z) = self.zone {
            write!(f, " {z}")?;
        }
        if let Some(z) = end_zone {
            write!(f, " (ends {z})")?;
        }
        if let Some(PlannedEnd::Duration { minutes }) = self.end {
            write!(f, " ({minutes} min)")?;
        }
        Ok(())
    }
}

/// A fenced or indented code block: the commands an operator copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeBlock {
    /// Info string's first word (`bash`), if any.
    pub lang: Option<SharedStr>,
    /// Exact text (sanitised: no control characters other than newline and tab).
    pub text: SharedStr,
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The info string's other words (`danger`, `auto-tick`, `timeout=90s` in
    /// ```` ```bash danger timeout=90s ````), plus `confirm` when a `<!-- runsheet: confirm -->` line
    /// comes right before the block.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

/// A piece of an item's or section's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Block {
    /// A paragraph.
    Paragraph {
        /// Inline spans.
        spans: Vec<Span>,
        /// 1-based line.
        line: usize,
    },
    /// A plain (non-task) bullet, with its nesting depth below the owner (0 = first level).
    Bullet {
        /// Inline spans.
        spans: Vec<Span>,
        /// Nesting depth.
        depth: usize,
        /// 1-based line.
        line: usize,
    },
    /// A code block.
    Code(CodeBlock),
    /// A read-only table (no status column), to be shown aligned. Rows may have more cells than
    /// the header (nothing is dropped) or fewer.
    Table {
        /// Header cells.
        header: Vec<Cell>,
        /// Body rows.
        rows: Vec<Vec<Cell>>,
        /// Alignment of each header column, from the delimiter row (`:--`, `:-:`, `--:`).
        #[serde(default)]
        align: Vec<Align>,
        /// 1-based line.
        line: usize,
    },
}

/// A named value of a table row item (`Owner: IT`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Column header.
    pub name: String,
    /// Cell text (empty for a fillable cell left blank).
    pub value: String,
}

/// One thing to do, sign or decide.
///
/// Its id, text and style runs are pieces of buffers the loader shares among all the items of a
/// template ([`SharedStr`], [`SharedSlice`]: they read as `&str` and `&[StyleRun]`), so that a
/// template of many items is not many thousands of small allocations to make and free.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id.
    pub id: ItemId,
    /// Text as the operator reads it: markers removed, repaired, sanitised.
    pub text: SharedStr,
    /// How `text` is styled, as runs over it (empty when it is all plain): [`Item::spans`] gives
    /// the styled pieces.
    pub styles: SharedSlice<StyleRun>,
    /// 1-based source line.
    pub line: usize,
    /// Task, sign-off or gate.
    pub kind: ItemKind,
    /// List, table or line.
    pub origin: Origin,
    /// Pre-checked in the template (`[x]`, ✅ cell).
    pub checked: bool,
    /// The character between the brackets, when the item had a checkbox (`' '`, `'x'`, `'-'` …).
    pub marker: Option<char>,
    /// Role of a sign-off (`Tech Lead`) or of a gate with a role label.
    pub role: Option<String>,
    /// Index of the section holding the item.
    pub section: usize,
    /// Index of the parent item (nested task lists), if any.
    pub parent: Option<usize>,
    /// Nesting depth among items (0 = directly in the section).
    pub depth: usize,
    /// Text of the plain bullet(s) the item is nested under, if any (`Database › Primary`).
    pub group: Option<String>,
    /// Inside a blockquote (GFM 0.29 does not render these as tasks; we do).
    pub quoted: bool,
    /// Whether GitHub's renderer (`cmark-gfm -e tasklist`) shows this item as a checkbox: false for
    /// blockquoted tasks, `- - [ ]` lists nested on the marker's line, and `[-]`-style markers.
    pub gfm_task: bool,
    /// Paragraphs, plain bullets, code blocks and tables belonging to the item.
    pub body: Vec<Block>,
    /// Other columns of a table-row item, in column order (blank fillable cells included, with an
    /// empty value).
    pub fields: Vec<Field>,
    /// Names of the fields the operator fills in during the run: the empty (or `____`, or lone
    /// `[placeholder]`) cells of a status-table row (`runsheet field RUN ITEM COLUMN VALUE`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fillable: Vec<String>,
}

impl Item {
    /// The item's text as styled spans, in order.
    pub fn spans(&self) -> impl Iterator<Item = SpanRef<'_>> {
        spans_of(&self.text, &self.styles)
    }

    /// The name of a fillable field of the item, given any case (`last success`).
    pub fn fillable_field(&self, column: &str) -> Option<&str> {
        let column = column.trim();
        self.fillable
            .iter()
            .find(|f| f.eq_ignore_ascii_case(column))
            .map(String::as_str)
    }

    /// Code blocks in the body, in order.
    pub fn code_blocks(&self) -> impl Iterator<Item = &CodeBlock> {
        self.body.iter().filter_map(|b| match b {
            Block::Code(c) => Some(c),
            _ => None,
        })
    }

    /// Whether GitHub's renderer (`cmark-gfm -e tasklist`) shows this item as a checkbox.
    pub fn is_gfm_task(&self) -> bool {
        self.gfm_task
    }
}

/// A heading and what is under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Heading text (sanitised, repaired).
    pub title: String,
    /// Heading level 1..=6; 0 for the implicit section of a file with items before any heading.
    pub level: u8,
    /// 1-based line of the heading (1 for the implicit section).
    pub line: usize,
    /// Planned time of a timed section.
    pub planned_time: Option<PlannedTime>,
    /// Parent section index.
    pub parent: Option<usize>,
    /// Nesting depth among sections (0 = top).
    pub depth: usize,
    /// Paragraphs, bullets, code and tables before the first item.
    pub body: Vec<Block>,
}

/// A `{{ NAME }}` or bracket placeholder found in the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    /// Name (`VERSION`, `env.VERSION`; for a placeholder its label, `Deployment Lead`).
    pub name: String,
    /// 1-based line of the first occurrence.
    pub line: usize,
    /// `mustache` for `{{ NAME }}`, `placeholder` for `[Name]` after a label.
    pub kind: VariableKind,
    /// For placeholders, the label it follows (`Deployment Lead`).
    pub label: Option<String>,
    /// For placeholders, the text between the brackets (`Name`): what the author asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
}

/// How a variable was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VariableKind {
    /// `{{ NAME }}`: substituted by a run.
    Mustache,
    /// `[Name]` after a label (`**Deployment Lead:** [Name]`): named by the label, set by a run like
    /// a `{{ NAME }}` variable.
    Placeholder,
}

/// Something the loader read but wants the author to know about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// 1-based line.
    pub line: usize,
    /// What and what to do.
    pub message: String,
}

/// Counts shown by `validate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Sections (including the implicit one).
    pub sections: usize,
    /// Items of every kind.
    pub items: usize,
    /// Items pre-checked in the template.
    pub checked: usize,
    /// Sign-off items.
    pub signoffs: usize,
    /// Gate items.
    pub gates: usize,
    /// Code blocks attached to items.
    pub code_blocks: usize,
    /// Items from status-table rows.
    pub table_items: usize,
    /// Sections with a planned time.
    pub timed_sections: usize,
    /// Mojibake sequences repaired.
    pub repairs: usize,
}

/// A metadata entry of a template: a front matter key, or a `**Key:** value` / `Key: value` line
/// between the title and the first item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaField {
    /// Key, without markup (`Deployment Date`).
    pub name: String,
    /// Value as written (sanitised).
    pub value: String,
    /// 1-based line.
    pub line: usize,
}

/// The window a template's metadata gives: front matter `window:` / `date:` / `timezone:`, or
/// lines like `**Deployment Date:** December 10, 2024` and `**Deployment Time:** 08:00 AM UTC+7`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateWindow {
    /// Date, when given.
    pub date: Option<NaiveDate>,
    /// Start time, when given.
    pub time: Option<ClockTime>,
    /// Zone, when given.
    pub zone: Option<Zone>,
    /// End (`22:00-02:00`, `for 4h`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<PlannedEnd>,
    /// 1-based line of the first metadata entry it was read from.
    pub source_line: usize,
    /// The entries it was read from, as written (`Deployment Date: December 10, 2024`).
    pub source: Vec<String>,
}

/// A loaded checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Title from front matter, the first level-1 heading, or the file name.
    pub title: String,
    /// Front matter keys and values (scalars; nested values as their TOML/YAML text), then the
    /// `Key: value` lines between the title and the first item.
    pub metadata: Vec<MetaField>,
    /// The window the metadata gives, if it gives one.
    #[serde(default)]
    pub window: Option<TemplateWindow>,
    /// Sections in document order.
    pub sections: Vec<Section>,
    /// Items in document order.
    pub items: Vec<Item>,
    /// Declared variables.
    pub variables: Vec<Variable>,
    /// Warnings with line numbers.
    pub warnings: Vec<Warning>,
    /// Mojibake sequences repaired.
    pub repairs: usize,
}

impl Template {
    /// Counts of what the template holds.
    pub fn stats(&self) -> Stats {
        let mut s = Stats {
            sections: self.sections.len(),
            items: self.items.len(),
            timed_sections: self
                .sections
                .iter()
                .filter(|s| s.planned_time.is_some())
                .count(),
            repairs: self.repairs,
            ..Stats::default()
        };
        for item in &self.items {
            s.checked += usize::from(item.checked);
            s.signoffs += usize::from(item.kind == ItemKind::Signoff);
            s.gates += usize::from(item.kind == ItemKind::Gate);
            s.table_items += usize::from(item.origin == Origin::Table);
            s.code_blocks += item.code_blocks().count();
        }
        s
    }

    /// Finds an item by id.
    pub fn item(&self, id: &ItemId) -> Option<&Item> {
        self.items.iter().find(|i| &i.id == id)
    }

    /// The titles from the top section down to `section`.
    pub fn section_path(&self, section: usize) -> Vec<&str> {
        let mut path = Vec::new();
        let mut cur = Some(section);
        while let Some(i) = cur {
            let Some(s) = self.sections.get(i) else { break };
            path.push(s.title.as_str());
            cur = s.parent;
        }
        path.reverse();
        path
    }

    /// A front matter value by key (case-insensitive), trimmed.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|f| f.name.trim().eq_ignore_ascii_case(key))
            .map(|f| f.value.trim())
    }

    /// Variables the front matter declares secret (`secrets: TOKEN, DB_PASSWORD`, a YAML list or a
    /// TOML array): their values are given to commands but never recorded.
    pub fn secret_variables(&self) -> Vec<&str> {
        self.meta("secrets")
            .map(|v| {
                v.split(|c: char| c == ',' || c.is_whitespace() || matches!(c, '[' | ']'))
                    .map(|s| s.trim_matches(|c| c == '"' || c == '\''))
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Names of the `{{ NAME }}` variables.
    pub fn mustache_variables(&self) -> impl Iterator<Item = &str> {
        self.variables
            .iter()
            .filter(|v| v.kind == VariableKind::Mustache)
            .map(|v| v.name.as_str())
    }

    /// Names of every variable a run fills (`{{ NAME }}` ones and bracket placeholders named by
    /// their label), each once, in the order they were found.
    pub fn settable_variables(&self) -> impl Iterator<Item = &str> {
        let mut seen = std::collections::HashSet::new();
        self.variables
            .iter()
            .map(|v| v.name.as_str())
            .filter(move |name| seen.insert(*name))
    }
}
