//! `config.toml`: the operator's settings (display name, what a gate decision needs), read with a
//! `file:line` message for anything that cannot be used. `assets/config.default.toml` documents
//! every setting.

use serde::Deserialize;
use std::path::PathBuf;
use toml::Spanned;

/// Whether a GO decision needs a reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum GoReason {
    /// A GO may be recorded without a reason (NO-GO always needs one).
    #[default]
    Optional,
    /// Every GO needs a reason too.
    Required,
}

/// The `[gates]` table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gates {
    /// `go_reason = "optional" | "required"`.
    pub go_reason: GoReason,
}

/// What `config.toml` sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `operator = "Dana Ops"`: the display name recorded with every change.
    pub operator: Option<String>,
    /// `[gates]`.
    pub gates: Gates,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGates {
    go_reason: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    operator: Option<Spanned<String>>,
    gates: Option<RawGates>,
    /// The shared store (read and checked by `cli::shared`); known here so it is not unknown.
    #[allow(dead_code)]
    store: Option<String>,
    /// Running commands (read and checked by `exec::settings`); known here for the same reason.
    #[allow(dead_code)]
    exec: Option<toml::Value>,
}

/// `~/.config/runsheet/config.toml` (honouring `XDG_CONFIG_HOME`).
pub fn path() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.config_dir().join("runsheet").join("config.toml"))
}

/// Reads a `config.toml` named `name`: what it sets, or `name:line: what is wrong and what to write`.
pub fn parse(name: &str, text: &str) -> Result<Config, String> {
    let line = |at: usize| {
        text.as_bytes()[..at.min(text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    };
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let first = e
            .message()
            .lines()
            .next()
            .unwrap_or("not valid TOML")
            .trim()
            .to_owned();
        format!("{name}:{}: {first}", e.span().map_or(1, |s| line(s.start)))
    })?;
    let operator = match raw.operator {
        Some(op) if op.get_ref().trim().is_empty() => {
            return Err(format!(
                "{name}:{}: `operator` is empty: give a name, or remove the line to use the OS user",
                line(op.span().start)
            ));
        }
        Some(op) => Some(op.into_inner()),
        None => None,
    };
    let mut gates = Gates::default();
    if let Some(g) = raw.gates.and_then(|g| g.go_reason) {
        gates.go_reason = match g.get_ref().trim() {
            "optional" => GoReason::Optional,
            "required" => GoReason::Required,
            other => {
                return Err(format!(
                    "{name}:{}: `go_reason` is \"{other}\": write \"optional\" (the default) or \"required\"",
                    line(g.span().start)
                ));
            }
        };
    }
    Ok(Config { operator, gates })
}

/// The settings in force: `~/.config/runsheet/config.toml` when it exists and can be used (else
/// the defaults), and what is wrong with it, if anything.
pub fn load() -> (Config, Option<String>) {
    let Some(p) = path() else {
        return (Config::default(), None);
    };
    let Ok(text) = std::fs::read_to_string(&p) else {
        return (Config::default(), None);
    };
    match parse(&p.display().to_string(), &text) {
        Ok(c) => (c, None),
        Err(e) => (Config::default(), Some(e)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn gates_go_reason_is_optional_unless_required() {
        assert_eq!(parse("c", "").unwrap().gates.go_reason, GoReason::Optional);
        let c = parse(
            "c",
            "operator = \"Dana\"\n[gates]\ngo_reason = \"required\"\n",
        )
        .unwrap();
        assert_eq!(c.gates.go_reason, GoReason::Required);
        assert_eq!(c.operator.as_deref(), Some("Dana"));
        let e = parse("c.toml", "[gates]\n\ngo_reason = \"sometimes\"\n").unwrap_err();
        assert!(
            e.starts_with("c.toml:3: `go_reason` is \"sometimes\""),
            "{e}"
        );
        let e = parse("c.toml", "[gates]\ngo_reasons = \"required\"\n").unwrap_err();
        assert!(e.starts_with("c.toml:2: "), "{e}");
    }
}
