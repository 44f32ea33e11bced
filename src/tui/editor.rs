//! `$EDITOR` for long notes: the input thread is parked so the editor gets every key.

use super::input::InputThread;
use std::path::Path;
use std::time::Duration;

/// Runs `$VISUAL` / `$EDITOR` (default `vi`) on `text`; returns the edited text.
pub(super) fn edit(input: &InputThread, dir: &Path, text: &str) -> Result<String, String> {
    input.pause(Duration::from_millis(1500));
    let result = run_editor(dir, text);
    input.resume();
    result
}

fn run_editor(dir: &Path, text: &str) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_owned());
    let file = tempfile::Builder::new()
        .prefix("note-")
        .suffix(".md")
        .tempfile_in(dir)
        .map_err(|e| e.to_string())?;
    let mut body = text.to_owned();
    if !body.is_empty() && !body.ends_with('\n') {
        body.push('\n');
    }
    std::fs::write(file.path(), body).map_err(|e| e.to_string())?;
    super::terminal::leave();
    let mut parts = editor.split_whitespace();
    let prog = parts.next().unwrap_or("vi");
    let status = std::process::Command::new(prog)
        .args(parts)
        .arg(file.path())
        .status();
    let _ = super::terminal::enter();
    match status {
        Ok(s) if s.success() => std::fs::read_to_string(file.path()).map_err(|e| e.to_string()),
        Ok(s) => Err(format!("{editor} exited with {s}")),
        Err(e) => Err(format!("{editor}: {e}")),
    }
}
