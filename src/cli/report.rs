//! `runsheet report RUN [--format md|json|html] [-o FILE]`.

use super::common::{CmdResult, StoreArgs, emit, exit, now, out, say, warn};
use super::status::context;
use crate::report::{html, json, markdown};
use crate::run::view::RunView;
use crate::store::{StoreError, fsutil};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// Report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Markdown.
    Md,
    /// JSON.
    Json,
    /// One self-contained, printable HTML file (inline CSS and SVG, nothing fetched).
    Html,
}

/// `report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "md")]
    pub format: Format,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Data dir.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Runs `report`.
pub fn run(a: ReportArgs) -> color_eyre::Result<i32> {
    exit((|| -> CmdResult {
        let open = a.store.open(&a.run)?;
        warn(&open);
        let events = open.events()?;
        let view = RunView::new(&open.run, &open.template);
        let now = now()?;
        let mut ctx = context(&open);
        ctx.now = Some(now);
        let mut data = json::build(&view, &events, &ctx);
        let utc = now.with_timezone(&chrono::Utc);
        crate::report::commands::attach(
            &mut data.commands,
            open.rundir(),
            a.format == Format::Html,
        );
        let text = match a.format {
            Format::Json => serde_json::to_string_pretty(&data).unwrap_or_default() + "\n",
            Format::Md => markdown::render_at(&data, utc),
            Format::Html => html::render_at(&data, utc),
        };
        match &a.output {
            Some(path) => {
                let dir = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."));
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .ok_or_else(|| {
                        StoreError::Invalid(format!("{}: not a file name", path.display()))
                    })?;
                fsutil::atomic_replace(dir, &name, text.as_bytes())?;
                say(&format!("wrote {}", path.display()));
            }
            None => {
                let mut out = out();
                match a.format {
                    Format::Md => emit(&mut out, &text)?,
                    Format::Json | Format::Html => out.write_all(text.as_bytes())?,
                }
                out.flush()?;
            }
        }
        Ok(())
    })())
}
