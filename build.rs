//! Build script: `RUNSHEET_BUILD_ID`, a hash of what this build is made from (every file under
//! `src/`, `Cargo.toml`, `Cargo.lock`, the compiler's version, the target and the features).
//! The template cache (`store::template_cache`) is trusted only by the build that wrote it.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    for p in ["src", "Cargo.toml", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={p}");
    }
    let mut paths = Vec::new();
    files(Path::new("src"), &mut paths);
    paths.sort();
    paths.push("Cargo.toml".into());
    paths.push("Cargo.lock".into());
    // Two differently seeded SipHash lanes: 128 bits.
    let mut lanes = [
        std::collections::hash_map::DefaultHasher::new(),
        std::collections::hash_map::DefaultHasher::new(),
    ];
    lanes[1].write_u8(0x5a);
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    let features: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("CARGO_FEATURE_"))
        .collect();
    for h in &mut lanes {
        for p in &paths {
            p.hash(h);
            std::fs::read(p).unwrap_or_default().hash(h);
        }
        version.hash(h);
        std::env::var("TARGET").unwrap_or_default().hash(h);
        std::env::var("PROFILE").unwrap_or_default().hash(h);
        let mut f = features.clone();
        f.sort();
        f.hash(h);
    }
    println!(
        "cargo:rustc-env=RUNSHEET_BUILD_ID={:016x}{:016x}",
        lanes[0].finish(),
        lanes[1].finish()
    );
}
