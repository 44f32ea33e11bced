//! Where running commands is configured: the `[exec]` table of `~/.config/runsheet/config.toml`,
//! the template's front matter (`exec-timeout`, `exec-cwd`, `exec-auto-tick`, `secrets`), a code
//! block's flags (`timeout=90s`, `auto-tick`) and the command line. See `docs/commands.md`.

use crate::run::event::ExecSetting;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

/// Time limit when nothing sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// Wait between SIGINT/SIGTERM and the next, harder signal.
pub const DEFAULT_KILL_GRACE: Duration = Duration::from_secs(5);
/// Bytes of output kept from the start of a huge output.
pub const DEFAULT_OUTPUT_HEAD: u64 = 1 << 20;
/// Bytes of output kept from the end of a huge output.
pub const DEFAULT_OUTPUT_TAIL: u64 = 1 << 20;

/// The `[exec]` table as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExecConfig {
    /// `false` turns running commands off.
    pub enabled: Option<bool>,
    /// Default time limit (`10m`, `90s`, `1h30m`).
    pub timeout: Option<String>,
    /// Grace between signals (`5s`).
    pub kill_grace: Option<String>,
    /// Directory commands run in (instead of where the run was started).
    pub cwd: Option<String>,
    /// Tick an item when its command exits 0, for every item.
    pub auto_tick: Option<bool>,
    /// Run POSIX shells with `-e` (stop at the first failing command). Default true.
    pub errexit: Option<bool>,
    /// Bytes of a huge output kept from its start and from its end, each (`1MiB`).
    pub output_keep: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    exec: ExecConfig,
}

/// Settings in force for this process (configuration and command line), before the template and
/// the block have their say.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether running is allowed here.
    pub enabled: bool,
    /// What turned it off (`config`, `--no-exec`).
    pub off_by: Option<String>,
    /// Time limit from the configuration.
    pub config_timeout: Option<Duration>,
    /// Time limit from the command line: wins over everything.
    pub timeout_override: Option<Duration>,
    /// Grace between signals.
    pub kill_grace: Duration,
    /// Directory from the configuration or the command line.
    pub cwd: Option<PathBuf>,
    /// `auto_tick = true` in the configuration.
    pub auto_tick: bool,
    /// `-e` for POSIX shells.
    pub errexit: bool,
    /// Head and tail kept of a huge output, each.
    pub output_keep: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            enabled: true,
            off_by: None,
            config_timeout: None,
            timeout_override: None,
            kill_grace: DEFAULT_KILL_GRACE,
            cwd: None,
            auto_tick: false,
            errexit: true,
            output_keep: DEFAULT_OUTPUT_HEAD,
        }
    }
}

impl Settings {
    /// Settings from the configuration file (defaults when there is none). A file that exists but
    /// cannot be read is an error: it might be the one turning running off.
    pub fn load() -> Result<Settings, String> {
        let Some(path) = crate::store::identity::config_path() else {
            return Ok(Settings::default());
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        Settings::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Settings from a configuration file's text.
    pub fn from_toml(text: &str) -> Result<Settings, String> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        let c = file.exec;
        let mut s = Settings::default();
        if c.enabled == Some(false) {
            s.enabled = false;
            s.off_by = Some("config".to_owned());
        }
        if let Some(t) = &c.timeout {
            s.config_timeout = Some(parse_duration(t).map_err(|e| format!("[exec] timeout: {e}"))?);
        }
        if let Some(t) = &c.kill_grace {
            s.kill_grace = parse_duration(t).map_err(|e| format!("[exec] kill_grace: {e}"))?;
        }
        s.cwd = c.cwd.as_deref().map(expand_home);
        s.auto_tick = c.auto_tick.unwrap_or(false);
        s.errexit = c.errexit.unwrap_or(true);
        if let Some(k) = &c.output_keep {
            s.output_keep = parse_size(k).map_err(|e| format!("[exec] output_keep: {e}"))?;
        }
        Ok(s)
    }
}

/// What a new run records about running commands: enabled unless `no_exec` or the configuration
/// says otherwise, and the directory it was started from.
pub fn at_start(no_exec: bool) -> ExecSetting {
    let config_off = Settings::load().is_ok_and(|s| !s.enabled);
    let cwd = std::env::current_dir()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    ExecSetting {
        enabled: !no_exec && !config_off,
        cwd,
        off_by: if no_exec {
            Some("--no-exec".to_owned())
        } else if config_off {
            Some("config".to_owned())
        } else {
            None
        },
    }
}

/// `~/x` → `$HOME/x`.
pub fn expand_home(p: &str) -> PathBuf {
    match p.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map_or_else(|| PathBuf::from(p), |b| b.home_dir().join(rest)),
        None => PathBuf::from(p),
    }
}

/// `90` (seconds), `90s`, `500ms`, `10m`, `1h30m`, `2h`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty duration".to_owned());
    }
    if let Ok(secs) = t.parse::<u64>() {
        if secs == 0 {
            return Err(format!("`{s}`: a time limit must be more than zero"));
        }
        return Ok(Duration::from_secs(secs));
    }
    let mut total = Duration::ZERO;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("`{s}`: expected a number (as in 90s, 10m, 1h30m)"));
        }
        let n: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("`{s}`: number too large"))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let d = match unit.trim() {
            "ms" => Duration::from_millis(n),
            "s" | "sec" | "secs" => Duration::from_secs(n),
            "m" | "min" | "mins" => Duration::from_secs(n.saturating_mul(60)),
            "h" | "hr" | "hrs" => Duration::from_secs(n.saturating_mul(3600)),
            other => return Err(format!("`{s}`: unknown unit `{other}` (use ms, s, m or h)")),
        };
        total = total.saturating_add(d);
    }
    if total.is_zero() {
        return Err(format!("`{s}`: a time limit must be more than zero"));
    }
    Ok(total)
}

/// `4096`, `64KiB`, `1MiB`, `2MB` (bytes).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: u64 = t[..digits]
        .parse()
        .map_err(|_| format!("`{s}`: expected a size such as 1MiB"))?;
    let mult: u64 = match t[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("`{s}`: unknown unit `{other}`")),
    };
    let v = n.saturating_mul(mult);
    if v < 1024 {
        return Err(format!("`{s}`: keep at least 1KiB"));
    }
    Ok(v)
}

/// A short human form of a duration: `0.41 s`, `42 s`, `3 min 5 s`, `1 h 2 min`.
pub fn show_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 10_000 {
        return format!("{:.2} s", d.as_secs_f64());
    }
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 if s.is_multiple_of(60) => format!("{} min", s / 60),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ if s.is_multiple_of(3600) => format!("{} h", s / 3600),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("10 parsecs").is_err());
        assert!(parse_duration("m").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert!(parse_size("10").is_err(), "too small");
    }

    #[test]
    fn config_table() {
        let s = Settings::from_toml(
            "operator = \"x\"\n[exec]\nenabled = false\ntimeout = \"30m\"\nauto_tick = true\n",
        )
        .unwrap();
        assert!(!s.enabled);
        assert_eq!(s.off_by.as_deref(), Some("config"));
        assert_eq!(s.config_timeout, Some(Duration::from_secs(1800)));
        assert!(s.auto_tick);
        assert!(
            Settings::from_toml("[exec]\nenable = false\n").is_err(),
            "typo is an error"
        );
        assert!(Settings::from_toml("operator = \"x\"\n").unwrap().enabled);
    }

    #[test]
    fn the_documented_default_table_parses() {
        let mut table = String::new();
        let mut inside = false;
        for line in crate::cli::config::DEFAULT_CONFIG.lines() {
            if line.starts_with("# [exec]") {
                inside = true;
            } else if inside && !line.starts_with("# ") {
                break;
            }
            if inside {
                table.push_str(line.trim_start_matches("# "));
                table.push('\n');
            }
        }
        assert!(table.contains("enabled = true"), "{table}");
        let s = Settings::from_toml(&table).unwrap();
        assert!(s.enabled && s.errexit && !s.auto_tick);
        assert_eq!(s.config_timeout, Some(DEFAULT_TIMEOUT));
        assert_eq!(s.kill_grace, DEFAULT_KILL_GRACE);
        assert_eq!(s.output_keep, DEFAULT_OUTPUT_HEAD);
    }

    #[test]
    fn durations_for_people() {
        assert_eq!(show_duration(Duration::from_millis(410)), "0.41 s");
        assert_eq!(show_duration(Duration::from_secs(185)), "3 min 5 s");
    }
}
