//! `runsheet templates` (list built-in and user templates) and `runsheet new NAME [-o FILE]`.

use crate::catalog::{self, Source};
use crate::cli::{EXIT_ERROR, EXIT_OK};
use clap::Args;
use color_eyre::eyre::{WrapErr, eyre};
use std::io::Write;
use std::path::PathBuf;

/// `templates`.
#[derive(Debug, Clone, Args)]
pub struct TemplatesArgs {
    /// Print `[{"name", "source", "title", "items", "path"}]` as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `new`.
#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// Built-in or user template to copy (`runsheet templates` lists them).
    pub name: String,
    /// Where to write the copy (default: `NAME.md` in the current directory; `-` for stdout).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

struct Entry {
    name: String,
    source: &'static str,
    path: Option<PathBuf>,
    title: String,
    items: Option<usize>,
    problem: Option<String>,
}

fn entries() -> Vec<Entry> {
    let mut out: Vec<Entry> = catalog::BUILTINS
        .iter()
        .map(|b| {
            let t = crate::template::parse_str(b.name, b.text);
            Entry {
                name: b.name.to_owned(),
                source: "built-in",
                path: None,
                title: t
                    .as_ref()
                    .map_or_else(|_| String::new(), |t| t.title.clone()),
                items: t.as_ref().ok().map(|t| t.items.len()),
                problem: t.err().map(|e| e.to_string()),
            }
        })
        .collect();
    for (name, path) in catalog::user_templates() {
        let t = crate::template::load_path(&path);
        out.push(Entry {
            name: crate::text::sanitize::clean_line(&name),
            source: "user",
            title: t
                .as_ref()
                .map_or_else(|_| String::new(), |t| t.title.clone()),
            items: t.as_ref().ok().map(|t| t.items.len()),
            problem: t.err().map(|e| e.to_string()),
            path: Some(path),
        });
    }
    out
}

/// Lists the templates `runsheet start NAME` accepts.
pub fn list(a: TemplatesArgs) -> color_eyre::Result<i32> {
    let all = entries();
    let mut out = std::io::stdout().lock();
    if a.json {
        let v: Vec<_> = all
            .iter()
            .map(|e| {
                serde_json::json!({
                    "name": e.name,
                    "source": e.source,
                    "title": e.title,
                    "items": e.items,
                    "path": e.path.as_ref().map(|p| p.display().to_string()),
                    "error": e.problem,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(EXIT_OK);
    }
    let width = all
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(4);
    for e in &all {
        match (&e.problem, e.items) {
            (None, Some(n)) => writeln!(
                out,
                "{:width$}  {:8}  {:4} items  {}",
                e.name, e.source, n, e.title
            )?,
            (problem, _) => writeln!(
                out,
                "{:width$}  {:8}  cannot load: {}",
                e.name,
                e.source,
                problem.as_deref().unwrap_or("unknown error")
            )?,
        }
    }
    match catalog::user_dir() {
        Some(dir) => writeln!(out, "\nuser templates: {}/NAME.md", dir.display())?,
        None => writeln!(out, "\nuser templates: no home directory known")?,
    }
    writeln!(
        out,
        "start one with: runsheet start NAME   (copy one to edit: runsheet new NAME)"
    )?;
    Ok(EXIT_OK)
}

/// Writes a copy of a built-in or user template.
pub fn new(a: NewArgs) -> color_eyre::Result<i32> {
    let source = catalog::resolve(&a.name);
    let bytes = match &source {
        Source::Builtin(_) => source.read()?,
        Source::File(p) if p.exists() => {
            std::fs::read(p).wrap_err_with(|| format!("reading {}", p.display()))?
        }
        Source::File(_) => {
            let names: Vec<&str> = catalog::BUILTINS.iter().map(|b| b.name).collect();
            crate::cli::common::say(&format!(
                "runsheet: no template named `{}`; built-in templates: {}",
                a.name,
                names.join(", ")
            ));
            return Ok(EXIT_ERROR);
        }
    };
    let stem = a.name.trim_start_matches(catalog::BUILTIN_PREFIX);
    let stem = std::path::Path::new(stem).file_stem().map_or_else(
        || "template".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let target = a
        .output
        .unwrap_or_else(|| PathBuf::from(format!("{stem}.md")));
    if target.as_os_str() == "-" {
        std::io::stdout().lock().write_all(&bytes)?;
        return Ok(EXIT_OK);
    }
    if target.exists() && !a.force {
        return Err(eyre!(
            "{} exists; choose another file with -o, or overwrite it with --force",
            target.display()
        ));
    }
    std::fs::write(&target, &bytes).wrap_err_with(|| format!("writing {}", target.display()))?;
    crate::cli::common::line(
        &mut std::io::stdout().lock(),
        &format!("wrote {} (from {})", target.display(), source.display()),
    )?;
    Ok(EXIT_OK)
}
