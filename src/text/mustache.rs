//! `{{ NAME }}` occurrences in any text: the scanner the loader (declaring variables) and the run
//! (substituting their values) share. `${{ … }}` (GitHub Actions expressions) and template-engine
//! expressions that are not plain names (`{{ .Values.x }}`, `{{ a | b }}`) are not variables.

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
    text.match_indices("{{")
        .filter_map(move |(i, _)| mustache_at(text, i).map(|n| (n, i)))
}

/// The variable name of the `{{ NAME }}` whose `{{` is at byte `open` of `text`, if it is one
/// (not `${{ … }}`, closed, a plain name).
pub fn mustache_at(text: &str, open: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    if open > 0 && bytes.get(open - 1) == Some(&b'$') {
        return None;
    }
    let rest = text.get(open + 2..)?;
    // A name is short and plain: stop at the first byte that cannot be in `{{ name }}` instead of
    // searching the rest of the file for `}}` (an unclosed `{{` must not cost a whole-file scan).
    let rb = rest.as_bytes();
    let blank = |b: u8| b.is_ascii_whitespace() || b == 0x0B;
    let mut j = 0;
    loop {
        let &b = rb.get(j)?;
        if b == b'}' {
            if rb.get(j + 1) != Some(&b'}') {
                return None;
            }
            break;
        }
        if !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-') || blank(b)) {
            if b >= 0x80 {
                // Unicode whitespace around the name: the general rule.
                let name = rest[..rest.find("}}")?].trim();
                return is_name(name).then_some(name);
            }
            return None;
        }
        j += 1;
    }
    // Only name bytes and ASCII blanks so far: trim the blanks, and a name has no blank inside.
    let inner = &rb[..j];
    let from = inner.iter().position(|&b| !blank(b))?;
    let to = inner.iter().rposition(|&b| !blank(b))? + 1;
    let name = &inner[from..to];
    let ok = (name[0].is_ascii_alphabetic() || name[0] == b'_')
        && name.len() <= 64
        && !name.iter().any(|&b| blank(b));
    // `from..to` are ASCII positions of `rest`, so this never fails.
    ok.then(|| rest.get(from..to)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_identifiers() {
        assert!(is_name("VERSION"));
        assert!(is_name("env.VERSION"));
        assert!(!is_name(".Values.x"));
        assert!(!is_name("a | b"));
        assert!(!is_name(&"x".repeat(65)));
    }

    #[test]
    fn skips_github_expressions() {
        let found: Vec<_> = mustaches("${{ github.ref }} {{ A }}").collect();
        assert_eq!(found, vec![("A", 18)]);
    }

    #[test]
    fn what_is_a_variable_between_braces() {
        let long = format!("{{{{ {} }}}}", "x".repeat(65));
        let exact = format!("{{{{ {} }}}}", "x".repeat(64));
        for (text, want) in [
            ("{{ A }}", Some("A")),
            ("{{A}}", Some("A")),
            ("{{\tX\n}}", Some("X")),
            ("{{\u{b}X }}", Some("X")),
            ("{{ a.b-c_d }}", Some("a.b-c_d")),
            ("{{ _x }}", Some("_x")),
            ("{{\u{a0}X\u{a0}}}", Some("X")),
            (exact.as_str(), Some(&exact[3..67])),
            (long.as_str(), None),
            ("{{ A B }}", None),
            ("{{ }}", None),
            ("{{}}", None),
            ("{{ 1A }}", None),
            ("{{ -x }}", None),
            ("{{ X }", None),
            ("{{ X } }}", None),
            ("{{ X", None),
            ("{{", None),
            ("{{ a|b }}", None),
            ("{{ é }}", None),
        ] {
            assert_eq!(mustache_at(text, 0), want, "{text:?}");
        }
    }
}
