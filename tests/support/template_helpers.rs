//! Shared helpers for the loader tests: fixtures under `tests/fixtures/valid/` and what a loaded
//! template's items read.
#![allow(dead_code)]

use runsheet::model::{Item, Template};
use runsheet::template::{self, LoadOptions};
use std::path::{Path, PathBuf};

/// A fixture under tests/fixtures/valid.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/valid")
        .join(name)
}

/// A fixture loaded with `opts` (a load error fails the test).
pub fn load_with(name: &str, opts: LoadOptions) -> Template {
    template::load_path_with(&fixture(name), opts).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A fixture loaded with the current rules.
pub fn load(name: &str) -> Template {
    load_with(name, LoadOptions::default())
}

/// A template from text (a load error fails the test).
pub fn parse(src: &str) -> Template {
    template::parse_str("inline.md", src).unwrap_or_else(|e| panic!("{e}\n---\n{src}"))
}

/// Every item's text, in order.
pub fn texts(t: &Template) -> Vec<&str> {
    t.items.iter().map(|i| i.text.as_str()).collect()
}

/// The item reading `text`.
pub fn item<'a>(t: &'a Template, text: &str) -> &'a Item {
    t.items
        .iter()
        .find(|i| i.text == text)
        .unwrap_or_else(|| panic!("no item {text:?}; items: {:?}", texts(t)))
}

/// Loader rules `n` (what a run that recorded them reads with).
pub fn rules(n: u32) -> LoadOptions {
    LoadOptions {
        rules: n,
        ..LoadOptions::default()
    }
}
