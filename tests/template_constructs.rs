//! One test per construct of the template format (issue 2), each over a small fixture under
//! `tests/fixtures/`, asserting what an operator would see: item texts, kinds, checked states, roles,
//! planned times, code blocks, warnings with their lines, and errors naming the file and the line.
#![allow(clippy::expect_used, clippy::panic)]

use runsheet::model::{Block, Item, ItemKind, Origin, Span, SpanStyle, Template, VariableKind};
use runsheet::template::{self, LoadError, LoadErrorKind};
use std::path::{Path, PathBuf};

fn fixture(kind: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
        .join(name)
}

fn load(name: &str) -> Template {
    let path = fixture("valid", name);
    match template::load_path(&path) {
        Ok(t) => t,
        Err(e) => panic!("{name} should load: {e}"),
    }
}

fn load_err(name: &str) -> (PathBuf, LoadError) {
    let path = fixture("invalid", name);
    match template::load_path(&path) {
        Ok(t) => panic!("{name} should not load, got {} items", t.items.len()),
        Err(e) => (path, e),
    }
}

fn parse(src: &str) -> Template {
    match template::parse_str("inline.md", src) {
        Ok(t) => t,
        Err(e) => panic!("should load: {e}\n---\n{src}"),
    }
}

fn texts(t: &Template) -> Vec<&str> {
    t.items.iter().map(|i| i.text.as_str()).collect()
}

fn checked(t: &Template) -> Vec<bool> {
    t.items.iter().map(|i| i.checked).collect()
}

fn item<'a>(t: &'a Template, text: &str) -> &'a Item {
    t.items
        .iter()
        .find(|i| i.text == text)
        .unwrap_or_else(|| panic!("no item {text:?}; items: {:?}", texts(t)))
}

fn warning_lines(t: &Template) -> Vec<usize> {
    t.warnings.iter().map(|w| w.line).collect()
}

fn code_of(item: &Item) -> Vec<(Option<&str>, &str)> {
    item.code_blocks()
        .map(|c| (c.lang.as_deref(), c.text.as_str()))
        .collect()
}

#[test]
fn task_markers_of_every_list_form() {
    let t = load("markers.md");
    assert_eq!(
        texts(&t),
        [
            "Drain the blue pool",
            "Flip the feature toggle",
            "Page the on-call pharmacist",
            "Snapshot the ledger volume",
            "Warm the cache shards",
        ]
    );
    assert_eq!(checked(&t), [false, false, true, true, false]);
    let markers: Vec<_> = t.items.iter().map(|i| i.marker).collect();
    assert_eq!(
        markers,
        [Some(' '), Some(' '), Some('x'), Some('X'), Some(' ')]
    );
    for i in &t.items {
        assert_eq!(i.kind, ItemKind::Task, "{}", i.text);
        assert_eq!(i.origin, Origin::List, "{}", i.text);
        assert!(i.gfm_task, "{}", i.text);
    }
    assert_eq!(
        t.items.iter().map(|i| i.line).collect::<Vec<_>>(),
        [3, 4, 5, 6, 7]
    );
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    assert_eq!(t.title, "Marker forms");
}

#[test]
fn deep_nesting_including_under_plain_bullets() {
    let t = load("nesting.md");
    assert_eq!(
        texts(&t),
        [
            "Level zero",
            "Level one",
            "Level two",
            "Level three",
            "Level four",
            "Promote the standby",
            "Rotate the keys",
            "Back at the top",
        ]
    );
    let depths: Vec<usize> = t.items.iter().map(|i| i.depth).collect();
    assert_eq!(depths, [0, 1, 2, 3, 4, 0, 0, 0]);
    let parents: Vec<Option<usize>> = t.items.iter().map(|i| i.parent).collect();
    assert_eq!(
        parents,
        [None, Some(0), Some(1), Some(2), Some(3), None, None, None]
    );
    assert_eq!(
        checked(&t),
        [false, false, false, true, false, false, false, false]
    );
    // Tasks nested under plain bullets are items, labelled with the bullets they sit under.
    assert_eq!(
        item(&t, "Promote the standby").group.as_deref(),
        Some("Storage tier › Primary replica")
    );
    assert_eq!(
        item(&t, "Rotate the keys").group.as_deref(),
        Some("Storage tier")
    );
    assert_eq!(item(&t, "Level four").group, None);
    // The plain bullets are group labels, not items and not left-over body text.
    assert!(t.sections[0].body.is_empty(), "{:?}", t.sections[0].body);
}

#[test]
fn multi_line_items_hanging_indent_and_lazy_continuation() {
    let t = load("multiline.md");
    assert_eq!(
        texts(&t),
        [
            "Stop the ingest workers and wait for the queue to drain",
            "Flush the write-ahead log before rotating the archive",
            "Confirm the pager is quiet",
        ]
    );
    assert_eq!(checked(&t), [false, false, true]);
    assert_eq!(
        t.items.iter().map(|i| i.line).collect::<Vec<_>>(),
        [3, 5, 7]
    );
}

#[test]
fn inline_markdown_kept_as_spans() {
    let t = load("inline.md");
    assert_eq!(
        texts(&t),
        [
            "Run make rollout from the bastion",
            "Only after approval, cut the tag",
            "Read the rollback guide first",
        ]
    );
    let styled = |text: &str, style: SpanStyle| Span {
        text: text.into(),
        style,
    };
    assert_eq!(
        t.items[0].spans().map(|s| s.to_span()).collect::<Vec<_>>(),
        [
            styled("Run ", SpanStyle::Plain),
            styled("make rollout", SpanStyle::Code),
            styled(" from the bastion", SpanStyle::Plain),
        ]
    );
    assert_eq!(
        t.items[1].spans().map(|s| s.to_span()).collect::<Vec<_>>(),
        [
            styled("Only ", SpanStyle::Plain),
            styled("after", SpanStyle::Strong),
            styled(" approval, cut the tag", SpanStyle::Plain),
        ]
    );
    assert_eq!(
        t.items[2].spans().map(|s| s.to_span()).collect::<Vec<_>>(),
        [
            styled("Read the ", SpanStyle::Plain),
            styled(
                "rollback guide",
                SpanStyle::Link {
                    url: "https://example.org/rollback".to_owned()
                }
            ),
            styled(" first", SpanStyle::Plain),
        ]
    );
}

#[test]
fn tasks_inside_details_and_blockquotes() {
    let t = load("details_quote.md");
    assert_eq!(
        texts(&t),
        [
            "Tighten the firewall rules",
            "Disable the legacy port",
            "Quoted task about DNS",
            "Quoted task already done",
        ]
    );
    assert_eq!(checked(&t), [false, true, false, true]);
    let quoted: Vec<bool> = t.items.iter().map(|i| i.quoted).collect();
    assert_eq!(quoted, [false, false, true, true]);
    // cmark-gfm renders the <details> tasks as checkboxes, the blockquoted ones as text.
    let gfm: Vec<bool> = t.items.iter().map(|i| i.gfm_task).collect();
    assert_eq!(gfm, [true, true, false, false]);
    assert!(t.items.iter().all(|i| i.kind == ItemKind::Task));
}

#[test]
fn task_syntax_in_code_fences_comments_and_indented_code_is_not_an_item() {
    let t = load("not_items.md");
    assert_eq!(texts(&t), ["The only real step"]);
    assert_eq!(t.items[0].line, 19);
    assert_eq!(t.stats().items, 1);
    // The fenced samples stay as code (section body), exactly as written.
    let code: Vec<(Option<&str>, &str)> = t.sections[0]
        .body
        .iter()
        .filter_map(|b| match b {
            Block::Code(c) => Some((c.lang.as_deref(), c.text.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        code,
        [
            (Some("text"), "- [ ] fenced sample line\n"),
            (None, "* [x] tilde fenced sample\n"),
            (None, "- [ ] indented code sample\n"),
        ]
    );
}

#[test]
fn status_variants_become_open_items_with_a_warning_naming_the_line() {
    let t = load("variants.md");
    assert_eq!(
        texts(&t),
        [
            "Cancelled step",
            "Partial step",
            "Half done step",
            "Deferred step",
            "Unclear step",
            "Urgent step",
            "Normal step",
        ]
    );
    assert!(
        t.items
            .iter()
            .all(|i| !i.checked && i.kind == ItemKind::Task)
    );
    let markers: Vec<Option<char>> = t.items.iter().map(|i| i.marker).collect();
    assert_eq!(
        markers,
        [
            Some('-'),
            Some('~'),
            Some('/'),
            Some('>'),
            Some('?'),
            Some('!'),
            Some(' ')
        ]
    );
    assert_eq!(warning_lines(&t), [3, 4, 5, 6, 7, 8]);
    for (w, c) in t.warnings.iter().zip(['-', '~', '/', '>', '?', '!']) {
        assert!(
            w.message.contains(&format!("[{c}]")),
            "warning for `[{c}]` should name the marker: {}",
            w.message
        );
    }
    // No variant leaks its marker into the text.
    assert!(t.items.iter().all(|i| !i.text.starts_with('[')));
}

#[test]
fn item_bodies_paragraphs_bullets_and_code() {
    let t = load("bodies.md");
    assert_eq!(
        texts(&t),
        [
            "Restart the gateway",
            "Warm the caches",
            "Drop the old index",
            "Tail the log",
            "Final step",
        ]
    );
    let restart = item(&t, "Restart the gateway");
    let shape: Vec<String> = restart
        .body
        .iter()
        .map(|b| match b {
            Block::Paragraph { spans, line } => format!("p{line}:{}", plain(spans)),
            Block::Bullet { spans, depth, line } => format!("b{line}/{depth}:{}", plain(spans)),
            Block::Code(c) => format!("c{}:{:?}", c.line, c.lang),
            Block::Table { line, .. } => format!("t{line}"),
        })
        .collect();
    assert_eq!(
        shape,
        [
            "p5:Expect a short blip in traffic.",
            "b7/0:check the health endpoint",
            "b8/0:check the error rate",
            "c10:Some(\"bash\")",
        ]
    );
    assert_eq!(
        code_of(restart),
        [(
            Some("bash"),
            "systemctl restart gateway\ncurl -fsS http://localhost:8080/healthz\n"
        )]
    );
    // A fence directly after the item line, at column 0, belongs to it.
    assert_eq!(
        code_of(item(&t, "Warm the caches")),
        [(Some("sh"), "./warm.sh --all\n")]
    );
    // After a blank line, still before the next item: the info string's first word is the language.
    assert_eq!(
        code_of(item(&t, "Drop the old index")),
        [(Some("sql"), "DROP INDEX CONCURRENTLY idx_old;\n")]
    );
    // A tilde fence without info string; the tab is kept exactly.
    assert_eq!(
        code_of(item(&t, "Tail the log")),
        [(None, "tail -f /var/log/app.log\t# tab kept\n")]
    );
    assert!(item(&t, "Final step").body.is_empty());
    assert_eq!(t.stats().code_blocks, 4);
}

fn plain(spans: &[Span]) -> String {
    spans.iter().map(|s| s.text.as_str()).collect()
}

fn fields(i: &Item) -> Vec<(&str, &str)> {
    i.fields
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str()))
        .collect()
}

#[test]
fn status_tables_by_header_word() {
    let t = load("status_table.md");
    let freeze = item(&t, "Freeze merges");
    assert!(freeze.checked);
    assert_eq!(freeze.origin, Origin::Table);
    assert_eq!(freeze.kind, ItemKind::Task);
    assert_eq!(freeze.line, 5);
    assert_eq!(fields(freeze), [("Owner", "Priya")]);
    let tag = item(&t, "Tag the build");
    assert!(!tag.checked);
    assert_eq!(fields(tag), [("Owner", "Omar")]);
    // `Done` column with `[x]` / `[ ]` cells.
    assert!(item(&t, "Ping vendor").checked);
    assert!(!item(&t, "Close ticket").checked);
    // `State` column with an emoji shortcode and a cross.
    assert!(item(&t, "Backup verified").checked);
    assert!(!item(&t, "Restore tested").checked);
}

#[test]
fn status_table_with_check_mark_header() {
    // `| Check | Where | ✓ |`: the ✓ column is the status, `Check` is the first text column.
    let t = load("status_table.md");
    let disk = item(&t, "Disk space");
    assert!(disk.checked, "✅ under ✓ is checked");
    assert_eq!(disk.line, 10);
    assert_eq!(fields(disk), [("Where", "host-a")]);
    let mem = item(&t, "Memory");
    assert!(!mem.checked);
    assert_eq!(fields(mem), [("Where", "host-b")]);
}

#[test]
fn status_tables_by_glyph_only_column() {
    let t = load("status_table.md");
    assert!(item(&t, "Rotate certs").checked);
    assert!(!item(&t, "Renew lease").checked);
    assert!(item(&t, "api").checked, "🟢");
    assert!(!item(&t, "worker").checked, "⚪");
    assert!(item(&t, "queue").checked, "✔");
    assert!(item(&t, "api").fields.is_empty());
    assert_eq!(t.stats().table_items, t.items.len());
    assert_eq!(t.stats().table_items, 13);
}

#[test]
fn information_tables_are_not_items() {
    let t = load("info_table.md");
    assert_eq!(texts(&t), ["Look at the table above"]);
    assert_eq!(t.stats().table_items, 0);
    let tables: Vec<_> = t.sections[0]
        .body
        .iter()
        .filter_map(|b| match b {
            Block::Table {
                header, rows, line, ..
            } => Some((header.clone(), rows.clone(), *line)),
            _ => None,
        })
        .collect();
    assert_eq!(tables.len(), 1, "{:?}", t.sections[0].body);
    assert_eq!(tables[0].0, ["Host", "Role", "Port"]);
    assert_eq!(
        tables[0].1,
        [["alpha", "primary", "5432"], ["beta", "replica", "5433"]]
    );
    assert_eq!(tables[0].2, 3);
}

#[test]
fn signoff_lines_from_the_issue() {
    let t = load("signoffs.md");
    let got: Vec<(&str, Option<&str>, ItemKind, Origin, usize)> = t
        .items
        .iter()
        .map(|i| (i.text.as_str(), i.role.as_deref(), i.kind, i.origin, i.line))
        .collect();
    use ItemKind::Signoff;
    assert_eq!(
        got,
        [
            ("Tech Lead", Some("Tech Lead"), Signoff, Origin::Line, 3),
            ("QA Lead", Some("QA Lead"), Signoff, Origin::List, 5),
            ("Approved by", Some("Approved by"), Signoff, Origin::Line, 7),
            (
                "Engineering Lead",
                Some("Engineering Lead"),
                Signoff,
                Origin::Line,
                9
            ),
            (
                "Release Manager",
                Some("Release Manager"),
                Signoff,
                Origin::List,
                11
            ),
        ]
    );
    for i in &t.items {
        assert!(
            !i.text.contains(['_', '*', '[', '\\']),
            "blanks are not part of the text: {:?}",
            i.text
        );
    }
    assert_eq!(t.stats().signoffs, 5);
}

#[test]
fn go_no_go_gates_from_heading_bold_line_and_task() {
    let t = load("gates.md");
    let got: Vec<(&str, ItemKind, Origin, usize)> = t
        .items
        .iter()
        .map(|i| (i.text.as_str(), i.kind, i.origin, i.line))
        .collect();
    use ItemKind::{Gate, Task};
    assert_eq!(
        got,
        [
            ("Go/No-Go Decision", Gate, Origin::Line, 3),
            ("Collect the metrics", Task, Origin::List, 5),
            ("GO / NO-GO checkpoint", Gate, Origin::Line, 7),
            ("Final go-nogo call with the owners", Gate, Origin::List, 9),
            ("go/no go for the database step", Gate, Origin::List, 10),
            ("Go–No Go with the vendor", Gate, Origin::List, 11),
            ("Go to the dashboard and refresh", Task, Origin::List, 12),
        ]
    );
    // The heading gate is a decision point in its own section.
    let heading_gate = &t.items[0];
    assert_eq!(t.sections[heading_gate.section].title, "Go/No-Go Decision");
    assert_eq!(t.stats().gates, 5);
}

#[test]
fn go_no_go_in_many_dash_slash_and_case_forms() {
    for form in [
        "Go/No-Go",
        "GO/NO-GO",
        "go/no-go",
        "Go / No Go",
        "Go-No-Go",
        "go-nogo",
        "Go/NoGo",
        "Go—No-Go",
        "Go–No–Go",
        "GO-NO-GO",
    ] {
        for (src, origin) in [
            (format!("# T\n\n- [ ] {form} call\n"), Origin::List),
            (format!("# T\n\n## {form} call\n\n- [ ] x\n"), Origin::Line),
            (format!("# T\n\n**{form} call**\n\n- [ ] x\n"), Origin::Line),
        ] {
            let t = parse(&src);
            let gate = t
                .items
                .iter()
                .find(|i| i.kind == ItemKind::Gate)
                .unwrap_or_else(|| panic!("{form:?} should be a gate in:\n{src}"));
            assert_eq!(gate.text, format!("{form} call"), "{src}");
            assert_eq!(gate.origin, origin, "{src}");
        }
    }
    for not_gate in [
        "Go to the console",
        "Google the error",
        "ago/nogo",
        "Go/No-Gopher",
    ] {
        let t = parse(&format!("# T\n\n- [ ] {not_gate}\n"));
        assert_eq!(t.items[0].kind, ItemKind::Task, "{not_gate}");
    }
}

#[test]
fn timed_sections_carry_planned_times() {
    let t = load("timed.md");
    let got: Vec<(&str, u8, usize, Option<String>)> = t
        .sections
        .iter()
        .map(|s| {
            (
                s.title.as_str(),
                s.level,
                s.line,
                s.planned_time.map(|p| p.to_string()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Window", 1, 1, None),
            ("08:00 - Deployment Start", 3, 3, Some("08:00".to_owned())),
            ("13:30 Verify", 2, 7, Some("13:30".to_owned())),
            ("T-60 min", 3, 11, Some("T-60m".to_owned())),
            ("T+15", 3, 15, Some("T+15m".to_owned())),
            ("Wrap up", 3, 19, None),
        ]
    );
    assert_eq!(t.stats().timed_sections, 4);
    assert_eq!(
        t.sections[item(&t, "Announce the window").section].title,
        "T-60 min"
    );
}

#[test]
fn timed_section_heading_variants() {
    let cases = [
        ("### 8:05 Cutover", Some("08:05")),
        ("### 23:59 - Last call", Some("23:59")),
        ("### T-2h", Some("T-120m")),
        ("### T+90 minutes", Some("T+90m")),
        ("### Prep (T-30 min)", Some("T-30m")),
        ("### Step 3: verify", None),
        ("### 2024 retro", None),
        ("### 25:00 nonsense", None),
    ];
    for (heading, want) in cases {
        let t = parse(&format!("# T\n\n{heading}\n\n- [ ] a\n"));
        let s = &t.sections[t.items[0].section];
        assert_eq!(
            s.planned_time.map(|p| p.to_string()).as_deref(),
            want,
            "{heading}"
        );
    }
}

#[test]
fn variables_in_titles_text_and_code() {
    let t = load("variables.md");
    let mustache: Vec<(&str, usize)> = t
        .variables
        .iter()
        .filter(|v| v.kind == VariableKind::Mustache)
        .map(|v| (v.name.as_str(), v.line))
        .collect();
    assert_eq!(
        mustache,
        [("VERSION", 1), ("ENVIRONMENT", 6), ("IMAGE_TAG", 9)]
    );
    // Nothing is substituted at load.
    assert_eq!(t.title, "Release {{ VERSION }}");
    let deploy = item(&t, "Deploy {{ VERSION }} to {{ ENVIRONMENT }}");
    assert_eq!(
        code_of(deploy),
        [(Some("bash"), "./deploy --tag {{ IMAGE_TAG }}\n")]
    );
}

#[test]
fn bracket_placeholders_in_metadata_lines() {
    // A placeholder after a label is a variable named by the label; what the brackets held is kept
    // as the hint.
    let t = load("variables.md");
    let placeholder = |name: &str| {
        t.variables
            .iter()
            .find(|v| v.kind == VariableKind::Placeholder && v.name == name)
            .map(|v| (v.line, v.placeholder.as_deref()))
    };
    assert_eq!(
        placeholder("Component"),
        Some((4, Some("Specify Component Name/Version")))
    );
}

#[test]
fn bracket_placeholder_after_a_role_label_in_a_metadata_line() {
    // `**Deployment Lead:** [Name]` is the issue's example: the variable is `Deployment Lead`
    // (not `Name`, which another label's `[Name]` would also be).
    let t = load("variables.md");
    let found: Vec<(&str, usize)> = t
        .variables
        .iter()
        .filter(|v| v.kind == VariableKind::Placeholder)
        .map(|v| (v.name.as_str(), v.line))
        .collect();
    assert!(
        found.contains(&("Deployment Lead", 3)),
        "[Name] on line 3 should be the variable `Deployment Lead`; placeholders: {found:?}"
    );
    assert!(!found.iter().any(|(n, _)| *n == "Name"), "{found:?}");
}

#[test]
fn yaml_front_matter_gives_title_and_metadata() {
    let t = load("frontmatter_yaml.md");
    assert_eq!(t.title, "Quarterly failover drill");
    assert!(
        t.metadata
            .iter()
            .any(|f| f.name == "owner" && f.value == "platform"),
        "{:?}",
        t.metadata
    );
    // No heading: one implicit section, titled from the front matter.
    assert_eq!(t.sections.len(), 1);
    assert_eq!(t.sections[0].title, "Quarterly failover drill");
    assert_eq!(t.sections[0].level, 0);
    assert_eq!(texts(&t), ["Fail over the primary"]);
    assert_eq!(t.items[0].line, 6);
}

#[test]
fn toml_front_matter_gives_title_and_metadata() {
    let t = load("frontmatter_toml.md");
    assert_eq!(t.title, "Certificate rotation");
    assert!(
        t.metadata
            .iter()
            .any(|f| f.name == "team" && f.value == "security"),
        "{:?}",
        t.metadata
    );
    assert_eq!(t.sections.len(), 1);
    assert_eq!(t.sections[0].title, "Steps");
    assert_eq!(texts(&t), ["Issue the new certificate"]);
}

#[test]
fn front_matter_title_wins_over_first_heading() {
    let t = parse("---\ntitle: From front matter\n---\n\n# From heading\n\n- [ ] a\n");
    assert_eq!(t.title, "From front matter");
    assert_eq!(t.sections[0].title, "From heading");
}

#[test]
fn no_heading_gives_an_implicit_section_titled_from_the_file_name() {
    let t = load("no-heading-runbook.md");
    assert_eq!(t.title, "no-heading-runbook");
    assert_eq!(t.sections.len(), 1);
    let s = &t.sections[0];
    assert_eq!(
        (s.title.as_str(), s.level, s.line),
        ("no-heading-runbook", 0, 1)
    );
    assert_eq!(texts(&t), ["First thing", "Second thing"]);
    assert_eq!(checked(&t), [false, true]);
    assert!(
        matches!(&s.body[..], [Block::Paragraph { spans, line: 1 }] if plain(spans) == "Some words before the list."),
        "{:?}",
        s.body
    );
}

#[test]
fn sections_nest_by_heading_level_in_document_order() {
    let t = load("sections.md");
    let got: Vec<(&str, u8, Option<&str>)> = t
        .sections
        .iter()
        .map(|s| {
            (
                s.title.as_str(),
                s.level,
                s.parent.map(|p| t.sections[p].title.as_str()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Migration", 1, None),
            ("Before", 2, Some("Migration")),
            ("Database", 3, Some("Before")),
            ("During", 2, Some("Migration")),
            ("Aftercare", 1, None),
        ]
    );
    let homes: Vec<Vec<&str>> = t.items.iter().map(|i| t.section_path(i.section)).collect();
    assert_eq!(
        homes,
        [
            vec!["Migration", "Before"],
            vec!["Migration", "Before", "Database"],
            vec!["Migration", "During"],
            vec!["Aftercare"],
        ]
    );
    assert_eq!(t.title, "Migration");
}

#[test]
fn utf8_bom_is_stripped() {
    let bytes = std::fs::read(fixture("valid", "bom.md")).expect("fixture");
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "fixture starts with a BOM"
    );
    let t = load("bom.md");
    assert_eq!(t.title, "With BOM");
    assert_eq!(texts(&t), ["Check the byte order mark"]);
    assert_eq!(t.items[0].line, 3);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    // The same through parse_str with a BOM in the string.
    let t = parse("\u{FEFF}# With BOM\n\n- [ ] Check\n");
    assert_eq!(t.title, "With BOM");
}

#[test]
fn crlf_line_endings_are_normalised() {
    let t = load("crlf.md");
    assert_eq!(t.title, "Windows endings");
    assert_eq!(texts(&t), ["First CRLF step", "Second CRLF step"]);
    assert_eq!(checked(&t), [false, true]);
    assert_eq!(t.items.iter().map(|i| i.line).collect::<Vec<_>>(), [3, 4]);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn lone_cr_line_endings_are_normalised() {
    let t = load("lone_cr.md");
    assert_eq!(t.title, "Classic Mac endings");
    assert_eq!(texts(&t), ["First CR step", "Second CR step"]);
    assert_eq!(t.items.iter().map(|i| i.line).collect::<Vec<_>>(), [3, 4]);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn windows_1252_mojibake_is_repaired_and_counted() {
    let t = load("mojibake_cp1252.md");
    assert_eq!(
        texts(&t),
        ["Tests pass ✅", "Stop on 🔴 alerts", "Coverage ≥ 80%"]
    );
    assert_eq!(t.repairs, 3);
    assert_eq!(t.stats().repairs, 3);
    assert_eq!(warning_lines(&t), [3]);
    assert!(t.warnings[0].message.contains("mojibake"));
}

#[test]
fn mac_roman_mojibake_is_repaired_and_counted() {
    let t = load("mojibake_macroman.md");
    assert_eq!(texts(&t), ["Done ✅", "Tools 🔧"]);
    assert_eq!(t.repairs, 2);
    assert_eq!(warning_lines(&t), [3]);
}

#[test]
fn mojibake_written_as_bytes_is_repaired() {
    // UTF-8 text decoded as Windows-1252, then encoded as UTF-8 again.
    fn cp1252_mojibake(s: &str) -> String {
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(s.as_bytes());
        text.into_owned()
    }
    let src = format!(
        "# Byte-built\n\n- [ ] Ship {}\n- [ ] Café stays café\n",
        cp1252_mojibake("✅")
    );
    let t = template::parse_bytes("gen.md", src.as_bytes()).expect("loads");
    assert_eq!(texts(&t), ["Ship ✅", "Café stays café"]);
    assert_eq!(t.repairs, 1);
}

#[test]
fn valid_non_ascii_text_is_not_repaired() {
    let src = "# Größe\n\n- [ ] café — naïve “quotes” ✅ 🔴 中文 العربية\n- [ ] é—— Ñandú\n";
    let t = parse(src);
    assert_eq!(
        texts(&t),
        ["café — naïve “quotes” ✅ 🔴 中文 العربية", "é—— Ñandú"]
    );
    assert_eq!(t.repairs, 0);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn escape_sequences_bidi_and_zero_width_become_visible_marks() {
    let t = load("escapes.md");
    assert_eq!(t.title, "Escapes ␛[31mred␛[0m");
    assert_eq!(
        texts(&t),
        [
            "Title ␛]0;pwned␇ here",
            "Bidi <U+202E>reversed<U+202C> text",
            "Zero<U+200B>width",
            "C1 <U+009B> control",
        ]
    );
    assert_eq!(code_of(&t.items[3]), [(Some("sh"), "echo ␛[2J\n")]);
    assert_eq!(warning_lines(&t), [1, 3, 4, 5, 6, 9]);
    let raw = |s: &str| {
        s.chars()
            .any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c) || c == '\u{200B}')
    };
    assert!(!raw(&t.title));
    for i in &t.items {
        assert!(!raw(&i.text), "{:?}", i.text);
        assert!(i.spans().all(|s| !raw(s.text)), "{:?}", i.styles);
    }
    for s in &t.sections {
        assert!(!raw(&s.title));
    }
}

#[test]
fn invalid_utf8_names_file_offset_and_line() {
    let (path, e) = load_err("invalid_utf8.md");
    assert_eq!(
        e.kind,
        LoadErrorKind::InvalidUtf8 {
            offset: 20,
            line: 3
        }
    );
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("byte 20") && msg.contains("line 3"), "{msg}");
}

#[test]
fn nul_bytes_are_a_binary_file_error() {
    let (path, e) = load_err("binary.md");
    assert_eq!(
        e.kind,
        LoadErrorKind::Binary {
            offset: 14,
            line: 3
        }
    );
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("byte 14") && msg.contains("line 3"), "{msg}");
    assert!(msg.contains("binary"), "{msg}");
}

#[test]
fn empty_and_whitespace_only_files_are_errors() {
    for name in ["empty.md", "whitespace.md"] {
        let (path, e) = load_err(name);
        assert_eq!(e.kind, LoadErrorKind::Empty, "{name}");
        let msg = e.to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains("empty"), "{msg}");
    }
    for src in ["", " \n\t\r\n", "\u{FEFF}", "\u{FEFF}  \r"] {
        let e = template::parse_str("blank.md", src).expect_err("blank");
        assert_eq!(e.kind, LoadErrorKind::Empty, "{src:?}");
        assert_eq!(e.file, "blank.md");
        let e = template::parse_bytes("blank.md", src.as_bytes()).expect_err("blank");
        assert_eq!(e.kind, LoadErrorKind::Empty, "{src:?}");
    }
}

#[test]
fn a_file_without_items_is_an_error() {
    let (path, e) = load_err("no_items.md");
    assert_eq!(e.kind, LoadErrorKind::NoItems);
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("no checklist items"), "{msg}");
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let path = fixture("invalid", "does-not-exist.md");
    let e = template::load_path(&path).expect_err("missing");
    assert!(matches!(e.kind, LoadErrorKind::Io(_)), "{e:?}");
    assert!(e.to_string().contains("does-not-exist.md"), "{e}");
}

#[test]
fn every_valid_fixture_loads_without_panicking() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures dir") {
        let path = entry.expect("entry").path();
        let t = template::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!t.items.is_empty());
        n += 1;
    }
    assert!(n >= 20, "only {n} fixtures");
}

#[test]
fn ordered_task_markers_with_any_start_number() {
    let t = parse("# T\n\n2. [ ] two\n3. [x] three\n\n10) [X] ten\n");
    assert_eq!(texts(&t), ["two", "three", "ten"]);
    assert_eq!(checked(&t), [false, true, true]);
}

#[test]
fn a_gate_task_with_a_role_label_keeps_the_role() {
    let t = parse("# T\n\n- [ ] **Service Owner:** GO / NO-GO - [Signature]\n");
    let gate = &t.items[0];
    assert_eq!(gate.kind, ItemKind::Gate);
    assert_eq!(gate.role.as_deref(), Some("Service Owner"));
    assert_eq!(gate.origin, Origin::List);
}

#[test]
fn a_bold_go_no_go_label_followed_by_text_is_a_gate() {
    // A bold lead-in counts for a task or bullet (`- **Go/No-Go:** …`); the same line as a
    // paragraph must count too.
    let src = "# T\n\n**Go/No-Go:** proceed only when the error rate is below 1%\n\n- [ ] a\n";
    let t = parse(src);
    let gates: Vec<(&str, Origin, usize)> = t
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Gate)
        .map(|i| (i.text.as_str(), i.origin, i.line))
        .collect();
    assert_eq!(
        gates,
        [(
            "Go/No-Go: proceed only when the error rate is below 1%",
            Origin::Line,
            3
        )]
    );
    let bullet = parse("# T\n\n- **Go/No-Go:** proceed only when the error rate is below 1%\n");
    assert_eq!(bullet.items[0].kind, ItemKind::Gate);
    assert_eq!(bullet.items[0].text, gates[0].0);
}

#[test]
fn consecutive_signoff_lines_in_one_paragraph_are_separate_items() {
    let t = parse("# T\n\nTech Lead: ________\nQA Lead: ________ Date: ____\n");
    let got: Vec<(&str, usize)> = t.items.iter().map(|i| (i.text.as_str(), i.line)).collect();
    assert_eq!(got, [("Tech Lead", 3), ("QA Lead", 4)]);
    assert!(t.items.iter().all(|i| i.kind == ItemKind::Signoff));
}

#[test]
fn a_paragraph_and_code_after_a_blank_line_belong_to_the_item_before() {
    let t = parse(
        "# T\n\n- [ ] Step one\n\nSee the dashboard.\n\n```sh\necho after-blank\n```\n\n- [ ] Step two\n",
    );
    let one = item(&t, "Step one");
    assert!(
        matches!(&one.body[..], [Block::Paragraph { spans, line: 5 }, Block::Code(_)] if plain(spans) == "See the dashboard."),
        "{:?}",
        one.body
    );
    assert_eq!(code_of(one), [(Some("sh"), "echo after-blank\n")]);
    assert!(item(&t, "Step two").body.is_empty());
}

#[test]
fn an_html_comment_inside_item_text_leaves_no_gap() {
    let t = parse("# T\n\n- [ ] Restart <!-- not yet on prod --> the worker\n");
    assert_eq!(texts(&t), ["Restart the worker"]);
}
