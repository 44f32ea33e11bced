//! `runsheet config`: the configuration file, documented by a commented default.

use crate::cli::EXIT_OK;
use crate::cli::common::line;
use clap::Args;
use std::io::Write;

/// The commented default configuration.
pub const DEFAULT_CONFIG: &str = include_str!("../../assets/config.default.toml");

/// `config`.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Print a commented default configuration (every setting explained).
    #[arg(long)]
    pub print_default: bool,
}

/// Prints the default configuration, or where the configuration file is and what it sets.
pub fn run(a: ConfigArgs) -> color_eyre::Result<i32> {
    let mut out = std::io::stdout().lock();
    if a.print_default {
        out.write_all(DEFAULT_CONFIG.as_bytes())?;
        return Ok(EXIT_OK);
    }
    match crate::store::identity::config_path() {
        Some(path) if path.exists() => {
            line(&mut out, &format!("{} (exists)", path.display()))?;
            let actor = crate::store::identity::current(None);
            line(
                &mut out,
                &format!("operator in force: {}", actor.describe()),
            )?;
        }
        Some(path) => line(
            &mut out,
            &format!(
                "{} (not created; `runsheet config --print-default > {}` writes a commented one)",
                path.display(),
                path.display()
            ),
        )?,
        None => line(
            &mut out,
            "no home directory known: no configuration file is read",
        )?,
    }
    let log = match crate::log::state() {
        Some(Ok(path)) => format!(
            "log: {} (daily files, {} kept; --log-level to change how much)",
            path.display(),
            crate::log::KEEP_FILES
        ),
        Some(Err(why)) => format!("log: none ({why})"),
        None => "log: none".to_owned(),
    };
    line(&mut out, &log)?;
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::DEFAULT_CONFIG;

    #[test]
    fn default_config_is_valid_toml_with_nothing_set() {
        let table: toml::Table = DEFAULT_CONFIG.parse().expect("valid TOML");
        assert!(table.is_empty(), "every setting is commented out");
        assert!(DEFAULT_CONFIG.contains("# operator = "));
    }
}
