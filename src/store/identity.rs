//! Who is making a change: OS user from the effective uid, host name, and a chosen display name.

use crate::run::event::Actor;
use crate::text::sanitize::clean_line;
use std::path::PathBuf;

/// Environment variable giving the operator's display name.
pub const OPERATOR_ENV: &str = "RUNSHEET_OPERATOR";

/// `~/.config/runsheet/config.toml` (honouring `XDG_CONFIG_HOME`).
pub fn config_path() -> Option<PathBuf> {
    crate::config::path()
}

/// Reads a `config.toml`: the operator name it sets, or `file:line: what is wrong` (every setting
/// is checked, not only the name: see [`crate::config::parse`]).
pub fn parse_config(name: &str, text: &str) -> Result<Option<String>, String> {
    crate::config::parse(name, text).map(|c| c.operator)
}

/// What is wrong with `~/.config/runsheet/config.toml`, if it exists and cannot be used.
pub fn config_problem() -> Option<String> {
    let path = config_path()?;
    let text = std::fs::read_to_string(&path).ok()?;
    parse_config(&path.display().to_string(), &text).err()
}

fn configured_operator() -> Option<String> {
    let path = config_path()?;
    let text = std::fs::read_to_string(&path).ok()?;
    parse_config("config.toml", &text).ok()?
}

/// The OS account name of the effective uid (looked up in the user database, never `$USER`).
pub fn os_user() -> String {
    whoami::username().unwrap_or_else(|_| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self")
            .map_or_else(|_| "unknown".to_owned(), |m| format!("uid{}", m.uid()))
    })
}

/// This machine's host name (sanitised), as recorded in `by.host`.
pub fn host() -> String {
    clean_line(&whoami::hostname().unwrap_or_else(|_| "unknown-host".to_owned()))
}

/// The current actor: display name from `as_name`, else `RUNSHEET_OPERATOR`, else `operator` in the
/// config file, else the OS user. Everything is sanitised.
pub fn current(as_name: Option<&str>) -> Actor {
    let user = clean_line(&os_user());
    let host = host();
    let name = as_name
        .map(str::to_owned)
        .or_else(|| std::env::var(OPERATOR_ENV).ok())
        .or_else(configured_operator)
        .map(|n| clean_line(n.trim()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| user.clone());
    Actor { user, host, name }
}
