//! `keymap.toml` and `config.toml` as operators write them: every file under
//! `tests/fixtures/config/valid/{keymap,config}` loads; every file under `…/invalid/…` is refused
//! with exactly the line its first comment gives (`# expect: FILE:LINE: what is wrong`).
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::input::Keymap;
use runsheet::store::identity::parse_config;
use std::path::{Path, PathBuf};

fn files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {}", root.display());
    out
}

fn read(p: &Path) -> (String, String) {
    let name = p.file_name().expect("name").to_string_lossy().into_owned();
    (name, std::fs::read_to_string(p).expect("read"))
}

fn expected(name: &str, text: &str) -> String {
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("# expect: "))
        .unwrap_or_else(|| panic!("{name}: the first line must be `# expect: …`"))
        .to_owned()
}

/// What loading a file says, as the operator sees it: `keymap`/`config` problems are one line.
fn load(kind: &str, name: &str, text: &str) -> Result<(), String> {
    match kind {
        "keymap" => Keymap::with_overrides(name, text)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        _ => parse_config(name, text).map(|_| ()),
    }
}

#[test]
fn valid_files_load() {
    for kind in ["keymap", "config"] {
        for p in files(&format!("valid/{kind}")) {
            let (name, text) = read(&p);
            load(kind, &name, &text).unwrap_or_else(|e| panic!("{kind} {name}: {e}"));
        }
    }
    let (name, text) = read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/config/valid/config/operator.toml"),
    );
    assert_eq!(parse_config(&name, &text), Ok(Some("Dana Ops".to_owned())));
}

#[test]
fn invalid_files_say_exactly_what_and_where() {
    for kind in ["keymap", "config"] {
        for p in files(&format!("invalid/{kind}")) {
            let (name, text) = read(&p);
            let want = expected(&name, &text);
            match load(kind, &name, &text) {
                Ok(()) => panic!("{kind} {name} loaded; expected: {want}"),
                Err(got) => {
                    assert!(!got.contains('\n'), "{name}: one line, not: {got}");
                    assert_eq!(got, want, "{kind} {name}");
                }
            }
        }
    }
}
