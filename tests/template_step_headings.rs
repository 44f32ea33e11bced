//! Runbooks written as numbered headings (`## Step 2: Drain the first node` with its command under
//! it), and go/no-go lines written like sign-off lines (`**Go/No-Go:** ____`): what the operator
//! gets to tick and decide, and what a run started before these rules keeps.
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::model::{Block, Item, ItemKind, Origin};
use runsheet::template::LoadOptions;
#[path = "support/template_helpers.rs"]
mod support;
use support::{fixture, item, load, load_with, parse, rules, texts};

#[test]
fn numbered_headings_without_checkboxes_are_the_steps() {
    let t = load("heading_steps.md");
    assert_eq!(
        texts(&t),
        [
            "Step 1: Announce the rotation",
            "Step 2 - Drain the first node",
            "3.1 Fetch it from the vault",
            "3.2 Restart the service",
            "Restart ingestd",
            "Watch the log for listening",
            "4) Go/No-Go: rotate the second node",
        ]
    );
    // Each step heading is the first item of its own section, read from the heading's line.
    let drain = item(&t, "Step 2 - Drain the first node");
    assert_eq!(drain.kind, ItemKind::Task);
    assert_eq!(drain.origin, Origin::Line);
    assert_eq!(t.sections[drain.section].title, drain.text.as_str());
    assert_eq!(drain.line, t.sections[drain.section].line);
    // What follows the heading is the step's body: its command is there to copy and run.
    let code: Vec<&str> = drain.code_blocks().map(|c| c.text.as_str()).collect();
    assert_eq!(code, ["ingestctl drain ingest-1 --wait\n"]);
    assert!(t.sections[drain.section].body.is_empty());
    let announce = item(&t, "Step 1: Announce the rotation");
    assert!(matches!(
        announce.body.as_slice(),
        [Block::Paragraph { .. }]
    ));
    // The numbered list under a step heading holds its sub-steps, in order after it.
    let restart = item(&t, "Restart ingestd");
    assert_eq!(restart.section, item(&t, "3.2 Restart the service").section);
    // One warning names what was read, at the first step.
    let w: Vec<&str> = t.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with(
            "no checkboxes in the file: its 2 numbered step(s) and 4 numbered heading(s) were loaded as items"
        ),
        "{w:?}"
    );
    assert_eq!(t.warnings[0].line, announce.line);
}

#[test]
fn headings_that_group_steps_or_name_document_parts_are_not_steps() {
    let t = load("heading_steps.md");
    for title in [
        "1. Overview",
        "Step 3. Install the certificate",
        "5. References",
        "22:00 Repeat for the second node",
    ] {
        assert!(
            t.items.iter().all(|i| i.text != title),
            "{title:?} is not a step: {:?}",
            texts(&t)
        );
        assert!(t.sections.iter().any(|s| s.title == title), "{title:?}");
    }
    // The numbered go/no-go heading is a gate (once), not a task as well.
    let gates: Vec<&Item> = t
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Gate)
        .collect();
    assert_eq!(gates.len(), 1);
    // The timed heading keeps its planned time.
    let timed = t
        .sections
        .iter()
        .find(|s| s.title.starts_with("22:00"))
        .expect("timed section");
    assert!(timed.planned_time.is_some());
}

#[test]
fn near_misses_stay_headings_and_the_bullets_are_the_checklist() {
    let t = load("heading_steps_damaged.md");
    assert_eq!(texts(&t), ["Drain the node", "Restart it"]);
    assert!(
        t.warnings[0]
            .message
            .contains("2 bullet(s) were loaded as items"),
        "{:?}",
        t.warnings
    );
}

#[test]
fn beside_checkboxes_step_headings_are_items_only_when_asked_for() {
    let t = load("heading_steps_mixed.md");
    assert_eq!(texts(&t), ["Freeze deploys", "Snapshot the volumes"]);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    let steps = LoadOptions {
        steps: true,
        ..LoadOptions::default()
    };
    let t = load_with("heading_steps_mixed.md", steps);
    assert_eq!(
        texts(&t),
        [
            "Freeze deploys",
            "Snapshot the volumes",
            "Step 1: Promote the replica",
            "Step 2: Repoint the application",
        ]
    );
    assert_eq!(
        item(&t, "Step 1: Promote the replica")
            .code_blocks()
            .count(),
        1
    );
    // The front matter key does the same.
    let src = std::fs::read_to_string(fixture("heading_steps_mixed.md")).expect("fixture");
    let t = parse(&format!("---\nsteps: true\n---\n{src}"));
    assert_eq!(t.items.len(), 4, "{:?}", texts(&t));
}

#[test]
fn a_step_headings_id_is_stable_when_other_lines_change() {
    let src = std::fs::read_to_string(fixture("heading_steps.md")).expect("fixture");
    let before = load("heading_steps.md");
    let edited = src
        .replace(
            "Post in the operations channel",
            "Tell the operations channel",
        )
        .replace("## 1. Overview", "## 1. Overview of the rotation")
        .replace("Same as steps 2 and 3.", "Same as before.");
    let after = parse(&edited);
    for i in &before.items {
        let same = after
            .items
            .iter()
            .find(|j| j.text == i.text)
            .unwrap_or_else(|| panic!("{} gone", i.text));
        assert_eq!(same.id, i.id, "{}", i.text);
    }
    // Renaming a step changes that step's id only.
    let renamed = parse(&src.replace("Step 2 - Drain the first node", "Step 2 - Drain ingest-1"));
    let changed: Vec<&str> = before
        .items
        .iter()
        .zip(&renamed.items)
        .filter(|(a, b)| a.id != b.id)
        .map(|(a, _)| a.text.as_str())
        .collect();
    assert_eq!(changed, ["Step 2 - Drain the first node"]);
}

#[test]
fn a_heading_inside_a_list_item_is_not_a_step_heading() {
    let t = parse("# T\n\n1. Drain\n   ## Step 2: not a heading here\n2. Restart\n");
    assert_eq!(t.items.len(), 2, "{:?}", texts(&t));
    assert!(t.sections.iter().all(|s| !s.title.starts_with("Step 2")));
}

#[test]
fn a_go_no_go_line_with_blanks_is_one_gate() {
    let t = load("gate_lines.md");
    let got: Vec<(ItemKind, &str, usize)> = t
        .items
        .iter()
        .map(|i| (i.kind, i.text.as_str(), i.line))
        .collect();
    assert_eq!(
        got,
        [
            (ItemKind::Task, "Snapshot taken", 5),
            (ItemKind::Gate, "Go/No-Go", 7),
            (ItemKind::Gate, "GO / NO-GO decision", 9),
            (
                ItemKind::Gate,
                "Go/No-Go for the cut-over Proceed only when the error rate is under 1%",
                11
            ),
            (ItemKind::Signoff, "Tech Lead", 13),
            (ItemKind::Gate, "Go/No-Go", 15),
            (ItemKind::Gate, "Release Manager: GO / NO-GO", 16),
        ]
    );
    // Nothing is signed by a "Go/No-Go" role.
    assert!(
        t.items
            .iter()
            .all(|i| i.role.as_deref() != Some("Go/No-Go"))
    );
    assert_eq!(
        item(&t, "Release Manager: GO / NO-GO").role.as_deref(),
        Some("Release Manager")
    );
}

#[test]
fn runs_started_with_rules_2_read_the_file_as_they_did() {
    // Numbered headings were not items, and `Go/No-Go: ____` was a sign-off and a gate, with
    // the blanks in the gate's text: a run that recorded rules 2 keeps exactly those items.
    let t = load_with("heading_steps.md", rules(2));
    assert_eq!(
        texts(&t),
        [
            "Restart ingestd",
            "Watch the log for listening",
            "4) Go/No-Go: rotate the second node",
        ]
    );
    let t = load_with("gate_lines.md", rules(2));
    let got: Vec<(ItemKind, &str)> = t.items.iter().map(|i| (i.kind, i.text.as_str())).collect();
    assert_eq!(
        got[1..4],
        [
            (ItemKind::Signoff, "Go/No-Go"),
            (ItemKind::Gate, "Go/No-Go: ______"),
            (ItemKind::Signoff, "GO / NO-GO decision"),
        ]
    );
    // The items both rules read the same keep the same ids.
    let now = load("gate_lines.md");
    let before = load_with("gate_lines.md", rules(2));
    for text in ["Snapshot taken", "Tech Lead"] {
        assert_eq!(item(&now, text).id, item(&before, text).id, "{text}");
    }
}
