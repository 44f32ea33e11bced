//! The keymap as data: an embedded default TOML (`src/input/default-keymap.toml`) of
//! `{ mode, keys, action, desc, footer }` bindings, user overrides from
//! `~/.config/runsheet/keymap.toml`, duplicate detection; the help overlay and footer read it.

use crate::app::key::KeyPress;
use crate::app::{Action, KeyMode};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;
use toml::Spanned;

/// The shipped bindings.
pub const DEFAULT_KEYMAP: &str = include_str!("input/default-keymap.toml");

/// One binding as the help overlay shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// Mode it applies in.
    pub mode: KeyMode,
    /// Keys, as written.
    pub keys: Vec<KeyPress>,
    /// Action.
    pub action: Action,
    /// What it does.
    pub desc: String,
    /// Shown in the footer.
    pub footer: bool,
}

/// Key bindings by mode.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    /// Bindings in file order (defaults, then overrides).
    pub bindings: Vec<Binding>,
    map: HashMap<(KeyMode, KeyPress), Action>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    mode: Spanned<String>,
    keys: Vec<Spanned<String>>,
    action: Spanned<String>,
    #[serde(default)]
    desc: String,
    #[serde(default)]
    footer: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeymap {
    #[serde(default)]
    bind: Vec<RawBinding>,
}

/// A keymap file that cannot be used: the file, the line, what is wrong and what would do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct KeymapError {
    /// File name.
    pub source_name: String,
    /// 1-based line (1 when the whole file is at fault).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// 1-based line of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A TOML error as `(line, message)`: toml's own message is several lines (a drawing of the spot);
/// its first line is kept, with the line number from its span.
pub fn toml_error(text: &str, e: &toml::de::Error) -> (usize, String) {
    let line = e.span().map_or(1, |s| line_of(text, s.start));
    let msg = e
        .message()
        .lines()
        .next()
        .unwrap_or("not valid TOML")
        .trim();
    (line, msg.to_owned())
}

fn parse(name: &str, text: &str) -> Result<Vec<Binding>, KeymapError> {
    let err = |line: usize, message: String| KeymapError {
        source_name: name.to_owned(),
        line,
        message,
    };
    let at = |s: &std::ops::Range<usize>| line_of(text, s.start);
    let raw: RawKeymap = toml::from_str(text).map_err(|e| {
        let (line, msg) = toml_error(text, &e);
        err(line, msg)
    })?;
    let modes: Vec<&str> = KeyMode::ALL.iter().map(|m| m.as_str()).collect();
    let mut seen: HashMap<(KeyMode, KeyPress), (String, usize)> = HashMap::new();
    let mut out = Vec::new();
    for b in raw.bind {
        let mode = KeyMode::parse(b.mode.get_ref()).ok_or_else(|| {
            err(
                at(&b.mode.span()),
                format!(
                    "unknown mode `{}` (modes: {})",
                    b.mode.get_ref(),
                    modes.join(", ")
                ),
            )
        })?;
        let action_name = b.action.get_ref().clone();
        let action = if action_name == "none" {
            None
        } else {
            Some(Action::from_name(&action_name).ok_or_else(|| {
                err(
                    at(&b.action.span()),
                    format!(
                        "unknown action `{action_name}` (`runsheet keys` lists them; `none` unbinds)"
                    ),
                )
            })?)
        };
        let mut keys = Vec::new();
        for k in &b.keys {
            let line = at(&k.span());
            let key = KeyPress::parse(k.get_ref()).ok_or_else(|| {
                err(
                    line,
                    format!(
                        "cannot read key `{}` (write e.g. `j`, `Space`, `Ctrl-s`, `Alt-Enter`, `PgDn`, `F1`)",
                        k.get_ref()
                    ),
                )
            })?;
            if let Some((prev, prev_line)) = seen.insert((mode, key), (action_name.clone(), line)) {
                return Err(err(
                    line,
                    format!(
                        "key `{}` is bound twice in mode {} (to `{prev}` on line {prev_line} and to `{action_name}`)",
                        k.get_ref(),
                        mode.as_str()
                    ),
                ));
            }
            keys.push(key);
        }
        out.push(Binding {
            mode,
            keys,
            desc: if action.is_none() {
                "(unbound)".to_owned()
            } else {
                b.desc
            },
            footer: b.footer && action.is_some(),
            action: action.unwrap_or(Action::Clock),
        });
    }
    Ok(out)
}

impl Keymap {
    /// The shipped defaults.
    pub fn default_keymap() -> Keymap {
        match parse("default keymap", DEFAULT_KEYMAP) {
            Ok(b) => Keymap::from_bindings(b),
            Err(_) => Keymap::default(),
        }
    }

    /// Defaults with the overrides of `text` applied.
    pub fn with_overrides(name: &str, text: &str) -> Result<Keymap, KeymapError> {
        let user = parse(name, text)?;
        let mut bindings = Keymap::default_keymap().bindings;
        for u in &user {
            for b in bindings.iter_mut().filter(|b| b.mode == u.mode) {
                b.keys.retain(|k| !u.keys.contains(k));
            }
        }
        bindings.retain(|b| !b.keys.is_empty());
        bindings.extend(user.into_iter().filter(|b| b.action != Action::Clock));
        Ok(Keymap::from_bindings(bindings))
    }

    /// Defaults plus `~/.config/runsheet/keymap.toml` when it exists; a broken file is reported and
    /// the defaults are used.
    pub fn load() -> (Keymap, Option<KeymapError>) {
        let Some(path) = user_path() else {
            return (Keymap::default_keymap(), None);
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => match Keymap::with_overrides(&path.display().to_string(), &text) {
                Ok(k) => (k, None),
                Err(e) => (Keymap::default_keymap(), Some(e)),
            },
            Err(_) => (Keymap::default_keymap(), None),
        }
    }

    fn from_bindings(bindings: Vec<Binding>) -> Keymap {
        let mut map = HashMap::new();
        for b in &bindings {
            for k in &b.keys {
                map.insert((b.mode, *k), b.action.clone());
            }
        }
        Keymap { bindings, map }
    }

    /// The action bound to `key` in `mode` (a search falls back to normal, everything to global).
    pub fn lookup(&self, mode: KeyMode, key: KeyPress) -> Option<Action> {
        let get = |m: KeyMode| self.map.get(&(m, key)).cloned();
        get(mode)
            .or_else(|| {
                (mode == KeyMode::Found)
                    .then(|| get(KeyMode::Normal))
                    .flatten()
            })
            .or_else(|| get(KeyMode::Global))
    }

    /// Bindings of `mode` marked for the footer (for a search, `ui::footer_bindings` adds the
    /// normal ones it does not override).
    pub fn footer(&self, mode: KeyMode) -> impl Iterator<Item = &Binding> {
        self.bindings
            .iter()
            .filter(move |b| b.footer && b.mode == mode)
    }
}

/// `~/.config/runsheet/keymap.toml` (honouring `XDG_CONFIG_HOME`).
pub fn user_path() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.config_dir().join("runsheet").join("keymap.toml"))
}

/// Resolves a key in the app's current mode: a binding, else text for an editor.
pub fn action_for(keymap: &Keymap, mode: KeyMode, key: KeyPress) -> Option<Action> {
    keymap
        .lookup(mode, key)
        .or_else(|| mode.takes_text().then_some(Action::Edit(key)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn default_keymap_parses_without_duplicates() {
        let b = parse("default", DEFAULT_KEYMAP).unwrap();
        assert!(b.len() > 40);
        let k = Keymap::default_keymap();
        assert_eq!(
            k.lookup(KeyMode::Normal, KeyPress::ch('j')),
            Some(Action::Down)
        );
        assert_eq!(
            k.lookup(KeyMode::Found, KeyPress::ch('n')),
            Some(Action::NextMatch)
        );
        assert_eq!(
            k.lookup(KeyMode::Found, KeyPress::ch('j')),
            Some(Action::Down)
        );
        // Ctrl-C interrupts a running command; with none running it quits (the app decides).
        assert_eq!(
            k.lookup(KeyMode::Note, KeyPress::ctrl('c')),
            Some(Action::Interrupt)
        );
    }

    #[test]
    fn text_modes_leave_printable_keys_to_the_editor() {
        let k = Keymap::default_keymap();
        for b in &k.bindings {
            if b.mode.takes_text() {
                for key in &b.keys {
                    let printable = matches!(key.code, crate::app::key::KeyCode::Char(_))
                        && !key.ctrl
                        && !key.alt;
                    assert!(!printable, "{key} bound in text mode {:?}", b.mode);
                }
            }
        }
    }

    #[test]
    fn duplicates_and_unknowns_are_rejected() {
        let dup = "[[bind]]\nmode='normal'\nkeys=['j']\naction='down'\n[[bind]]\nmode='normal'\nkeys=['j']\naction='up'\n";
        assert!(parse("x", dup).unwrap_err().message.contains("bound twice"));
        assert!(parse("x", "[[bind]]\nmode='normal'\nkeys=['j']\naction='fly'\n").is_err());
        assert!(parse("x", "[[bind]]\nmode='nowhere'\nkeys=['j']\naction='up'\n").is_err());
    }

    #[test]
    fn overrides_replace_defaults() {
        let k = Keymap::with_overrides(
            "user",
            "[[bind]]\nmode='normal'\nkeys=['j']\naction='up'\n[[bind]]\nmode='normal'\nkeys=['q']\naction='none'\n",
        )
        .unwrap();
        assert_eq!(
            k.lookup(KeyMode::Normal, KeyPress::ch('j')),
            Some(Action::Up)
        );
        assert_eq!(k.lookup(KeyMode::Normal, KeyPress::ch('q')), None);
        assert_eq!(
            k.lookup(
                KeyMode::Normal,
                KeyPress::plain(crate::app::key::KeyCode::Down)
            ),
            Some(Action::Down)
        );
    }

    #[test]
    fn readme_keys_table_matches_the_default_keymap() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let raw: RawKeymap = toml::from_str(DEFAULT_KEYMAP).unwrap();
        for b in raw.bind {
            let keys: Vec<String> = b
                .keys
                .iter()
                .map(|k| format!("`{}`", k.get_ref()))
                .collect();
            let want = format!("| {} | {} |", keys.join(" "), b.desc);
            assert!(
                readme.contains(&want),
                "README.md's Keys table lacks `{want}` (mode {})",
                b.mode.get_ref()
            );
        }
    }
}
