//! Front matter (YAML `---` or TOML `+++`): title and flat metadata.

use crate::model::Field;
use crate::text::sanitize::clean_line;

/// Reads the metadata block's text. YAML is read as flat `key: value` lines (nested values are kept as
/// their text); TOML is parsed with the `toml` crate.
pub fn parse(text: &str, toml_style: bool) -> Vec<Field> {
    if toml_style {
        return match text.parse::<toml::Table>() {
            Ok(table) => table
                .into_iter()
                .map(|(k, v)| Field {
                    name: clean_line(&k),
                    value: clean_line(match &v {
                        toml::Value::String(s) => s,
                        _ => {
                            return Field {
                                name: clean_line(&k),
                                value: clean_line(&v.to_string()),
                            };
                        }
                    }),
                })
                .collect(),
            Err(_) => Vec::new(),
        };
    }
    let mut out: Vec<Field> = Vec::new();
    for line in text.lines() {
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
        out.push(Field {
            name: clean_line(key.trim()),
            value: clean_line(unquote(value.trim())),
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
pub fn title(fields: &[Field]) -> Option<String> {
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
        );
        assert_eq!(title(&f).as_deref(), Some("Release {{ VERSION }}"));
        assert_eq!(f[2].value, "release, ops");
    }

    #[test]
    fn toml_front_matter() {
        let f = parse("title = \"DR drill\"\nowner = \"sre\"\nitems = 3\n", true);
        assert_eq!(title(&f).as_deref(), Some("DR drill"));
        assert!(f.iter().any(|x| x.name == "items" && x.value == "3"));
    }

    #[test]
    fn empty_title_falls_back_to_name() {
        let f = parse("name: Bug report\ntitle: ''\n", false);
        assert_eq!(title(&f).as_deref(), Some("Bug report"));
    }
}
