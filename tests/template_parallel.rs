//! The parse on a second thread, in pieces, hands the walk exactly the events of one serial
//! parse: for every file of the corpus, the fixtures and the shipped templates, cut at every
//! place a cut is allowed and at a few piece sizes; for generated documents made of the blocks
//! that make cutting hard (fences and HTML holding heading lines, front matter, `---` lines,
//! reference definitions, lists, quotes, tables); and a large load is the same template either
//! way. The corpus part skips with a message on a machine without `../shared/corpus` and fails
//! under `CI=true`.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "support/tools.rs"]
mod tools;

#[path = "../benches/support/generate.rs"]
mod generate;

use proptest::prelude::*;
use runsheet::template::parser::events::{Mode, Pieces, for_each_in};
use runsheet::template::parser::options_for;
use runsheet::template::{self, LoadOptions, ParseMode};
use std::ops::Range;
use std::path::{Path, PathBuf};

type Events = Vec<(String, Range<usize>)>;

fn events(src: &str, mode: Mode, pieces: Pieces) -> Events {
    let mut out = Vec::new();
    for_each_in(src, options_for(src), mode, pieces, |e, r| {
        out.push((format!("{e:?}"), r))
    });
    out
}

/// Cut wherever the text allows, with the calling thread parsing only to the first cut.
const EVERY_CUT: Pieces = Pieces { first: 1, rest: 1 };

fn piece_sizes(len: usize) -> [Pieces; 4] {
    [
        EVERY_CUT,
        Pieces {
            first: 1,
            rest: 2048,
        },
        Pieces {
            first: len / 2,
            rest: 1,
        },
        Pieces::for_len(len),
    ]
}

/// The first difference between the parallel and the serial events of `src`, if any.
fn difference(src: &str) -> Option<String> {
    let serial = events(src, Mode::Serial, Pieces::for_len(src.len()));
    for pieces in piece_sizes(src.len()) {
        let parallel = events(src, Mode::Parallel, pieces);
        if parallel != serial {
            let at = parallel
                .iter()
                .zip(&serial)
                .position(|(a, b)| a != b)
                .unwrap_or(parallel.len().min(serial.len()));
            return Some(format!(
                "{pieces:?}: event {at} is {:?}, serially {:?} ({} events, serially {})",
                parallel.get(at),
                serial.get(at),
                parallel.len(),
                serial.len()
            ));
        }
    }
    None
}

/// The text the walk sees: valid UTF-8 (the corpus holds a few damaged files), `\n` line endings.
fn text_of(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

fn assert_no_difference(files: &[PathBuf]) {
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| difference(&text_of(f)).map(|d| format!("{}: {d}", f.display())))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_and_shipped_template_parses_to_the_serial_events_cut_anywhere() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    markdown_files(&root.join("tests/fixtures"), &mut files);
    markdown_files(&root.join("templates"), &mut files);
    assert!(files.len() >= 20, "{} files", files.len());
    assert_no_difference(&files);
}

/// The corpus's Markdown files in name order; `None` (after the skip message, or a failure under
/// `CI=true`) on a machine without `../shared/corpus`.
fn corpus_files() -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !tools::require(
        dir.is_dir(),
        "../shared/corpus",
        "template_parallel",
        "check out ../shared beside the repo",
    ) {
        return None;
    }
    let mut files = Vec::new();
    markdown_files(&dir, &mut files);
    files.sort();
    assert!(files.len() >= 30, "{} corpus files", files.len());
    Some(files)
}

#[test]
fn every_corpus_file_parses_to_the_serial_events_cut_anywhere() {
    let Some(files) = corpus_files() else {
        return;
    };
    assert_no_difference(&files);
}

/// Lines that open, close or cut blocks, to put into real files at random places.
const INSERTS: [&str; 31] = [
    "\n\n# x\n\n",
    "\n\n## y\n",
    "\n\n#\n",
    "\n```\n",
    "\n~~~~\n",
    "\n<!--\n",
    "\n-->\n",
    "\n<pre>\n",
    "\n</pre>\n",
    "\n<div>\n",
    "\n---\n",
    "\n---\nk: v\n",
    "\n...\n",
    "\n+++\n",
    "\n> ",
    "\n- ",
    "\n    ",
    "\n- \n",
    "\n1.\n",
    "\n* \n\n",
    "\n  \n",
    "\n\t\n",
    "\n\n\n",
    "\n| a |\n|---|\n",
    "\n[x]: /u\n",
    "\nT\n---\n",
    "\n> - [ ] q\n",
    "\n  - [x] n\n",
    "\n\n# h\n\n```\n",
    "`",
    "*",
];

#[test]
fn corpus_files_with_blocks_put_in_at_random_parse_to_the_serial_events_cut_anywhere() {
    let Some(files) = corpus_files() else {
        return;
    };
    // xorshift: the same documents on every run.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % (1 << 31)).expect("31 bits")
    };
    let mut failures = Vec::new();
    for file in &files {
        let text = text_of(file);
        for _ in 0..8 {
            let mut src = text.clone();
            for _ in 0..1 + next() % 6 {
                let mut at = next() % (src.len() + 1);
                while !src.is_char_boundary(at) {
                    at -= 1;
                }
                src.insert_str(at, INSERTS[next() % INSERTS.len()]);
            }
            if next() % 4 == 0 {
                src.insert_str(0, "---\nt: 1\n---\n");
            }
            if let Some(d) = difference(&src) {
                failures.push(format!("{}, changed: {d}\n{src:?}", file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_large_checklist_loads_to_the_same_template_on_one_thread_or_two() {
    let text = generate::generate(3_000);
    let load = |parse| {
        template::parse_str_with(
            "gen.md",
            &text,
            LoadOptions {
                parse,
                ..LoadOptions::default()
            },
        )
        .expect("loads")
    };
    let serial = load(ParseMode::Serial);
    assert!(serial.items.len() >= 3_000, "{} items", serial.items.len());
    assert_eq!(load(ParseMode::Parallel), serial);
    assert_eq!(load(ParseMode::Auto), serial);
}

/// Blocks that make cutting hard, and headings to cut before.
fn block() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z ]{1,12}".prop_map(|t| format!("# {t}\n\n")),
        1 => Just("## Step 2: go\n\n".to_owned()),
        2 => "[a-z]{1,8}".prop_map(|t| format!("- [ ] {t}\n  - [x] sub\n\n")),
        1 => Just("1. one\n\n   ```\n   x\n\n# in a list fence\n   ```\n\n".to_owned()),
        2 => Just("```bash\necho\n\n# a comment\n\n# more\n```\n\n".to_owned()),
        1 => Just("  ~~~~\n  code\n\n# inside\n\n  ~~~\n\n".to_owned()),
        1 => Just("```\nnever closed\n\n# x\n\n".to_owned()),
        1 => Just("<!-- note\n\n# hidden\n\n-->\n\n".to_owned()),
        1 => Just("<pre>\n\n# kept\n\n</pre>\n\n".to_owned()),
        1 => Just("<div>\ntext\n\n".to_owned()),
        1 => Just("---\n\n".to_owned()),
        1 => Just("---\nkey: value\n\n".to_owned()),
        1 => Just("...\n\n".to_owned()),
        1 => Just("> quote\n>\n> - [ ] task\n\n".to_owned()),
        1 => Just("| a | b |\n|---|---|\n| 1 | ☐ |\n\n".to_owned()),
        1 => Just("[ref]: https://example.com\n\n".to_owned()),
        1 => Just("see [a link][ref] and *em\n\n".to_owned()),
        1 => Just("Title\n=====\n\n".to_owned()),
        1 => Just("    indented\n\n# after\n".to_owned()),
        1 => Just("text with a hard break\\\nnext &amp; `code`\n\n".to_owned()),
        1 => Just("- \n\n".to_owned()),
        1 => Just("- a\n\n  - b\n\n".to_owned()),
        1 => Just("  \n\t\n\n".to_owned()),
    ]
}

fn document() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just(String::new()),
            Just("---\ntitle: t\n---\n".to_owned()),
            Just("---\ntitle: t\n\n# in front matter\n---\n\n".to_owned()),
            Just("+++\ntitle = 't'\n+++\n\n".to_owned()),
        ],
        proptest::collection::vec(block(), 1..24),
    )
        .prop_map(|(head, blocks)| head + &blocks.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn generated_documents_parse_to_the_serial_events_cut_anywhere(src in document()) {
        prop_assert_eq!(difference(&src), None, "{:?}", src);
    }
}
