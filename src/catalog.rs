//! Where templates come from: a path, a built-in template embedded in the binary, or a template in
//! the user's template directory (`~/.config/runsheet/templates/NAME.md`).

use std::path::{Path, PathBuf};

/// A template shipped inside the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    /// Short name (`deployment-window`), as given to `runsheet start NAME`.
    pub name: &'static str,
    /// The Markdown text.
    pub text: &'static str,
}

/// The built-in templates, in the order `runsheet templates` lists them.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "deployment-window",
        text: include_str!("../templates/deployment-window.md"),
    },
    Builtin {
        name: "release",
        text: include_str!("../templates/release.md"),
    },
    Builtin {
        name: "incident-response",
        text: include_str!("../templates/incident-response.md"),
    },
    Builtin {
        name: "database-migration",
        text: include_str!("../templates/database-migration.md"),
    },
    Builtin {
        name: "oncall-handover",
        text: include_str!("../templates/oncall-handover.md"),
    },
];

/// The prefix recorded as a run's template path when it was started from a built-in template.
pub const BUILTIN_PREFIX: &str = "builtin:";

/// A built-in template by name.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The user's template directory, if a home directory is known.
pub fn user_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "runsheet").map(|d| d.config_dir().join("templates"))
}

/// Templates in the user's template directory: (name, path), sorted by name.
pub fn user_templates() -> Vec<(String, PathBuf)> {
    let Some(dir) = user_dir() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter_map(|p| Some((p.file_stem()?.to_string_lossy().into_owned(), p)))
        .collect();
    out.sort();
    out
}

/// A resolved template argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A Markdown file given by path.
    File(PathBuf),
    /// A built-in template.
    Builtin(&'static Builtin),
}

impl Source {
    /// Name for messages: the path as given, or `builtin:NAME`.
    pub fn display(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Builtin(b) => format!("{BUILTIN_PREFIX}{}", b.name),
        }
    }

    /// The template's bytes.
    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        match self {
            Source::File(p) => std::fs::read(p),
            Source::Builtin(b) => Ok(b.text.as_bytes().to_vec()),
        }
    }

    /// What a run records as its original template: the canonical path, or `builtin:NAME`.
    pub fn origin(&self) -> String {
        match self {
            Source::File(p) => std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string(),
            Source::Builtin(_) => self.display(),
        }
    }
}

/// Resolves a template argument: an existing path wins; then a user template `NAME` (or
/// `NAME.md`) in the user's template directory; then a built-in `NAME`. Anything else is taken as a
/// path (so the error names the file that is missing).
pub fn resolve(arg: &str) -> Source {
    let path = Path::new(arg);
    if path.exists() {
        return Source::File(path.to_owned());
    }
    let name = arg.strip_prefix(BUILTIN_PREFIX).unwrap_or(arg);
    let stem = name.strip_suffix(".md").unwrap_or(name);
    if !arg.starts_with(BUILTIN_PREFIX)
        && let Some((_, p)) = user_templates().into_iter().find(|(n, _)| n == stem)
    {
        return Source::File(p);
    }
    match builtin(stem) {
        Some(b) => Source::Builtin(b),
        None => Source::File(path.to_owned()),
    }
}

/// The bytes a run's recorded template origin has now (for drift): a file's contents, or the
/// built-in text of this binary.
pub fn read_origin(origin: &str) -> std::io::Result<Vec<u8>> {
    match origin.strip_prefix(BUILTIN_PREFIX) {
        Some(name) => builtin(name)
            .map(|b| b.text.as_bytes().to_vec())
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("this runsheet has no built-in template `{name}`"),
                )
            }),
        None => std::fs::read(origin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads_without_warnings() {
        for b in BUILTINS {
            let t = crate::template::parse_str(b.name, b.text).expect("built-in loads");
            assert!(t.warnings.is_empty(), "{}: {:?}", b.name, t.warnings);
            assert!(t.items.len() >= 10, "{}", b.name);
        }
    }

    #[test]
    fn names_resolve_to_builtins_and_paths_win() {
        assert_eq!(resolve("release"), Source::Builtin(&BUILTINS[1]));
        assert_eq!(resolve("builtin:release"), Source::Builtin(&BUILTINS[1]));
        assert_eq!(
            resolve("no-such-thing.md"),
            Source::File(PathBuf::from("no-such-thing.md"))
        );
        let here = env!("CARGO_MANIFEST_DIR");
        let p = format!("{here}/templates/release.md");
        assert_eq!(resolve(&p), Source::File(PathBuf::from(&p)));
    }

    #[test]
    fn builtin_origin_reads_the_embedded_text() {
        let bytes = read_origin("builtin:oncall-handover").expect("embedded");
        assert_eq!(bytes, BUILTINS[4].text.as_bytes());
        assert!(read_origin("builtin:nope").is_err());
    }
}
