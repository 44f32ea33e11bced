//! Secret values: passed to the command, never written to the journal, the output files or the
//! reports. Wherever the text of a command or its output is shown or kept, each value is replaced
//! by `‹secret NAME›`.

use std::borrow::Cow;
use std::fmt;

/// Secret variable values given for one command (from `--secret`, `--var secret:NAME=…`, the
/// environment or a prompt). Its `Debug` shows names only.
#[derive(Clone, Default)]
pub struct Secrets {
    /// (name, value), longest value first once sorted.
    entries: Vec<(String, String)>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|(n, _)| format!("{n}=‹hidden›")))
            .finish()
    }
}

/// What a masked value looks like.
pub fn token(name: &str) -> String {
    format!("‹secret {name}›")
}

impl Secrets {
    /// No secrets.
    pub fn new() -> Secrets {
        Secrets::default()
    }

    /// Adds (or replaces) a value.
    pub fn insert(&mut self, name: &str, value: &str) {
        self.entries.retain(|(n, _)| n != name);
        self.entries.push((name.to_owned(), value.to_owned()));
        self.entries
            .sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Names given.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// (name, value) pairs, for the command's environment.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether none was given.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `text` with every secret value replaced by its [`token`] (longest values first, so a value
    /// containing another is masked whole).
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for (name, value) in &self.entries {
            if value.is_empty() || !out.contains(value.as_str()) {
                continue;
            }
            out = Cow::Owned(out.replace(value.as_str(), &token(name)));
        }
        out
    }

    /// Length in bytes of the longest end of `text` that is the start (not the whole) of a secret
    /// value: text a streaming masker must hold back until it knows what follows.
    pub fn pending_prefix(&self, text: &str) -> usize {
        let mut best = 0;
        for (_, value) in &self.entries {
            let max = value.len().saturating_sub(1).min(text.len());
            for len in (best + 1..=max).rev() {
                let start = text.len() - len;
                if text.is_char_boundary(start) && value.starts_with(&text[start..]) {
                    best = len;
                    break;
                }
            }
        }
        best
    }
}

/// Environment variable a secret's value is read from: `RUNSHEET_SECRET_` + its name (characters
/// other than letters, digits and `_` as `_`).
pub fn secret_env(name: &str) -> String {
    env_name(name).replacen("RUNSHEET_VAR_", "RUNSHEET_SECRET_", 1)
}

/// The environment name of a run variable: `RUNSHEET_VAR_` and the name with every character other
/// than ASCII letters, digits and `_` turned into `_` (`env.VERSION` → `RUNSHEET_VAR_env_VERSION`).
pub fn env_name(var: &str) -> String {
    let mut s = String::from("RUNSHEET_VAR_");
    s.extend(var.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '_'
        }
    }));
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn values_are_masked_longest_first_and_never_shown_by_debug() {
        let mut s = Secrets::new();
        s.insert("TOKEN", "abc");
        s.insert("LONG", "abcdef");
        assert_eq!(
            s.mask("x abcdef y abc z"),
            "x ‹secret LONG› y ‹secret TOKEN› z"
        );
        assert!(matches!(s.mask("nothing"), Cow::Borrowed(_)));
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("abc"), "{dbg}");
        assert!(dbg.contains("TOKEN"));
    }

    #[test]
    fn empty_values_mask_nothing() {
        let mut s = Secrets::new();
        s.insert("EMPTY", "");
        assert_eq!(s.mask("text"), "text");
    }

    #[test]
    fn pending_prefix_holds_back_a_value_cut_by_a_read() {
        let mut s = Secrets::new();
        s.insert("T", "hunter2");
        assert_eq!(s.pending_prefix("password: hun"), 3);
        assert_eq!(
            s.pending_prefix("password: hunter2"),
            0,
            "whole value: masked, not held"
        );
        assert_eq!(s.pending_prefix("password: x"), 0);
        assert_eq!(s.pending_prefix("h"), 1);
    }

    #[test]
    fn env_names() {
        assert_eq!(env_name("VERSION"), "RUNSHEET_VAR_VERSION");
        assert_eq!(env_name("env.db-host"), "RUNSHEET_VAR_env_db_host");
    }
}
