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
    let mut close = None;
    for (j, &b) in rb.iter().enumerate() {
        if b == b'}' {
            if rb.get(j + 1) == Some(&b'}') {
                close = Some(j);
            }
            break;
        }
        let plain = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
        if !(plain || b.is_ascii_whitespace() || b == 0x0B) {
            if b >= 0x80 {
                // Unicode whitespace around the name: the general rule.
                close = rest.find("}}");
            }
            break;
        }
    }
    let name = rest[..close?].trim();
    is_name(name).then_some(name)
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
}
