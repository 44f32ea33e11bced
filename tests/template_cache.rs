//! The template cache (`runs/<id>/template.cache`): a run opened from it is the run a parse of
//! its template copy gives, and a stale, damaged, foreign or planted cache is never trusted — the
//! run opens exactly as from a parse, with no warning, and nothing outside the run dir is touched.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use runsheet::model::Template;
use runsheet::run::event::{Actor, sha256_hex};
use runsheet::store::template_cache::{self, BUILD_ID, FILE};
use runsheet::store::{OpenRun, StartOptions, Store, open};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

fn actor() -> Actor {
    Actor {
        user: "ops".into(),
        host: "bastion".into(),
        name: "Alice".into(),
    }
}

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut v = Vec::new();
    for sub in ["runs", "valid"] {
        for e in std::fs::read_dir(root.join(sub)).unwrap().flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "md") {
                v.push(p);
            }
        }
    }
    v.sort();
    assert!(v.len() > 10, "fixtures: {v:?}");
    v
}

/// A run of `template` in `tmp`: its directory, and the template a parse of its copy gives.
fn run_of(tmp: &Path, template: &Path, steps: bool) -> (PathBuf, Template) {
    let opts = StartOptions {
        steps,
        ..StartOptions::default()
    };
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-01T21:00:00+01:00").unwrap();
    let created = Store::at(&tmp.join("data"))
        .create(template, &opts, &actor(), now)
        .expect("create");
    let dir = created.dir.clone();
    (dir.clone(), parsed(&dir, &created.run))
}

fn parsed(dir: &Path, run: &runsheet::run::Run) -> Template {
    let bytes = std::fs::read(dir.join("template.md")).unwrap();
    let name = Path::new(&run.template_path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    runsheet::template::parse_bytes_with(&name, &bytes, open::load_options(run)).unwrap()
}

fn cache(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// Opens the run twice: the first open writes the cache, the second reads it.
fn open_twice(dir: &Path) -> (OpenRun, OpenRun) {
    let first = OpenRun::open(dir).expect("open");
    let second = OpenRun::open(dir).expect("open again");
    (first, second)
}

#[test]
fn every_fixture_opens_from_its_cache_as_from_a_parse() {
    let tmp = tempfile::tempdir().unwrap();
    let mut n = 0;
    for (i, f) in fixtures().iter().enumerate() {
        for steps in [false, true] {
            let sub = tmp.path().join(format!("{i}-{steps}"));
            let (dir, want) = run_of(&sub, f, steps);
            let (first, second) = open_twice(&dir);
            assert_eq!(first.template, want, "{} (parsed on open)", f.display());
            assert!(cache(&dir).exists(), "{}: no cache written", f.display());
            assert_eq!(second.template, want, "{} (from the cache)", f.display());
            let rundir = open::open_run_dir(&dir).unwrap();
            let sha = sha256_hex(&std::fs::read(dir.join("template.md")).unwrap());
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let opts = open::load_options(&second.run);
            let key = template_cache::Key {
                sha256: &sha,
                steps: opts.steps,
                rules: opts.rules,
                name: &name,
            };
            assert_eq!(
                template_cache::load(&rundir, &key).as_ref(),
                Some(&want),
                "{}: the cache does not hold the parse",
                f.display()
            );
            assert_eq!(second.warnings, first.warnings, "{}", f.display());
            n += 1;
        }
    }
    assert!(n > 20);
}

#[test]
fn the_cache_has_the_run_dirs_file_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let f = &fixtures()[0];
    let (dir, _) = run_of(tmp.path(), f, false);
    open_twice(&dir);
    let m = std::fs::symlink_metadata(cache(&dir)).unwrap();
    assert!(m.file_type().is_file());
    assert_eq!(m.mode() & 0o777, 0o600);
    assert_eq!(m.nlink(), 1);
}

/// A valid cache of another template's parse, under the key of `dir`'s copy but as `build`
/// wrote it (the checksum recomputed: a consistent file, not a damaged one).
fn forged(dir: &Path, other: &Template, build: &str, sha: &str) -> Vec<u8> {
    let run = OpenRun::open(dir).unwrap().run;
    let opts = open::load_options(&run);
    let name = Path::new(&run.template_path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let key = template_cache::Key {
        sha256: sha,
        steps: opts.steps,
        rules: opts.rules,
        name: &name,
    };
    let mut bytes = template_cache::encode(&key, other);
    assert_eq!(build.len(), BUILD_ID.len());
    let at = bytes
        .windows(BUILD_ID.len())
        .position(|w| w == BUILD_ID.as_bytes())
        .unwrap();
    bytes[at..at + build.len()].copy_from_slice(build.as_bytes());
    let body = bytes.len() - 32;
    let digest = sha2_of(&bytes[..body]);
    bytes[body..].copy_from_slice(&digest);
    bytes
}

fn sha2_of(b: &[u8]) -> [u8; 32] {
    let hex = sha256_hex(b);
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

#[test]
fn a_stale_damaged_or_foreign_cache_is_ignored_and_the_run_opens_as_parsed() {
    let tmp = tempfile::tempdir().unwrap();
    let all = fixtures();
    let (f, other_f) = (&all[0], &all[all.len() - 1]);
    let other = runsheet::template::load_path(other_f).unwrap();
    let (dir, want) = run_of(&tmp.path().join("run"), f, false);
    let (clean, _) = open_twice(&dir);
    let good = std::fs::read(cache(&dir)).unwrap();
    let copy_sha = sha256_hex(&std::fs::read(dir.join("template.md")).unwrap());
    let other_build: String = BUILD_ID.chars().rev().collect();
    let other_build = if other_build == BUILD_ID {
        "0".repeat(BUILD_ID.len())
    } else {
        other_build
    };
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x04;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("a byte flipped", flipped),
        ("cut short", good[..good.len() / 3].to_vec()),
        ("empty", Vec::new()),
        ("not a cache", b"# not a cache\n".to_vec()),
        (
            "another build's, consistent",
            forged(&dir, &other, &other_build, &copy_sha),
        ),
        (
            "for other template bytes (stale)",
            forged(&dir, &other, BUILD_ID, &"ab".repeat(32)),
        ),
    ];
    for (what, bytes) in cases {
        std::fs::write(cache(&dir), &bytes).unwrap();
        let o = OpenRun::open(&dir).expect(what);
        assert_eq!(o.template, want, "{what}: not the parse");
        assert_eq!(o.warnings, clean.warnings, "{what}: a warning for a cache");
        assert!(o.refusal().is_none(), "{what}: the run refuses changes");
        // Replaced by a good one.
        assert_eq!(
            std::fs::read(cache(&dir)).unwrap(),
            good,
            "{what}: not rewritten"
        );
    }
}

#[test]
fn a_link_or_fifo_planted_as_the_cache_is_not_followed_nor_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let all = fixtures();
    let (dir, want) = run_of(&tmp.path().join("run"), &all[0], false);
    let other = runsheet::template::load_path(&all[all.len() - 1]).unwrap();
    let copy_sha = sha256_hex(&std::fs::read(dir.join("template.md")).unwrap());
    // Outside the run dir: a consistent cache of another template, under this copy's key.
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let planted = outside.join("planted.cache");
    std::fs::write(&planted, forged(&dir, &other, BUILD_ID, &copy_sha)).unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o600)).unwrap();
    let before = std::fs::read(&planted).unwrap();
    let _ = std::fs::remove_file(cache(&dir));
    std::os::unix::fs::symlink(&planted, cache(&dir)).unwrap();
    for _ in 0..2 {
        let o = OpenRun::open(&dir).unwrap();
        assert_eq!(o.template, want, "the planted cache was followed");
    }
    assert!(
        std::fs::symlink_metadata(cache(&dir))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the planted link was replaced"
    );
    assert_eq!(std::fs::read(&planted).unwrap(), before);
    // A link to nothing is not created through either.
    let absent = outside.join("created-by-runsheet");
    std::fs::remove_file(cache(&dir)).unwrap();
    std::os::unix::fs::symlink(&absent, cache(&dir)).unwrap();
    assert_eq!(OpenRun::open(&dir).unwrap().template, want);
    assert!(!absent.exists(), "written through a link");
    // A FIFO never hangs the open; a directory there is left alone too.
    std::fs::remove_file(cache(&dir)).unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        cache(&dir),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
    assert_eq!(OpenRun::open(&dir).unwrap().template, want);
    std::fs::remove_file(cache(&dir)).unwrap();
    std::fs::create_dir(cache(&dir)).unwrap();
    assert_eq!(OpenRun::open(&dir).unwrap().template, want);
    assert!(cache(&dir).is_dir());
}

#[test]
fn a_modified_template_copy_is_parsed_and_warned_about_never_cached() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = run_of(tmp.path(), &fixtures()[0], false);
    open_twice(&dir);
    let good = std::fs::read(cache(&dir)).unwrap();
    let copy = dir.join("template.md");
    let mut text = std::fs::read_to_string(&copy).unwrap();
    text.push_str("\n- [ ] Added behind the run's back\n");
    std::fs::write(&copy, &text).unwrap();
    let o = OpenRun::open(&dir).unwrap();
    assert!(
        o.template
            .items
            .iter()
            .any(|i| i.text == "Added behind the run's back"),
        "the cache was used for a modified copy"
    );
    assert!(
        o.warnings.iter().any(|w| w.contains("was modified")),
        "{:?}",
        o.warnings
    );
    assert_eq!(std::fs::read(cache(&dir)).unwrap(), good);
}
