//! `{{ NAME }}` substitution in item text, titles and code, from a run's variable values.

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
}
