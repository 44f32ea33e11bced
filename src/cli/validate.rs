//! `runsheet validate FILE [--json]`: what runsheet reads in a checklist.

use crate::cli::EXIT_OK;
use crate::template::{self, tree};
use std::io::Write;
use std::path::Path;

/// Loads `file` and prints a summary (or the JSON tree); warnings as `FILE:LINE: message`.
pub fn run(file: &Path, json: bool, steps: bool) -> color_eyre::Result<i32> {
    let opts = template::LoadOptions {
        steps,
        ..template::LoadOptions::default()
    };
    let t = template::load_path_with(file, opts)?;
    let mut out = std::io::stdout().lock();
    if json {
        // Buffered: pretty JSON is one line per value, and stdout flushes at every newline.
        let mut out = crate::cli::common::out_buffered();
        serde_json::to_writer_pretty(&mut out, &tree::to_json(&t))?;
        writeln!(out)?;
        out.flush()?;
        return Ok(EXIT_OK);
    }
    let s = t.stats();
    writeln!(out, "{}", t.title)?;
    writeln!(
        out,
        "  {} sections, {} items ({} checked), {} sign-offs, {} gates, {} code blocks, {} table items, {} timed sections, {} variables",
        s.sections,
        s.items,
        s.checked,
        s.signoffs,
        s.gates,
        s.code_blocks,
        s.table_items,
        s.timed_sections,
        t.variables.len()
    )?;
    if let Some(w) = &t.window {
        let mut parts = Vec::new();
        if let Some(d) = w.date {
            parts.push(d.format("%Y-%m-%d").to_string());
        }
        if let Some(c) = w.time {
            parts.push(c.to_string());
        }
        if let Some(z) = w.zone {
            parts.push(z.name());
        }
        writeln!(
            out,
            "  window: {} (line {}: {})",
            parts.join(" "),
            w.source_line,
            w.source.join("; ")
        )?;
    }
    let names: Vec<&str> = t.variables.iter().map(|v| v.name.as_str()).collect();
    if !names.is_empty() {
        writeln!(out, "  variables: {}", names.join(", "))?;
    }
    if s.repairs > 0 {
        writeln!(out, "  {} mojibake repairs", s.repairs)?;
    }
    let name = file.display();
    if t.warnings.is_empty() {
        writeln!(out, "  no warnings")?;
    } else {
        writeln!(out, "  {} warning(s):", t.warnings.len())?;
        let mut err = std::io::stderr().lock();
        for w in &t.warnings {
            writeln!(err, "{name}:{}: {}", w.line, w.message)?;
        }
    }
    Ok(EXIT_OK)
}
