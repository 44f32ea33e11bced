//! Markdown checklist → [`Template`]: the loader.
//!
//! Bytes are decoded ([`decode`]), mojibake repaired ([`repair`]), the Markdown walked once over
//! pulldown-cmark events ([`parser`]), and stable ids assigned ([`ids`]). Everything that reaches the
//! model is sanitised ([`sanitize`]).

pub mod code_flags;
pub mod decode;
pub mod frontmatter;
pub mod ids;
pub mod inline;
pub mod lines;
pub mod metadata;
pub mod parser;
pub mod prescan;
pub mod recognize;
pub mod repair;
pub mod tree;
pub mod variables;

pub use parser::events::Mode as ParseMode;

use crate::model::{MetaField, Template, Variable, Warning};
use lines::LineIndex;
use parser::WalkOptions;
use std::path::Path;

/// The loader's rules, as a number a run records when it starts (`rules` in its start event), so
/// that its template copy is read the same way for as long as the run lasts: the item ids its
/// journal refers to never move under it when runsheet is upgraded.
///
/// - 1: before numbered steps, plain bullets and pasted checkbox glyphs could be items, and before
///   a status-table row's text took a description column after a short label.
/// - 2: before numbered headings (`## Step 2: Promote`) could be items, and while a
///   `Go/No-Go: ____` line was both a sign-off by a "Go/No-Go" role and a gate, with the blanks in
///   the gate's text.
/// - 3: this version.
pub const LOADER_RULES: u32 = 3;

/// How to read a template beyond the Markdown itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Numbered list items (`1. Drain the node`) are items even when the file has checkboxes
    /// (`--steps`; also front matter `steps: true`). Without it they are items only in a file
    /// with no checkbox at all.
    pub steps: bool,
    /// The loader rules to read with ([`LOADER_RULES`] unless a run recorded older ones).
    pub rules: u32,
    /// Where pulldown-cmark parses: mostly on a second thread, beside the walk, for a large file
    /// ([`ParseMode::Auto`]), or all on the calling thread. The template is the same either way.
    pub parse: ParseMode,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            steps: false,
            rules: LOADER_RULES,
            parse: ParseMode::Auto,
        }
    }
}

/// Largest template read (bytes). Real checklists are kilobytes; this guards against reading a
/// mistaken path such as a disk image.
pub const MAX_TEMPLATE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a template could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadErrorKind {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// Larger than [`MAX_TEMPLATE_BYTES`].
    #[error("the file is {0} bytes; templates are limited to 64 MiB — is this the right file?")]
    TooLarge(u64),
    /// Not UTF-8.
    #[error("not valid UTF-8 at byte {offset} (line {line}); save the file as UTF-8 and try again")]
    InvalidUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// Its 1-based line.
        line: usize,
    },
    /// A UTF-16 BOM but broken UTF-16.
    #[error("starts with a UTF-16 byte order mark but is not valid UTF-16; save it as UTF-8")]
    InvalidUtf16,
    /// NUL bytes: a binary file.
    #[error(
        "looks like a binary file (NUL byte at byte {offset}, line {line}); give a Markdown checklist"
    )]
    Binary {
        /// Byte offset of the first NUL.
        offset: usize,
        /// Its 1-based line.
        line: usize,
    },
    /// Nothing but whitespace.
    #[error("the file is empty; write a checklist such as `- [ ] first step`")]
    Empty,
    /// Markdown without anything to do.
    #[error(
        "no checklist items found: write tasks as `- [ ] step`, a table with a Status column, or sign-off lines like `Tech Lead: ____`"
    )]
    NoItems,
}

/// A template that cannot be loaded, with the file it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {kind}")]
pub struct LoadError {
    /// The file name as given.
    pub file: String,
    /// What went wrong.
    pub kind: LoadErrorKind,
}

/// Reads and loads a template file.
pub fn load_path(path: &Path) -> Result<Template, LoadError> {
    load_path_with(path, LoadOptions::default())
}

/// [`load_path`] with options.
pub fn load_path_with(path: &Path, opts: LoadOptions) -> Result<Template, LoadError> {
    let name = path.display().to_string();
    let err = |kind| LoadError {
        file: name.clone(),
        kind,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(LoadErrorKind::Io(e.to_string())))?;
    if meta.is_dir() {
        return Err(err(LoadErrorKind::Io("is a directory".into())));
    }
    if meta.len() > MAX_TEMPLATE_BYTES {
        return Err(err(LoadErrorKind::TooLarge(meta.len())));
    }
    let bytes = std::fs::read(path).map_err(|e| err(LoadErrorKind::Io(e.to_string())))?;
    parse_bytes_with(&name, &bytes, opts)
}

/// Loads a template from bytes; `name` is used in errors and as the fallback title.
pub fn parse_bytes(name: &str, bytes: &[u8]) -> Result<Template, LoadError> {
    parse_bytes_with(name, bytes, LoadOptions::default())
}

/// [`parse_bytes`] with options.
pub fn parse_bytes_with(
    name: &str,
    bytes: &[u8],
    opts: LoadOptions,
) -> Result<Template, LoadError> {
    let text = decode::decode(bytes).map_err(|kind| LoadError {
        file: name.to_owned(),
        kind,
    })?;
    parse_text(name, &text, opts)
}

/// Loads a template from text; `name` is used in errors and as the fallback title.
pub fn parse_str(name: &str, text: &str) -> Result<Template, LoadError> {
    parse_str_with(name, text, LoadOptions::default())
}

/// [`parse_str`] with options.
pub fn parse_str_with(name: &str, text: &str, opts: LoadOptions) -> Result<Template, LoadError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(LoadError {
            file: name.to_owned(),
            kind: LoadErrorKind::Empty,
        });
    }
    parse_text(name, &decode::normalize_newlines(text), opts)
}

/// Whether front matter asks for numbered steps as items (`steps: true`).
fn front_matter_steps(metadata: &[MetaField]) -> bool {
    metadata.iter().any(|f| {
        f.name.trim().eq_ignore_ascii_case("steps")
            && matches!(
                f.value.trim().to_ascii_lowercase().as_str(),
                "true" | "yes" | "on" | "1"
            )
    })
}

fn parse_text(name: &str, text: &str, opts: LoadOptions) -> Result<Template, LoadError> {
    let mut scan = prescan::scan(text);
    let repaired = match scan.first_non_ascii {
        Some(from) => repair::repair_from(text, from),
        None => repair::Repaired::unchanged(text),
    };
    let text: &str = &repaired.text;
    if repaired.count > 0 {
        scan = prescan::scan(text);
    }
    let lines = LineIndex::from_starts(std::mem::take(&mut scan.line_starts));
    let clean = scan.needs_cleaning;
    let items_hint = scan.item_lines;
    let mut walk = WalkOptions {
        rules: opts.rules,
        parse: opts.parse,
        ..WalkOptions::default()
    };
    let legacy = walk.legacy();
    walk.steps = opts.steps && !legacy;
    let mut out = parser::walk(text, &lines, walk, clean, items_hint, &[]);
    if !walk.steps && !legacy && front_matter_steps(&out.metadata) {
        walk.steps = true;
        out = parser::walk(text, &lines, walk, clean, items_hint, &[]);
    }
    // Numbered headings (`## Step 2: Promote`) are steps wherever numbered list items are.
    // (Only asked where steps can be items: a file with checkboxes and no `--steps` has none.)
    let step_sections = if walk.rules2() || (!walk.steps && out.checkboxes > 0) {
        Vec::new()
    } else {
        parser::step_sections(&out.sections)
    };
    let heading_steps = step_sections.iter().filter(|&&s| s).count();
    let mut note: Option<Warning> = None;
    if legacy {
        // Rules 1 knew neither numbered steps nor plain bullets as items.
    } else if !walk.steps && out.checkboxes == 0 && (out.steps.0 > 0 || heading_steps > 0) {
        // A numbered procedure without checkboxes: its steps are the checklist.
        let (count, line) = out.steps;
        let first_heading = out
            .sections
            .iter()
            .zip(&step_sections)
            .find_map(|(s, &step)| step.then_some(s.line));
        let line = match first_heading {
            Some(h) if count == 0 || h < line => h,
            _ => line,
        };
        walk.steps = true;
        out = parser::walk(text, &lines, walk, clean, items_hint, &step_sections);
        let what = match (count, heading_steps) {
            (n, 0) => format!("its {n} numbered step(s) were"),
            (0, h) => format!("its {h} numbered heading(s) were"),
            (n, h) => format!("its {n} numbered step(s) and {h} numbered heading(s) were"),
        };
        note = Some(Warning {
            line,
            message: format!(
                "no checkboxes in the file: {what} loaded as items \
                 (add `steps: true` to the front matter, or pass --steps, to keep them as items \
                 when the file gets checkboxes)"
            ),
        });
    } else if walk.steps && heading_steps > 0 {
        // Steps asked for (`--steps`, `steps: true`): the numbered headings too.
        out = parser::walk(text, &lines, walk, clean, items_hint, &step_sections);
    } else if out.checkboxes == 0
        && out.steps.0 == 0
        && out.table_rows == 0
        && out.item_like_tables == 0
        && out.bullets.0 > 0
    {
        // Neither checkboxes, numbered steps nor tables: the bullets are the checklist. (A file
        // with tables of two or more rows and columns reads them as the checklist instead, below,
        // as it always did.)
        let (count, line) = out.bullets;
        walk.bullets = true;
        out = parser::walk(text, &lines, walk, clean, items_hint, &[]);
        note = Some(Warning {
            line,
            message: format!(
                "no checkboxes, numbered steps or tables in the file: its {count} bullet(s) were \
                 loaded as items"
            ),
        });
    }
    let mut fallback = false;
    if out.items.is_empty() && out.item_like_tables > 0 {
        walk.tables_as_items = true;
        out = parser::walk(text, &lines, walk, clean, items_hint, &[]);
        fallback = true;
    }
    let mut warnings = out.warnings;
    warnings.extend(note);
    if fallback && let Some(first) = out.items.first() {
        warnings.push(Warning {
            line: first.line,
            message: "no checkboxes, status columns or sign-offs in the file: the rows of its tables were loaded as open items".to_owned(),
        });
    }
    if let Some(offset) = repaired.first_offset {
        warnings.push(Warning {
            line: lines.line(offset),
            message: format!(
                "repaired {} mojibake sequence(s) (UTF-8 text that had been read as Windows-1252 or Mac Roman, e.g. `âœ…` for `✅`); re-save the file as UTF-8",
                repaired.count
            ),
        });
    }
    warn_control_chars(text, &scan.unsafe_at, &lines, &mut warnings);
    warnings.sort_by_key(|w| w.line);

    let mut metadata = out.metadata;
    let title = frontmatter::title(&metadata)
        .map(|t| crate::text::sanitize::clean_line(&t))
        .or(out.h1_title)
        .unwrap_or_else(|| file_title(name));
    let mut sections = out.sections;
    if let Some(i) = out.implicit {
        sections[i].title = title.clone();
    }
    metadata.extend(out.meta_lines);
    let window = metadata::window(&metadata);
    let mut variables: Vec<Variable> = variables::scan_at(text, &scan.braces, |o| lines.line(o));
    variables.extend(out.placeholders);
    let mut template = Template {
        title,
        metadata,
        window,
        sections,
        items: out.items,
        variables,
        warnings,
        repairs: repaired.count,
    };
    if template.items.is_empty() {
        return Err(LoadError {
            file: name.to_owned(),
            kind: LoadErrorKind::NoItems,
        });
    }
    ids::assign(&mut template);
    Ok(template)
}

/// `deploy-window.md` → `deploy-window`.
fn file_title(name: &str) -> String {
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_owned());
    crate::text::sanitize::clean_line(&stem)
}

fn warn_control_chars(
    text: &str,
    unsafe_at: &[usize],
    lines: &LineIndex,
    warnings: &mut Vec<Warning>,
) {
    let mut flagged = 0usize;
    let mut last_line = 0;
    for &offset in unsafe_at {
        let Some(c) = text.get(offset..).and_then(|s| s.chars().next()) else {
            continue;
        };
        let line = lines.line(offset);
        if line == last_line {
            continue;
        }
        last_line = line;
        flagged += 1;
        if flagged <= 20 {
            warnings.push(Warning {
                line,
                message: format!(
                    "control, bidi or zero-width character U+{:04X} shown as a visible mark",
                    u32::from(c)
                ),
            });
        } else {
            break;
        }
    }
}

/// The status character of a list item like `- [-] text` that GFM does not treat as a task:
/// any single non-space character other than `x`/`X` between brackets, followed by a space.
pub fn variant_marker_at(src: &str, start: usize) -> Option<char> {
    let b = src.as_bytes().get(start..)?;
    let blank = |c: &u8| matches!(c, b' ' | b'\t');
    let mut i = b.iter().position(|c| !blank(c))?;
    match b[i] {
        b'-' | b'*' | b'+' => i += 1,
        _ => {
            let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 || digits > 9 || !matches!(b.get(i + digits), Some(b'.' | b')')) {
                return None;
            }
            i += digits + 1;
        }
    }
    if !b.get(i).is_some_and(blank) {
        return None;
    }
    i += b[i..].iter().take_while(|c| blank(c)).count();
    // `[`, one character, `]`: anything else (a GFM task's space or `x` included) is answered here.
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut chars = src.get(start + i + 1..)?.chars();
    let c = chars.next()?;
    if c.is_whitespace() || matches!(c, 'x' | 'X' | ']' | '[') || c.is_ascii_digit() {
        return None;
    }
    let after = chars.as_str().strip_prefix(']')?;
    (after.is_empty() || after.starts_with([' ', '\t', '\n'])).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::variant_marker_at;

    #[test]
    fn variant_markers_after_any_list_marker() {
        for (line, want) in [
            ("- [-] skipped", Some('-')),
            ("  * [~] partly", Some('~')),
            ("+\t[!] urgent", Some('!')),
            ("10) [?] unsure", Some('?')),
            ("3. [é] accented", Some('é')),
            ("- [-]", Some('-')),
            ("- [-]\nnext", Some('-')),
            ("- [ ] a task", None),
            ("- [x] done", None),
            ("- [X] done", None),
            ("- [5] a number", None),
            ("-[-] no space", None),
            ("- [-]glued", None),
            ("- [--] two", None),
            ("1234567890. [-] ten digits", None),
            ("a. [-] a letter", None),
            ("- text [-] later", None),
            ("", None),
        ] {
            assert_eq!(variant_marker_at(line, 0), want, "{line:?}");
        }
        assert_eq!(variant_marker_at("xx\n- [-] y", 3), Some('-'));
        assert_eq!(variant_marker_at("short", 99), None);
    }
}
