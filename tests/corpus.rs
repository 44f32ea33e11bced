//! Loads every file of `../shared/corpus` (when it exists): no panic, GFM task counts and checked
//! states equal what `cmark-gfm -e tasklist -e table` renders (from `gfm-counts.tsv`), mojibake
//! repaired. Skips with a message on a machine without the corpus; fails under `CI=true`.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "support/tools.rs"]
mod tools;

use runsheet::template::{self, LoadErrorKind};
use std::path::{Path, PathBuf};

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.join("gfm-counts.tsv").is_file().then_some(dir)
}

struct Expected {
    file: String,
    tasks: usize,
    checked: usize,
}

fn expectations(dir: &Path) -> Vec<Expected> {
    let tsv = std::fs::read_to_string(dir.join("gfm-counts.tsv")).expect("gfm-counts.tsv readable");
    tsv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Expected {
                file: cols[0].to_owned(),
                tasks: cols[1].parse().expect("task count"),
                checked: cols[2].parse().expect("checked count"),
            }
        })
        .collect()
}

#[test]
fn every_corpus_file_matches_gfm_task_counts() {
    let Some(dir) = corpus_dir() else {
        tools::require(
            false,
            "../shared/corpus",
            "corpus",
            "check out ../shared beside the repo",
        );
        return;
    };
    let expected = expectations(&dir);
    assert!(
        expected.len() >= 30,
        "corpus lists {} files",
        expected.len()
    );
    let mut failures = Vec::new();
    for e in &expected {
        let path = dir.join(&e.file);
        match template::load_path(&path) {
            Ok(t) => {
                let gfm: Vec<_> = t.items.iter().filter(|i| i.is_gfm_task()).collect();
                let checked = gfm.iter().filter(|i| i.checked).count();
                if gfm.len() != e.tasks || checked != e.checked {
                    failures.push(format!(
                        "{}: gfm tasks {} checked {}; runsheet {} checked {}",
                        e.file,
                        e.tasks,
                        e.checked,
                        gfm.len(),
                        checked
                    ));
                }
            }
            Err(err) if e.tasks == 0 && err.kind == LoadErrorKind::NoItems => {}
            Err(err) => failures.push(format!("{}: {err}", e.file)),
        }
    }
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
}

#[test]
fn every_corpus_file_loads_or_fails_cleanly() {
    let Some(dir) = corpus_dir() else {
        tools::require(
            false,
            "../shared/corpus",
            "corpus",
            "check out ../shared beside the repo",
        );
        return;
    };
    for sub in ["seeds", "public"] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("corpus dir") {
            let path = entry.expect("entry").path();
            match template::load_path(&path) {
                Ok(t) => {
                    assert!(!t.items.is_empty());
                    for item in &t.items {
                        assert!(
                            !item.text.chars().any(char::is_control),
                            "{}: control char in item text",
                            path.display()
                        );
                    }
                }
                Err(e) => assert_eq!(e.kind, LoadErrorKind::NoItems, "{}", path.display()),
            }
        }
    }
}

#[test]
fn mojibake_seeds_load_repaired() {
    let Some(dir) = corpus_dir() else {
        tools::require(
            false,
            "../shared/corpus",
            "corpus",
            "check out ../shared beside the repo",
        );
        return;
    };
    let mut repaired_files = 0;
    for entry in std::fs::read_dir(dir.join("seeds")).expect("seeds") {
        let path = entry.expect("entry").path();
        let raw = std::fs::read_to_string(&path).expect("utf-8 seed");
        let t = template::load_path(&path).expect("seed loads");
        let all_text: String = t
            .sections
            .iter()
            .map(|s| s.title.as_str())
            .chain(t.items.iter().map(|i| i.text.as_str()))
            .collect::<Vec<_>>()
            .join("\n");
        for bad in ["âœ", "â‰", "ðŸ", "â€"] {
            assert!(
                !all_text.contains(bad),
                "{}: {bad} left unrepaired",
                path.display()
            );
        }
        if raw.contains("âœ") {
            repaired_files += 1;
            assert!(t.repairs > 0, "{}: repairs counted", path.display());
            assert!(all_text.contains('✅'), "{}: ✅ restored", path.display());
        }
    }
    assert!(repaired_files >= 1, "at least one seed carries mojibake");
}
