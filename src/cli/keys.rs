//! `runsheet keys`: the key bindings in force (defaults plus `~/.config/runsheet/keymap.toml`).

use crate::cli::{EXIT_ERROR, EXIT_OK};
use crate::input::Keymap;
use clap::Args;
use std::io::Write;

/// `keys`.
#[derive(Debug, Clone, Args)]
pub struct KeysArgs {
    /// Print the shipped defaults (a valid keymap.toml to start from) instead of the bindings in force.
    #[arg(long)]
    pub default: bool,
}

/// Prints the keymap: mode, keys, what they do.
pub fn run(a: KeysArgs) -> color_eyre::Result<i32> {
    let mut out = std::io::stdout().lock();
    if a.default {
        out.write_all(crate::input::DEFAULT_KEYMAP.as_bytes())?;
        return Ok(EXIT_OK);
    }
    let (keymap, problem): (Keymap, _) = Keymap::load();
    let width = keymap
        .bindings
        .iter()
        .map(|b| keys_text(b).chars().count())
        .max()
        .unwrap_or(4);
    let mut mode = None;
    for b in &keymap.bindings {
        if mode != Some(b.mode) {
            mode = Some(b.mode);
            writeln!(out, "\n[{}]", b.mode.as_str())?;
        }
        writeln!(out, "  {:width$}  {}", keys_text(b), b.desc)?;
    }
    if let Some(path) = crate::input::user_path() {
        writeln!(out, "\noverrides: {}", path.display())?;
    }
    if let Some(e) = problem {
        crate::cli::common::say(&format!("runsheet: {e}"));
        return Ok(EXIT_ERROR);
    }
    Ok(EXIT_OK)
}

fn keys_text(b: &crate::input::Binding) -> String {
    b.keys
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" / ")
}
