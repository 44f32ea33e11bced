//! Stable item ids: derived from the section path and the item's normalised text (plus an occurrence
//! index for duplicates), so editing one item never re-keys the others.
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::model::Template;
use runsheet::template;
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn parse(src: &str) -> Template {
    template::parse_str("ids.md", src).unwrap_or_else(|e| panic!("{e}\n---\n{src}"))
}

/// (section path, text) → id, for comparing two versions of a template.
fn ids_by_text(t: &Template) -> HashMap<(String, String), String> {
    let mut out = HashMap::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for i in &t.items {
        let path = t.section_path(i.section).join(" / ");
        let n = seen.entry((path.clone(), i.text.to_string())).or_insert(0);
        let key = (path, format!("{}#{n}", i.text));
        *n += 1;
        out.insert(key, i.id.to_string());
    }
    out
}

fn ids(t: &Template) -> Vec<String> {
    t.items.iter().map(|i| i.id.to_string()).collect()
}

const BASE: &str = "# Release window

## Prepare

- [ ] Announce the window
- [ ] Freeze merges
  - [ ] Tell the mobile team
- [ ] Snapshot the database

## Deploy

- [ ] Roll out canary
- [ ] Watch error rate
- [ ] Roll out everywhere

## Sign-off

Release Manager: ________ Date: ______

**Go/No-Go call**
";

#[test]
fn editing_one_items_wording_changes_only_that_id() {
    let before = parse(BASE);
    let after = parse(&BASE.replace("Watch error rate", "Watch the error rate for 10 minutes"));
    assert_eq!(before.items.len(), after.items.len());
    let (a, b) = (ids(&before), ids(&after));
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        if before.items[i].text == "Watch error rate" {
            assert_ne!(x, y, "the edited item gets a new id");
        } else {
            assert_eq!(x, y, "item {:?} kept its id", before.items[i].text);
        }
    }
}

#[test]
fn editing_a_nested_items_wording_changes_only_that_id() {
    let before = parse(BASE);
    let after = parse(&BASE.replace("Tell the mobile team", "Tell the mobile and web teams"));
    let changed: Vec<&str> = before
        .items
        .iter()
        .zip(&after.items)
        .filter(|(x, y)| x.id != y.id)
        .map(|(x, _)| x.text.as_str())
        .collect();
    assert_eq!(changed, ["Tell the mobile team"]);
}

#[test]
fn checking_an_item_in_the_template_keeps_its_id() {
    let before = parse(BASE);
    let after = parse(&BASE.replace("- [ ] Freeze merges", "- [x] Freeze merges"));
    assert!(after.items[1].checked);
    assert_eq!(ids(&before), ids(&after));
}

#[test]
fn reordering_sections_keeps_every_id() {
    let before = parse(BASE);
    let prepare_start = BASE.find("## Prepare").expect("prepare");
    let deploy_start = BASE.find("## Deploy").expect("deploy");
    let signoff_start = BASE.find("## Sign-off").expect("sign-off");
    let reordered = format!(
        "{}{}{}{}",
        &BASE[..prepare_start],
        &BASE[deploy_start..signoff_start],
        &BASE[prepare_start..deploy_start],
        &BASE[signoff_start..]
    );
    let after = parse(&reordered);
    assert_eq!(after.items[0].text, "Roll out canary", "sections swapped");
    assert_eq!(ids_by_text(&before), ids_by_text(&after));
}

#[test]
fn inserting_items_elsewhere_keeps_other_ids() {
    let before = parse(BASE);
    // A new item at the top of a section, one in another section, and a whole new section.
    let after = parse(
        &BASE
            .replace(
                "- [ ] Roll out canary",
                "- [ ] Drain the queue\n- [ ] Roll out canary",
            )
            .replace(
                "- [ ] Snapshot the database",
                "- [ ] Snapshot the database\n- [ ] Check replication lag",
            )
            .replace("## Deploy", "## Warm-up\n\n- [ ] Prime caches\n\n## Deploy"),
    );
    assert_eq!(after.items.len(), before.items.len() + 3);
    let after_ids = ids_by_text(&after);
    for (key, id) in ids_by_text(&before) {
        assert_eq!(after_ids.get(&key), Some(&id), "{key:?}");
    }
}

#[test]
fn renaming_the_single_document_title_keeps_ids() {
    let before = parse(BASE);
    let after = parse(&BASE.replace("# Release window", "# Release window (v2)"));
    assert_eq!(ids(&before), ids(&after));
}

#[test]
fn line_endings_and_bom_do_not_change_ids() {
    let before = parse(BASE);
    let crlf = format!("\u{FEFF}{}", BASE.replace('\n', "\r\n"));
    let after = template::parse_bytes("ids.md", crlf.as_bytes()).expect("loads");
    assert_eq!(ids(&before), ids(&after));
}

#[test]
fn loading_twice_gives_the_same_ids() {
    assert_eq!(ids(&parse(BASE)), ids(&parse(BASE)));
}

#[test]
fn duplicates_get_distinct_ids() {
    let src = "# T\n\n## A\n\n- [ ] Verify\n- [ ] Verify\n- [ ] verify.\n\n## B\n\n- [ ] Verify\n\n| Step | Status |\n|---|---|\n| Verify | Done |\n";
    let t = parse(src);
    assert_eq!(t.items.len(), 5);
    let set: HashSet<String> = ids(&t).into_iter().collect();
    assert_eq!(set.len(), 5, "{:?}", ids(&t));
}

#[test]
fn identical_sections_get_distinct_ids() {
    let block = "## Host\n\n- [ ] Restart\n- [ ] Restart\n\n";
    let t = parse(&format!("# T\n\n{block}{block}{block}"));
    let set: HashSet<String> = ids(&t).into_iter().collect();
    assert_eq!(set.len(), 6, "{:?}", ids(&t));
}

#[test]
fn ids_are_readable_slugs_without_spaces_or_controls() {
    let t = parse(BASE);
    for i in &t.items {
        let id = i.id.as_str();
        assert!(!id.is_empty());
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{id}"
        );
    }
    assert!(t.items[0].id.as_str().starts_with("announce-the-window-"));
}

#[test]
fn ids_are_unique_in_every_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        let t = template::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
        let all = ids(&t);
        let set: HashSet<&String> = all.iter().collect();
        assert_eq!(set.len(), all.len(), "{}: {all:?}", path.display());
        files += 1;
    }
    assert!(files >= 20);
}

/// Items whose ids would be equal in their short form (same slug, hashes sharing the 32 bits the
/// id shows; found by search among 400,000 texts) get the longer form, and exactly the ids the
/// previous loader gave them (they are in run journals). Duplicates of them are told apart by
/// their occurrence as usual.
#[test]
fn ids_sharing_their_short_form_get_the_long_one_as_before() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ids/prefix-collisions.md");
    let t = template::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<(usize, &str)> = t.items.iter().map(|i| (i.line, i.id.as_str())).collect();
    assert_eq!(
        got,
        [
            (8, "run-backup-963dded0"),
            (9, "run-backup-963dded03f6f35c0"),
            (10, "run-backup-683346e0"),
            (11, "run-backup-683346e05e4e20c4"),
            (12, "run-backup-e440c80a"),
            (13, "run-backup-e440c80af96551f5"),
            (14, "run-backup-bdd6d0f0"),
            (15, "run-backup-6effe4d3"),
        ]
    );
}

#[test]
fn same_text_before_and_under_the_only_title_gets_distinct_ids() {
    // The implicit section (before any heading) and a lone level-1 heading share an empty path.
    let t = parse("- [ ] Ping the bridge\n\n# Title\n\n- [ ] Ping the bridge\n");
    assert_eq!(t.items.len(), 2);
    assert_ne!(t.items[0].id, t.items[1].id);
}

/// The ids the loader gave before its second round (issue 11), read from
/// `tests/fixtures/ids/golden.tsv` (`file`, `line`, `id`). Ids are stored in run journals: the faster
/// id code and the new constructs must give every one of these items the very same id. Templates
/// whose rows the new rules read differently (a status-table row's text with its description) are
/// checked with the rules a run started before recorded: rules 1.
#[test]
fn ids_are_the_ones_the_previous_loader_gave() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let golden =
        std::fs::read_to_string(root.join("tests/fixtures/ids/golden.tsv")).expect("golden ids");
    let mut by_file: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
    for line in golden.lines().filter(|l| !l.starts_with('#')) {
        let mut cols = line.split('\t');
        let (Some(file), Some(n), Some(id)) = (cols.next(), cols.next(), cols.next()) else {
            panic!("bad golden line {line:?}");
        };
        let n: usize = n.parse().expect("line number");
        by_file.entry(file).or_default().push((n, id));
    }
    assert!(by_file.len() >= 25, "{} files", by_file.len());
    let mut checked = 0;
    for (file, want) in &by_file {
        let path = root.join(file);
        for rules in [1, template::LOADER_RULES] {
            let opts = template::LoadOptions {
                rules,
                ..template::LoadOptions::default()
            };
            let t = template::load_path_with(&path, opts).unwrap_or_else(|e| panic!("{e}"));
            let got: HashSet<(usize, &str)> =
                t.items.iter().map(|i| (i.line, i.id.as_str())).collect();
            // Rules 2 and later read the built-in incident template's role table with its descriptions.
            let changed_by_rules = rules >= 2 && file.ends_with("incident-response.md");
            for (n, id) in want {
                let present = got.contains(&(*n, *id));
                if changed_by_rules && !present {
                    continue;
                }
                assert!(
                    present,
                    "{file}:{n}: id {id} (rules {rules}) missing; got {got:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 400, "{checked} ids checked");
}

#[path = "../benches/support/generate.rs"]
mod generate;

/// The same, for the load benchmark's generated checklist (3,000 items: timed sections, nested
/// tasks, code, tables, sign-offs): the SHA-256 of all its ids, one per line, as the previous
/// loader gave them.
#[test]
fn generated_checklist_ids_are_the_previous_loaders() {
    use sha2::Digest;
    let text = generate::generate(3000);
    let t = template::parse_str("gen.md", &text).expect("loads");
    assert_eq!(t.items.len(), 3004);
    let joined = ids(&t).join("\n");
    let digest = sha2::Sha256::digest(joined.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "931d226774e70457e1dbb28416a6d3d8babd3b0decf9961bfe137aedeb37cf34"
    );
}
