//! The nested view of a template (sections in sections, items in items) used by `validate --json`.
//! Depth is bounded (headings: 6 levels; items: `MAX_ITEM_DEPTH`), so the recursion here is too.

use crate::model::{Item, Template};
use serde_json::{Value, json};

/// The whole template as the JSON document `runsheet validate --json` prints.
pub fn to_json(t: &Template) -> Value {
    let mut section_children: Vec<Vec<usize>> = vec![Vec::new(); t.sections.len()];
    let mut top_sections = Vec::new();
    for (i, s) in t.sections.iter().enumerate() {
        match s.parent {
            Some(p) => section_children[p].push(i),
            None => top_sections.push(i),
        }
    }
    let mut item_children: Vec<Vec<usize>> = vec![Vec::new(); t.items.len()];
    let mut section_items: Vec<Vec<usize>> = vec![Vec::new(); t.sections.len()];
    for (i, item) in t.items.iter().enumerate() {
        match item.parent {
            Some(p) => item_children[p].push(i),
            None => section_items[item.section].push(i),
        }
    }
    let ctx = Ctx {
        t,
        section_children,
        item_children,
        section_items,
    };
    json!({
        "title": t.title,
        "metadata": t.metadata,
        "window": t.window.as_ref().map(|w| json!({
            "date": w.date.map(|d| d.format("%Y-%m-%d").to_string()),
            "time": w.time.map(|c| c.to_string()),
            "zone": w.zone.map(|z| z.name()),
            "end": w.end.map(|e| match e {
                crate::model::PlannedEnd::Clock { hour, minute, .. } => format!("{hour:02}:{minute:02}"),
                crate::model::PlannedEnd::Duration { minutes } => format!("{minutes} min"),
            }),
            "source_line": w.source_line,
            "source": w.source,
        })),
        "variables": t.variables,
        "warnings": t.warnings,
        "stats": t.stats(),
        "sections": top_sections.iter().map(|&i| ctx.section(i)).collect::<Vec<_>>(),
    })
}

struct Ctx<'a> {
    t: &'a Template,
    section_children: Vec<Vec<usize>>,
    item_children: Vec<Vec<usize>>,
    section_items: Vec<Vec<usize>>,
}

impl Ctx<'_> {
    fn section(&self, i: usize) -> Value {
        let s = &self.t.sections[i];
        json!({
            "title": s.title,
            "level": s.level,
            "line": s.line,
            "planned_time": s.planned_time.map(|p| p.to_string()),
            "body": s.body,
            "items": self.section_items[i].iter().map(|&j| self.item(j)).collect::<Vec<_>>(),
            "sections": self.section_children[i].iter().map(|&j| self.section(j)).collect::<Vec<_>>(),
        })
    }

    fn item(&self, i: usize) -> Value {
        let item: &Item = &self.t.items[i];
        json!({
            "id": item.id,
            "text": item.text,
            "spans": item.spans().map(|s| s.to_span()).collect::<Vec<_>>(),
            "line": item.line,
            "kind": item.kind,
            "origin": item.origin,
            "checked": item.checked,
            "marker": item.marker.map(String::from),
            "role": item.role,
            "group": item.group,
            "quoted": item.quoted,
            "gfm_task": item.gfm_task,
            "fields": item.fields,
            "fillable": item.fillable,
            "code": item.code_blocks().map(|c| json!({"lang": c.lang, "text": c.text, "line": c.line})).collect::<Vec<_>>(),
            "body": item.body,
            "items": self.item_children[i].iter().map(|&j| self.item(j)).collect::<Vec<_>>(),
        })
    }
}
