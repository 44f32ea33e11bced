//! The module table in ARCHITECTURE.md is the layering, checked: every `crate::X` a module's code
//! uses must be listed in the last column ("uses") of that module's rows, and the domain modules
//! never name a terminal type. A new edge is a decision: add it to the table (with why, when it is
//! not obvious) or take it out of the code.

#![allow(clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that must stay free of terminal types (they are used by scripts, reports and tests
/// without a terminal).
const DOMAIN: &[&str] = &[
    "text", "when", "model", "template", "catalog", "run", "store", "report", "exec",
];

/// Crates that are the terminal.
const TERMINAL: &[&str] = &["ratatui", "crossterm", "terminput"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The crate's top-level modules (`src/NAME.rs`), without the crate roots.
fn modules() -> BTreeSet<String> {
    std::fs::read_dir(src())
        .expect("src/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let m = name.strip_suffix(".rs")?.to_owned();
            (m != "lib" && m != "main").then_some(m)
        })
        .collect()
}

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`run/window.rs` → `run`).
fn owner(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .expect("a path")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

/// The product code of a file: unit tests (`tests.rs` files, and everything from a
/// `#[cfg(test)]` on, where this codebase puts its test modules) and comments left out.
fn product_code(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs")
        || path.components().any(|c| c.as_os_str() == "tests")
    {
        return String::new();
    }
    let text = std::fs::read_to_string(path).expect("read source");
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The crate modules a piece of code names: `crate::X…` and `use crate::{X…, Y…}`.
fn crate_refs(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of a grouped import.
            let mut depth = 0usize;
            let mut name = String::new();
            let mut at_start = true;
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        at_start = true;
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 && at_start {
                    if ch.is_alphanumeric() || ch == '_' {
                        name.push(ch);
                        continue;
                    }
                    if !name.is_empty() {
                        found.insert(std::mem::take(&mut name));
                        at_start = false;
                    }
                }
            }
            if !name.is_empty() {
                found.insert(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
        }
    }
    found.retain(|m| modules.contains(m));
    found
}

/// From ARCHITECTURE.md's module table: per top-level module, the crate modules its rows allow
/// (`None`: "everything below").
fn allowed(modules: &BTreeSet<String>) -> BTreeMap<String, Option<BTreeSet<String>>> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .expect("ARCHITECTURE.md");
    let mut table: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').collect();
        if cells.len() < 3 {
            continue;
        }
        let first = cells[0].trim();
        let Some(file) = first.split('`').nth(1) else {
            continue;
        };
        let module = owner(Path::new(file));
        if !modules.contains(&module) {
            continue;
        }
        let uses = cells[cells.len() - 1];
        let entry = table.entry(module).or_insert_with(|| Some(BTreeSet::new()));
        if uses.contains("everything below") {
            *entry = None;
            continue;
        }
        if let Some(set) = entry {
            // Names of crate modules in the column (`template/*` is the module itself).
            for word in uses.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if modules.contains(word) {
                    set.insert(word.to_owned());
                }
            }
        }
    }
    table
}

#[test]
fn every_crate_edge_is_in_the_module_table() {
    let modules = modules();
    let table = allowed(&modules);
    let mut all = Vec::new();
    files(&src(), &mut all);
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &all {
        let rel = path.strip_prefix(src()).expect("under src");
        let module = owner(rel);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(allow) = table.get(&module) else {
            problems.push(format!(
                "src/{}: module `{module}` has no row in ARCHITECTURE.md's module table",
                rel.display()
            ));
            continue;
        };
        for used in crate_refs(&product_code(path), &modules) {
            if used == module {
                continue;
            }
            seen.entry(module.clone()).or_default().insert(used.clone());
            if allow.as_ref().is_some_and(|a| !a.contains(&used)) {
                problems.push(format!(
                    "src/{} uses crate::{used}, but ARCHITECTURE.md's rows for `{module}` do not list `{used}` in their last column",
                    rel.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The check reads something: the known edges are found.
    assert!(
        seen.get("tui")
            .is_some_and(|s| s.contains("app") && s.contains("ui"))
    );
    assert!(seen.get("store").is_some_and(|s| s.contains("run")));
    assert!(
        !seen.get("app").is_some_and(|s| s.contains("tui")),
        "{seen:?}"
    );
}

#[test]
fn domain_modules_name_no_terminal_type() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for m in DOMAIN {
        let mut all = vec![src().join(format!("{m}.rs"))];
        let dir = src().join(m);
        if dir.is_dir() {
            files(&dir, &mut all);
        }
        for path in all.iter().filter(|p| p.exists()) {
            checked += 1;
            let code = std::fs::read_to_string(path).expect("read source");
            for t in TERMINAL {
                if code.contains(&format!("{t}::")) || code.contains(&format!("use {t}")) {
                    problems.push(format!("{} names `{t}`", path.display()));
                }
            }
        }
    }
    assert!(checked > 50, "read {checked} files");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_reader_finds_grouped_and_path_uses() {
    let modules: BTreeSet<String> = ["run", "model", "store", "app"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let code = "use crate::{model::{Item, ItemId}, run::Run};\nlet x = crate::store::open(p);\nuse std::fs;";
    let found = crate_refs(code, &modules);
    assert_eq!(
        found,
        ["model", "run", "store"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    );
}
