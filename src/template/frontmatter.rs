//! Front matter (YAML `---` or TOML `+++`, only as the file's first line): title and flat metadata.

use crate::model::MetaField;
use crate::text::sanitize::clean_line;

/// Whether `src` opens with a front matter fence (`---` or `+++` alone on the first line): only then
/// is a fenced block front matter; a `---` further down is a thematic break.
pub fn starts_with_fence(src: &str) -> bool {
    let first = src.split('\n').next().unwrap_or("");
    let first = first.trim_end_matches(['\r', ' ', '\t']);
    first == "---" || first == "+++"
}

/// Reads the metadata block's text, whose first line is line `first_line` of the file. YAML is read
/// as flat `key: value` lines (nested values are kept as their text); TOML is parsed with the `toml`
/// crate.
pub fn parse(text: &str, toml_style: bool, first_line: usize) -> Vec<MetaField> {
    let line_of = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map_or(first_line, |i| first_line + i)
    };
    if toml_style {
        return match text.parse::<toml::Table>() {
            Ok(table) => table
                .into_iter()
                .map(|(k, v)| MetaField {
                    line: line_of(&k),
                    name: clean_line(&k),
                    value: clean_line(&match &v {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    }),
                })
                .collect(),
            Err(_) => Vec::new(),
        };
    }
    let mut out: Vec<MetaField> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with([' ', '\t', '-', '#']) {
            if let Some(last) = out.last_mut() {
                let item = line.trim().trim_start_matches("- ").trim();
                if !item.is_empty() && !item.starts_with('#') {
                    if !last.value.is_empty() {
                        last.value.push_str(", ");
                    }
                    last.value.push_str(&clean_line(unquote(item)));
                }
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        out.push(MetaField {
            name: clean_line(key.trim()),
            value: clean_line(unquote(value.trim())),
            line: first_line + i,
        });
    }
    out
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

/// The title a front matter gives: `title`, else `name`.
pub fn title(fields: &[MetaField]) -> Option<String> {
    ["title", "name"].iter().find_map(|key| {
        fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(key) && !f.value.trim().is_empty())
            .map(|f| f.value.trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_flat_keys_and_lists() {
        let f = parse(
            "name: Release\ntitle: \"Release {{ VERSION }}\"\nlabels:\n  - release\n  - ops\n",
            false,
            2,
        );
        assert_eq!(title(&f).as_deref(), Some("Release {{ VERSION }}"));
        assert_eq!(f[2].value, "release, ops");
        assert_eq!((f[0].line, f[2].line), (2, 4));
    }

    #[test]
    fn toml_front_matter() {
        let f = parse(
            "title = \"DR drill\"\nowner = \"sre\"\nitems = 3\n",
            true,
            2,
        );
        assert_eq!(title(&f).as_deref(), Some("DR drill"));
        assert!(f.iter().any(|x| x.name == "items" && x.value == "3"));
    }

    #[test]
    fn only_a_fence_on_the_first_line_opens_front_matter() {
        assert!(starts_with_fence("---\ntitle: x\n---\n"));
        assert!(starts_with_fence("+++\r\ntitle = 'x'\n+++\n"));
        assert!(!starts_with_fence("# Title\n\n---\n**Owner:** me\n---\n"));
        assert!(!starts_with_fence("----\n"));
    }

    #[test]
    fn empty_title_falls_back_to_name() {
        let f = parse("name: Bug report\ntitle: ''\n", false, 2);
        assert_eq!(title(&f).as_deref(), Some("Bug report"));
    }
}
