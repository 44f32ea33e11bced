//! A run reconciled with a template: rows in template order, progress, per-section times, orphans.
//!
//! Items the run has progress on but the template lacks are orphans: listed, never dropped.

use super::Run;
use super::event::OrphanInfo;
use super::outcome::Counts;
use super::state::{FieldEntry, ItemRecord, ItemState, StateEntry};
use super::vars::substitute;
use crate::model::{ItemId, ItemKind, Template};
use chrono::{DateTime, FixedOffset};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// One item as the run sees it now.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    /// Index into `template.items`, or `None` for an orphan.
    pub index: Option<usize>,
    /// Stable id.
    pub id: &'a ItemId,
    /// Text with variables substituted.
    pub text: Cow<'a, str>,
    /// Section index (template), if not orphaned.
    pub section: Option<usize>,
    /// Section title (variables substituted).
    pub section_title: Cow<'a, str>,
    /// Kind (orphans: task).
    pub kind: ItemKind,
    /// Current state.
    pub state: ItemState,
    /// The change that set it (`None` when open from the start or pre-checked in the template).
    pub entry: Option<&'a StateEntry>,
    /// Everything recorded for the item.
    pub record: Option<&'a ItemRecord>,
    /// Done because the template had it checked (`[x]`), with no change since.
    pub prechecked: bool,
}

/// A field of a table-row item as the run has it: the template's cell, or what an operator
/// filled in (for a blank cell).
#[derive(Debug, Clone)]
pub struct FieldValue<'a> {
    /// Column header.
    pub name: &'a str,
    /// The value: the filled-in one when there is one, else the template's (empty for a blank
    /// cell not filled yet).
    pub value: Cow<'a, str>,
    /// A blank cell the operator fills in.
    pub fillable: bool,
    /// Who filled it in, and when.
    pub filled: Option<&'a FieldEntry>,
}

/// A section's progress and first/last change.
#[derive(Debug, Clone)]
pub struct SectionRow<'a> {
    /// Index into `template.sections`.
    pub index: usize,
    /// Title (variables substituted).
    pub title: Cow<'a, str>,
    /// Counts of the items directly in it.
    pub progress: Counts,
    /// First change to one of its items.
    pub first: Option<DateTime<FixedOffset>>,
    /// Last change to one of its items.
    pub last: Option<DateTime<FixedOffset>>,
}

/// The run reconciled with the template it follows.
#[derive(Debug, Clone)]
pub struct RunView<'a> {
    /// The run.
    pub run: &'a Run,
    /// The template.
    pub template: &'a Template,
    /// Template items in order, then orphans.
    pub rows: Vec<Row<'a>>,
    /// Number of leading rows that are template items (the rest are orphans).
    pub template_rows: usize,
    /// Sections in template order.
    pub sections: Vec<SectionRow<'a>>,
    /// Counts over template items (orphans excluded).
    pub progress: Counts,
    /// Variable values.
    pub vars: BTreeMap<&'a str, &'a str>,
    /// Row indexes of the items directly in each section, in order.
    by_section: Vec<Vec<usize>>,
    /// Row index by item id.
    by_id: HashMap<&'a ItemId, usize>,
}

/// Current state of a template item in a run.
pub fn item_state<'a>(
    run: &'a Run,
    template: &Template,
    index: usize,
) -> (ItemState, Option<&'a StateEntry>, bool) {
    let Some(item) = template.items.get(index) else {
        return (ItemState::Open, None, false);
    };
    match run.items.get(&item.id).and_then(ItemRecord::current) {
        Some(e) => (e.state, Some(e), false),
        None if item.checked && run.items.get(&item.id).is_none_or(|r| r.history.is_empty()) => {
            (ItemState::Done, None, true)
        }
        None => (ItemState::Open, None, false),
    }
}

impl<'a> RunView<'a> {
    /// Reconciles `run` with `template`.
    pub fn new(run: &'a Run, template: &'a Template) -> RunView<'a> {
        let vars = run.var_values();
        let mut sections: Vec<SectionRow<'a>> = template
            .sections
            .iter()
            .enumerate()
            .map(|(index, s)| SectionRow {
                index,
                title: substitute(&s.title, &vars),
                progress: Counts::default(),
                first: None,
                last: None,
            })
            .collect();
        let mut rows = Vec::with_capacity(template.items.len());
        let mut progress = Counts::default();
        let mut by_section: Vec<Vec<usize>> = vec![Vec::new(); template.sections.len()];
        let mut by_id: HashMap<&'a ItemId, usize> = HashMap::with_capacity(template.items.len());
        for (index, item) in template.items.iter().enumerate() {
            let (state, entry, prechecked) = item_state(run, template, index);
            let record = run.items.get(&item.id);
            progress.add(state);
            by_id.insert(&item.id, rows.len());
            if let Some(v) = by_section.get_mut(item.section) {
                v.push(rows.len());
            }
            let section_title = match sections.get_mut(item.section) {
                Some(sec) => {
                    sec.progress.add(state);
                    if let Some((a, b)) = record.and_then(ItemRecord::span) {
                        sec.first = Some(sec.first.map_or(a, |f| f.min(a)));
                        sec.last = Some(sec.last.map_or(b, |l| l.max(b)));
                    }
                    sec.title.clone()
                }
                None => Cow::Borrowed(""),
            };
            rows.push(Row {
                index: Some(index),
                id: &item.id,
                text: substitute(&item.text, &vars),
                section: Some(item.section),
                section_title,
                kind: item.kind,
                state,
                entry,
                record,
                prechecked,
            });
        }
        let template_rows = rows.len();
        for (id, record) in &run.items {
            if by_id.contains_key(id) {
                continue;
            }
            by_id.insert(id, rows.len());
            let info: Option<&OrphanInfo> = run.orphans.get(id);
            let entry = record.current();
            rows.push(Row {
                index: None,
                id,
                text: Cow::Borrowed(info.map_or("(item not in the template)", |o| o.text.as_str())),
                section: None,
                section_title: Cow::Borrowed(info.map_or("", |o| o.section.as_str())),
                kind: ItemKind::Task,
                state: entry.map_or(ItemState::Open, |e| e.state),
                entry,
                record: Some(record),
                prechecked: false,
            });
        }
        RunView {
            run,
            template,
            rows,
            template_rows,
            sections,
            progress,
            vars,
            by_section,
            by_id,
        }
    }

    /// The template rows directly in a section, in order.
    pub fn section_rows(&self, section: usize) -> impl Iterator<Item = &Row<'a>> {
        self.by_section
            .get(section)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&i| self.rows.get(i))
    }

    /// The row of an item (template item or orphan) by id.
    pub fn row(&self, id: &ItemId) -> Option<&Row<'a>> {
        self.by_id.get(id).and_then(|&i| self.rows.get(i))
    }

    /// Template rows.
    pub fn items(&self) -> &[Row<'a>] {
        &self.rows[..self.template_rows]
    }

    /// Orphan rows.
    pub fn orphans(&self) -> &[Row<'a>] {
        &self.rows[self.template_rows..]
    }

    /// The first open template item.
    pub fn next_open(&self) -> Option<&Row<'a>> {
        self.items().iter().find(|r| r.state == ItemState::Open)
    }

    /// `active`, `on hold`, `completed`, `completed with exceptions: 1 failed, 2 skipped`, or
    /// `aborted: <reason>` ([`super::outcome::outcome`]).
    pub fn outcome(&self) -> String {
        super::outcome::outcome(self.run, &self.progress)
    }

    /// The fields of a template row in column order, with the values filled in during the run.
    pub fn fields(&self, row: &Row<'a>) -> Vec<FieldValue<'a>> {
        let Some(item) = row.index.and_then(|i| self.template.items.get(i)) else {
            return Vec::new();
        };
        item.fields
            .iter()
            .map(|f| {
                let fillable = item.fillable.iter().any(|c| c == &f.name);
                let filled = row
                    .record
                    .filter(|_| fillable)
                    .and_then(|r| r.field(&f.name));
                FieldValue {
                    name: &f.name,
                    value: match filled {
                        Some(e) => Cow::Borrowed(e.value.as_str()),
                        None => substitute(&f.value, &self.vars),
                    },
                    fillable,
                    filled,
                }
            })
            .collect()
    }

    /// Substitutes the run's variables in any template text (code blocks, titles).
    pub fn subst<'t>(&self, text: &'t str) -> Cow<'t, str> {
        substitute(text, &self.vars)
    }

    /// A span's text in this run: a placeholder's value once set, `{{ NAME }}` substituted.
    pub fn subst_span<'t>(&self, span: crate::model::SpanRef<'t>) -> Cow<'t, str> {
        super::vars::span_text(span.text, span.style, &self.vars)
    }

    /// A metadata entry's value in this run (its placeholders and `{{ NAME }}` substituted).
    pub fn subst_meta<'t>(&self, field: &'t crate::model::MetaField) -> Cow<'t, str> {
        super::vars::meta_text(self.template, field, &self.vars)
    }

    /// A table cell's text in this run.
    pub fn subst_cell<'t>(&self, cell: &'t crate::model::Cell) -> Cow<'t, str> {
        super::vars::cell_text(cell, &self.vars)
    }
}
