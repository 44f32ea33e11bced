//! What the checklist pane shows: every section and item in document order, the rows left visible by
//! folding, and a per-item state cache so moving and drawing never walk the whole run.

use crate::model::{ItemId, Template};
use crate::run::Run;
use crate::run::state::ItemState;
use crate::run::view::item_state;
use std::collections::HashMap;

/// One line of the checklist pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A section heading (index into `template.sections`).
    Section(usize),
    /// An item (index into `template.items`).
    Item(usize),
}

/// Counts over a set of items (the run's own: failed and NO-GO kept apart).
pub use crate::run::outcome::Counts;

/// States and counts of a run against its template, kept current event by event.
#[derive(Debug, Clone, Default)]
pub struct States {
    /// State per template item.
    pub items: Vec<ItemState>,
    /// Counts per section (items directly in it).
    pub sections: Vec<Counts>,
    /// Counts per section including every subsection (what a folded heading stands for).
    pub subtree: Vec<Counts>,
    /// Counts over every item.
    pub all: Counts,
    index: HashMap<ItemId, usize>,
}

impl States {
    /// Computes every state.
    pub fn new(run: &Run, template: &Template) -> States {
        let mut s = States {
            items: Vec::with_capacity(template.items.len()),
            sections: vec![Counts::default(); template.sections.len()],
            subtree: vec![Counts::default(); template.sections.len()],
            all: Counts::default(),
            index: template
                .items
                .iter()
                .enumerate()
                .map(|(i, it)| (it.id.clone(), i))
                .collect(),
        };
        for (i, item) in template.items.iter().enumerate() {
            let st = item_state(run, template, i).0;
            s.items.push(st);
            s.all.add(st);
            if let Some(c) = s.sections.get_mut(item.section) {
                c.add(st);
            }
        }
        // Sections come before their subsections: add each one's total to its parent, deepest
        // first.
        s.subtree.clone_from(&s.sections);
        for k in (0..template.sections.len()).rev() {
            if let Some(p) = template.sections[k].parent
                && p < k
            {
                let child = s.subtree[k];
                s.subtree[p].merge(&child);
            }
        }
        s
    }

    /// Index of an item by id.
    pub fn index_of(&self, id: &ItemId) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Refreshes one item after an event that touched only it.
    pub fn refresh(&mut self, run: &Run, template: &Template, index: usize) {
        let (Some(old), Some(item)) = (self.items.get(index).copied(), template.items.get(index))
        else {
            return;
        };
        let new = item_state(run, template, index).0;
        if old == new {
            return;
        }
        self.items[index] = new;
        self.all.remove(old);
        self.all.add(new);
        if let Some(c) = self.sections.get_mut(item.section) {
            c.remove(old);
            c.add(new);
        }
        for sec in ancestors(template, item.section) {
            if let Some(c) = self.subtree.get_mut(sec) {
                c.remove(old);
                c.add(new);
            }
        }
    }

    /// State of an item.
    pub fn get(&self, index: usize) -> ItemState {
        self.items.get(index).copied().unwrap_or(ItemState::Open)
    }
}

/// Every row in document order: each section heading followed by its items.
pub fn all_rows(template: &Template) -> Vec<Row> {
    let mut rows = Vec::with_capacity(template.sections.len() + template.items.len());
    let mut next_item = 0;
    for s in 0..template.sections.len() {
        // Items of earlier sections that were not placed yet (never expected, kept for safety).
        while next_item < template.items.len() && template.items[next_item].section < s {
            rows.push(Row::Item(next_item));
            next_item += 1;
        }
        rows.push(Row::Section(s));
        while next_item < template.items.len() && template.items[next_item].section == s {
            rows.push(Row::Item(next_item));
            next_item += 1;
        }
    }
    rows.extend((next_item..template.items.len()).map(Row::Item));
    rows
}

/// The rows left visible when the sections marked in `folded` are folded.
pub fn visible_rows(template: &Template, all: &[Row], folded: &[bool]) -> Vec<Row> {
    if !folded.iter().any(|f| *f) {
        return all.to_vec();
    }
    let mut out = Vec::with_capacity(all.len());
    let mut hide_below: Option<usize> = None;
    for &row in all {
        match row {
            Row::Section(s) => {
                let depth = template.sections.get(s).map_or(0, |x| x.depth);
                if hide_below.is_some_and(|d| depth > d) {
                    continue;
                }
                hide_below = None;
                out.push(row);
                if folded.get(s).copied().unwrap_or(false) {
                    hide_below = Some(depth);
                }
            }
            Row::Item(_) if hide_below.is_some() => {}
            Row::Item(_) => out.push(row),
        }
    }
    out
}

/// The sections from the top down to `section` (ancestors first).
pub fn ancestors(template: &Template, section: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut cur = Some(section);
    while let Some(i) = cur {
        out.push(i);
        cur = template.sections.get(i).and_then(|s| s.parent);
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_counts_follow_every_change() {
        let t = crate::template::parse_str(
            "t.md",
            "# Top\n\n## A\n\n- [ ] a1\n\n### A.1\n\n- [ ] a11\n- [ ] a12\n\n## B\n\n- [ ] b1\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let actor = crate::run::event::Actor {
            user: "u".into(),
            host: "h".into(),
            name: "U".into(),
        };
        let now =
            chrono::DateTime::parse_from_rfc3339("2026-11-23T08:50:00+01:00").unwrap_or_default();
        let start = crate::run::event::Change::Start {
            schema_version: crate::run::SCHEMA_VERSION,
            run_id: "r".into(),
            title: t.title.clone(),
            name: None,
            template_path: "t.md".into(),
            template_sha256: "0".repeat(64),
            vars: Default::default(),
            steps: false,
            rules: crate::template::LOADER_RULES,
            exec: None,
        };
        let (first, _) = crate::run::event::Event::seal(
            1,
            now,
            actor.clone(),
            start,
            crate::run::event::GENESIS,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut run = Run::from_start(&first).unwrap_or_else(|e| panic!("{e}"));
        let mut s = States::new(&run, &t);
        let sec = |name: &str| {
            t.sections
                .iter()
                .position(|x| x.title == name)
                .unwrap_or_else(|| panic!("{name}"))
        };
        assert_eq!(s.subtree[sec("Top")].total, 4);
        assert_eq!(s.subtree[sec("A")].total, 3);
        assert_eq!(s.sections[sec("A")].total, 1);
        let item = t.items.iter().position(|i| i.text == "a12").unwrap_or(0);
        let intent = crate::run::intent::Intent::Tick {
            item: t.items[item].id.clone(),
            note: None,
        };
        let change =
            crate::run::intent::check(&run, &t, &actor, &intent).unwrap_or_else(|e| panic!("{e}"));
        let (ev, _) = crate::run::event::Event::seal(2, now, actor.clone(), change, &run.head)
            .unwrap_or_else(|e| panic!("{e}"));
        run.apply(&ev);
        s.refresh(&run, &t, item);
        assert_eq!(s.subtree[sec("Top")].closed(), 1);
        assert_eq!(s.subtree[sec("A")].closed(), 1);
        assert_eq!(s.subtree[sec("A.1")].closed(), 1);
        assert_eq!(s.subtree[sec("B")].closed(), 0);
        assert_eq!(s.sections[sec("A")].closed(), 0);
    }
}
