//! `ITEM` arguments: an id, or a unique case-insensitive part of an item's text.

use crate::model::{ItemId, Template};
use crate::run::Run;
use crate::run::vars::substitute;

/// How an `ITEM` argument matched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemQueryError {
    /// Nothing matched.
    #[error(
        "no item matches “{0}” (give an item id or part of its text; `runsheet status RUN` lists them)"
    )]
    NoMatch(String),
    /// Several matched.
    #[error("“{query}” matches {} items; be more specific or use an id:\n{}", .candidates.len(), .candidates.iter().map(|(id, t)| format!("  {id}  {t}")).collect::<Vec<_>>().join("\n"))]
    Ambiguous {
        /// The query.
        query: String,
        /// Matching (id, text).
        candidates: Vec<(String, String)>,
    },
}

/// Finds an item by id, or by a unique case-insensitive substring of its text (as written or with
/// variables substituted). A text equal to the query wins over longer texts containing it.
pub fn find_item(run: &Run, template: &Template, query: &str) -> Result<ItemId, ItemQueryError> {
    let q = query.trim();
    if let Some(item) = template.items.iter().find(|i| i.id.as_str() == q) {
        return Ok(item.id.clone());
    }
    let vars = run.var_values();
    let lower = q.to_lowercase();
    let mut exact = Vec::new();
    let mut partial = Vec::new();
    for item in &template.items {
        let shown = substitute(&item.text, &vars);
        let texts = [item.text.to_lowercase(), shown.to_lowercase()];
        if texts.iter().any(|t| t.trim() == lower) {
            exact.push((item.id.to_string(), shown.into_owned()));
        } else if !lower.is_empty() && texts.iter().any(|t| t.contains(&lower)) {
            partial.push((item.id.to_string(), shown.into_owned()));
        }
    }
    let pick = if exact.is_empty() { partial } else { exact };
    match pick.len() {
        0 => Err(ItemQueryError::NoMatch(q.to_owned())),
        1 => Ok(ItemId::new(pick[0].0.clone())),
        _ => Err(ItemQueryError::Ambiguous {
            query: q.to_owned(),
            candidates: pick,
        }),
    }
}
