//! `{{ NAME }}` variables, found anywhere in the text (titles, items, code, front matter).
//! `${{ … }}` (GitHub Actions expressions in a pasted workflow) and template-engine expressions that
//! are not plain names (`{{ .Values.x }}`, `{{ a | b }}`) are left alone.

use crate::model::{Variable, VariableKind};
use crate::text::mustache::{mustache_at, mustaches};
use std::collections::HashSet;

/// Declared variables, first occurrence of each name.
pub fn scan(text: &str, line_of: impl Fn(usize) -> usize) -> Vec<Variable> {
    let offsets: Vec<usize> = mustaches(text).map(|(_, i)| i).collect();
    scan_at(text, &offsets, line_of)
}

/// [`scan`] given where `{{` occurs (from the pre-scan).
pub fn scan_at(text: &str, braces: &[usize], line_of: impl Fn(usize) -> usize) -> Vec<Variable> {
    // Templates declare a handful of names used many times: a linear look-up while they are
    // few, a set once they are not.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out: Vec<Variable> = Vec::new();
    for &offset in braces {
        let Some(name) = mustache_at(text, offset) else {
            continue;
        };
        let new = if out.len() < 16 {
            !out.iter().any(|v| v.name == name)
        } else {
            if seen.is_empty() {
                // Every name so far, borrowed from the text like `name`.
                seen.extend(
                    braces
                        .iter()
                        .take_while(|&&o| o < offset)
                        .filter_map(|&o| mustache_at(text, o)),
                );
            }
            seen.insert(name)
        };
        if new {
            out.push(Variable {
                name: name.to_owned(),
                line: line_of(offset),
                kind: VariableKind::Mustache,
                label: None,
                placeholder: None,
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
