//! `{{ NAME }}` variables, found anywhere in the text (titles, items, code, front matter).
//! `${{ … }}` (GitHub Actions expressions in a pasted workflow) and template-engine expressions that
//! are not plain names (`{{ .Values.x }}`, `{{ a | b }}`) are left alone.

use crate::model::{Variable, VariableKind};
use std::collections::HashSet;

/// Whether `name` is a variable name: a letter or `_`, then letters, digits, `_`, `.` or `-`.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && name.len() <= 64
}

/// Every `{{ NAME }}` occurrence: (name, byte offset of `{{`).
pub fn mustaches(text: &str) -> impl Iterator<Item = (&str, usize)> {
    let bytes = text.as_bytes();
    text.match_indices("{{").filter_map(move |(i, _)| {
        if i > 0 && bytes[i - 1] == b'$' {
            return None;
        }
        let rest = &text[i + 2..];
        let close = rest.find("}}")?;
        let name = rest[..close].trim();
        is_name(name).then_some((name, i))
    })
}

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
