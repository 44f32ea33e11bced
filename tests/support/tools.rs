//! Tests that need an outside tool (tmux, Chromium, PostgreSQL, `../shared/corpus`) ask here first.
//!
//! On a developer's machine without the tool the test prints why it skipped and returns; under
//! `CI=true` a missing tool fails the test instead, so CI can never go green by skipping.
#![allow(dead_code)]

/// Whether the test runs under CI (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// `true` when `available`; otherwise prints a skip message naming `tool` and `test`, or panics
/// under CI.
pub fn require(available: bool, tool: &str, test: &str, how: &str) -> bool {
    if available {
        return true;
    }
    assert!(
        !in_ci(),
        "{test}: {tool} is missing and CI=true: a CI run must not skip this test ({how})"
    );
    eprintln!("SKIPPED {test}: {tool} not available ({how})");
    false
}

/// Whether `program --version`-style probing with `args` starts at all.
pub fn runs(program: &str, args: &[&str]) -> bool {
    std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}
