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
