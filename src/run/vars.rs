//! Variable substitution from a run's values: `{{ NAME }}` in item text, titles and code, and
//! bracket placeholders (`**Deployment Lead:** [Name]`), which the loader marks as spans naming
//! their variable.

use crate::model::{Cell, MetaField, SpanStyle, Template, VariableKind};
use crate::text::mustache::mustaches;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Replaces every `{{ NAME }}` (spaces optional; the loader's notion of a variable) whose value is
/// known; unknown ones stay as written so the operator sees what is still missing.
pub fn substitute<'a>(text: &'a str, values: &BTreeMap<&str, &str>) -> Cow<'a, str> {
    if values.is_empty() || !text.contains("{{") {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    for (name, open) in mustaches(text) {
        let Some(value) = values.get(name) else {
            continue;
        };
        if open < copied {
            continue;
        }
        let Some(close) = text[open + 2..].find("}}") else {
            continue;
        };
        out.push_str(&text[copied..open]);
        out.push_str(value);
        copied = open + 2 + close + 2;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The text a span shows in a run: a placeholder's value once the run has set its variable (as
/// written until then), any other span's text with `{{ NAME }}` substituted.
pub fn span_text<'a>(
    text: &'a str,
    style: &SpanStyle,
    values: &BTreeMap<&str, &str>,
) -> Cow<'a, str> {
    if let SpanStyle::Placeholder { var } = style
        && let Some(value) = values.get(var.as_str())
    {
        return Cow::Owned((*value).to_owned());
    }
    substitute(text, values)
}

/// A table cell's text in a run (placeholders and `{{ NAME }}` substituted).
pub fn cell_text<'a>(cell: &'a Cell, values: &BTreeMap<&str, &str>) -> Cow<'a, str> {
    if !cell
        .styles
        .iter()
        .any(|r| matches!(r.style, SpanStyle::Placeholder { .. }))
    {
        return substitute(&cell.text, values);
    }
    let mut out = String::with_capacity(cell.text.len());
    for s in cell.spans() {
        out.push_str(&span_text(s.text, s.style, values));
    }
    Cow::Owned(out)
}

/// A metadata entry's value in a run: each bracket placeholder the loader read after its key
/// (`**Deployment Lead:** [Name]`) replaced by the value the run set for it, `{{ NAME }}`
/// substituted.
pub fn meta_text<'a>(
    template: &Template,
    field: &'a MetaField,
    values: &BTreeMap<&str, &str>,
) -> Cow<'a, str> {
    let mut out: Cow<'a, str> = substitute(&field.value, values);
    for v in template.variables.iter().filter(|v| {
        v.kind == VariableKind::Placeholder && v.label.as_deref() == Some(field.name.as_str())
    }) {
        let (Some(inner), Some(value)) = (&v.placeholder, values.get(v.name.as_str())) else {
            continue;
        };
        let needle = format!("[{inner}]");
        if out.contains(&needle) {
            out = Cow::Owned(out.replacen(&needle, value, 1));
        }
    }
    out
}

/// Names used as `{{ NAME }}` in a piece of text.
pub fn names_in(text: &str) -> Vec<&str> {
    mustaches(text).map(|(n, _)| n).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_known_and_keeps_unknown() {
        let mut v = BTreeMap::new();
        v.insert("VERSION", "1.2.3");
        v.insert("env.NAME", "prod");
        let s = substitute("deploy {{VERSION}} to {{ env.NAME }} via {{ HOST }} {{", &v);
        assert_eq!(s, "deploy 1.2.3 to prod via {{ HOST }} {{");
        assert!(matches!(substitute("plain", &v), Cow::Borrowed(_)));
        assert_eq!(names_in("a {{ X }} b {{Y}} {{ bad name }}"), vec!["X", "Y"]);
    }

    #[test]
    fn placeholders_show_their_variable_once_set() {
        let lead = SpanStyle::Placeholder {
            var: "Deployment Lead".into(),
        };
        let mut v = BTreeMap::new();
        assert_eq!(
            span_text("[Name]", &lead, &v),
            "[Name]",
            "as written until set"
        );
        v.insert("Deployment Lead", "Dana");
        assert_eq!(span_text("[Name]", &lead, &v), "Dana");
        assert_eq!(span_text("[Name]", &SpanStyle::Plain, &v), "[Name]");
        let cell = Cell {
            text: "by [Name] at {{ T }}".into(),
            styles: vec![crate::model::StyleRun {
                start: 3,
                end: 9,
                style: lead,
            }],
        };
        v.insert("T", "08:00");
        assert_eq!(cell_text(&cell, &v), "by Dana at 08:00");
    }
}
