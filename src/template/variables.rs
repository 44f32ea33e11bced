//! `{{ NAME }}` variables, found anywhere in the text (titles, items, code, front matter).
//! `${{ … }}` (GitHub Actions expressions in a pasted workflow) and template-engine expressions that
//! are not plain names (`{{ .Values.x }}`, `{{ a | b }}`) are left alone.

use crate::model::{Variable, VariableKind};
use crate::text::mustache::mustaches;
use std::collections::HashSet;

/// Declared variables, first occurrence of each name.
pub fn scan(text: &str, line_of: impl Fn(usize) -> usize) -> Vec<Variable> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (name, offset) in mustaches(text) {
        if seen.insert(name) {
            out.push(Variable {
                name: name.to_owned(),
                line: line_of(offset),
                kind: VariableKind::Mustache,
                label: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_and_skips_expressions() {
        let text = "{{ VERSION }} and {{env.VERSION}}\n${{ github.ref }} {{ .Values.x }} {{ a | b }} {{VERSION}}";
        let names: Vec<_> = scan(text, |_| 1).into_iter().map(|v| v.name).collect();
        assert_eq!(names, vec!["VERSION", "env.VERSION"]);
    }
}
