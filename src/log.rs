//! The log for the morning after: `tracing` events written to a daily-rotated file in the data
//! dir (`<data dir>/logs/runsheet-<user>.<date>.log`, 14 kept), never to the terminal (the screen
//! owns it while the TUI is up, and a script's stderr is its own). Start and exit of every command,
//! hang-ups, storage errors and retries, drift, snapshot and draft saves that failed, each with
//! the run id where there is one. `--log-level` (or `RUNSHEET_LOG_LEVEL`) sets how much;
//! `runsheet config` shows where it goes.
//!
//! A log that cannot be written never stops a command: the problem is kept and `runsheet config`
//! says it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// How many daily files are kept.
pub const KEEP_FILES: usize = 14;

/// How much is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Level {
    /// Nothing.
    Off,
    /// Errors only.
    Error,
    /// Errors and warnings (retries, drift, failed saves).
    Warn,
    /// Also start and exit of each command, runs opened, hang-ups (the default).
    #[default]
    Info,
    /// Also every change appended.
    Debug,
    /// Everything.
    Trace,
}

impl Level {
    fn filter(self) -> tracing_subscriber::filter::LevelFilter {
        use tracing_subscriber::filter::LevelFilter as F;
        match self {
            Level::Off => F::OFF,
            Level::Error => F::ERROR,
            Level::Warn => F::WARN,
            Level::Info => F::INFO,
            Level::Debug => F::DEBUG,
            Level::Trace => F::TRACE,
        }
    }
}

/// Where the log went, or why it did not (for `runsheet config`).
static STATE: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// The log directory of a data root.
pub fn dir(data_root: &Path) -> PathBuf {
    data_root.join("logs")
}

/// The file name prefix for `user` (one file per OS user: a shared group data dir has several).
fn prefix(user: &str) -> String {
    let clean: String = user
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("runsheet-{clean}")
}

/// Today's log file for `user` under `data_root` (the name the rotation uses).
pub fn file(data_root: &Path, user: &str) -> PathBuf {
    let date = chrono::Utc::now().format("%Y-%m-%d");
    dir(data_root).join(format!("{}.{date}.log", prefix(user)))
}

/// Creates the log directory (0700, or the group's setgid mode in a shared data dir) unless it
/// exists; a link or a non-directory there is refused.
fn prepare_dir(data_root: &Path) -> Result<PathBuf, String> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let logs = dir(data_root);
    match std::fs::symlink_metadata(&logs) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(format!("{} is a link: not followed", logs.display()));
        }
        Ok(m) if !m.is_dir() => return Err(format!("{} is not a directory", logs.display())),
        Ok(m) if m.mode() & 0o002 != 0 => {
            return Err(format!("{} is writable by everyone", logs.display()));
        }
        Ok(_) => return Ok(logs),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("{}: {e}", logs.display())),
    }
    let root = std::fs::metadata(data_root).map_err(|e| format!("{}: {e}", data_root.display()))?;
    let shared = root.permissions().mode() & 0o2000 != 0;
    std::fs::DirBuilder::new()
        .mode(if shared { 0o2770 } else { 0o700 })
        .create(&logs)
        .map_err(|e| format!("{}: {e}", logs.display()))?;
    Ok(logs)
}

/// Starts logging to the data root's log directory at `level`. Called once, by the command-line
/// entry point; later calls (tests) change nothing. Never fails a command.
pub fn init(data_root: &Path, user: &str, level: Level) {
    STATE.get_or_init(|| {
        if level == Level::Off {
            return Err("off (--log-level off)".to_owned());
        }
        if !data_root.is_dir() {
            return Err(format!(
                "{} does not exist yet (created by the first `runsheet start`)",
                data_root.display()
            ));
        }
        let logs = prepare_dir(data_root)?;
        let appender = tracing_appender::rolling::RollingFileAppender::builder()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(prefix(user))
            .filename_suffix("log")
            .max_log_files(KEEP_FILES)
            .build(&logs)
            .map_err(|e| format!("{}: {e}", logs.display()))?;
        let subscriber = tracing_subscriber::fmt()
            .with_writer(std::sync::Mutex::new(appender))
            .with_ansi(false)
            .with_target(false)
            .with_max_level(level.filter())
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .map_err(|e| format!("logging already set up: {e}"))?;
        Ok(file(data_root, user))
    });
}

/// Where the log goes (`Ok(path)`), or why there is none.
pub fn state() -> Option<&'static Result<PathBuf, String>> {
    STATE.get()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_per_user_and_cleaned() {
        let f = file(Path::new("/data"), "al ice/../x");
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("runsheet-al_ice____x."), "{name}");
        assert!(name.ends_with(".log"));
        assert_eq!(f.parent().unwrap(), Path::new("/data/logs"));
    }

    #[test]
    fn a_link_as_the_log_dir_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), tmp.path().join("logs")).unwrap();
        let e = prepare_dir(tmp.path()).unwrap_err();
        assert!(e.contains("is a link"), "{e}");
    }

    #[test]
    fn the_log_dir_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let logs = prepare_dir(tmp.path()).unwrap();
        let mode = std::fs::metadata(logs).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o700);
    }
}
