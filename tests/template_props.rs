//! Property tests: no input — any string, any bytes — panics the loader, and what it loads never
//! carries a control character (or bidi override) that could drive the terminal later. Also: very
//! deep nesting and very many items load without overflowing the stack.
#![allow(clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use runsheet::model::{Block, Span, SpanStyle, Template};
use runsheet::template::{self, tree};

/// A character that must never reach the terminal from single-line text.
fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}'
        )
}

fn check_line(what: &str, s: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !s.chars().any(is_forbidden),
        "{what} contains a control character: {s:?}"
    );
    Ok(())
}

fn check_spans(what: &str, spans: &[Span]) -> Result<(), TestCaseError> {
    for s in spans {
        check_line(what, &s.text)?;
        if let SpanStyle::Link { url } = &s.style {
            check_line("link url", url)?;
        }
        if let SpanStyle::Placeholder { var } = &s.style {
            check_line("placeholder variable", var)?;
        }
    }
    Ok(())
}

fn check_blocks(body: &[Block]) -> Result<(), TestCaseError> {
    for b in body {
        match b {
            Block::Paragraph { spans, .. } => check_spans("paragraph", spans)?,
            Block::Bullet { spans, .. } => check_spans("bullet", spans)?,
            Block::Code(c) => {
                if let Some(lang) = &c.lang {
                    check_line("code lang", lang)?;
                }
                prop_assert!(
                    !c.text
                        .chars()
                        .any(|ch| is_forbidden(ch) && ch != '\n' && ch != '\t'),
                    "code text contains a control character other than \\n, \\t: {:?}",
                    c.text
                );
            }
            Block::Table { header, rows, .. } => {
                for cell in header.iter().chain(rows.iter().flatten()) {
                    check_line("table cell", &cell.text)?;
                    let spans: Vec<Span> = cell.spans().map(|s| s.to_span()).collect();
                    check_spans("table cell span", &spans)?;
                    prop_assert_eq!(
                        spans.iter().map(|s| s.text.as_str()).collect::<String>(),
                        cell.text.clone(),
                        "a cell's spans cover its text exactly"
                    );
                }
            }
        }
    }
    Ok(())
}

/// Every piece of text a loaded template holds is free of control characters.
fn check_clean(t: &Template) -> Result<(), TestCaseError> {
    check_line("title", &t.title)?;
    for f in &t.metadata {
        check_line("metadata name", &f.name)?;
        check_line("metadata value", &f.value)?;
    }
    for s in &t.sections {
        check_line("section title", &s.title)?;
        check_blocks(&s.body)?;
    }
    for i in &t.items {
        check_line("item text", &i.text)?;
        check_line("item id", i.id.as_str())?;
        let spans: Vec<Span> = i.spans().map(|s| s.to_span()).collect();
        check_spans("item span", &spans)?;
        prop_assert_eq!(
            spans.iter().map(|s| s.text.as_str()).collect::<String>(),
            i.text.clone(),
            "an item's spans cover its text exactly"
        );
        if let Some(role) = &i.role {
            check_line("role", role)?;
        }
        if let Some(group) = &i.group {
            check_line("group", group)?;
        }
        for f in &i.fields {
            check_line("field name", &f.name)?;
            check_line("field value", &f.value)?;
        }
        for f in &i.fillable {
            check_line("fillable field", f)?;
            prop_assert!(
                i.fields.iter().any(|x| &x.name == f),
                "fillable {f} is a field"
            );
        }
        check_blocks(&i.body)?;
    }
    for v in &t.variables {
        check_line("variable name", &v.name)?;
        if let Some(label) = &v.label {
            check_line("variable label", label)?;
        }
        if let Some(p) = &v.placeholder {
            check_line("variable placeholder", p)?;
        }
    }
    for w in &t.warnings {
        check_line("warning", &w.message)?;
        prop_assert!(w.line >= 1, "warning line {} is not 1-based", w.line);
    }
    // Every line number points into the file.
    for i in &t.items {
        prop_assert!(i.line >= 1);
    }
    Ok(())
}

/// Markdown-ish fragments, so generated text hits the loader's constructs (and its edges).
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("- [ ] ".to_owned()),
        Just("* [x] ".to_owned()),
        Just("1) [X] ".to_owned()),
        Just("- [-] ".to_owned()),
        Just("- ".to_owned()),
        Just("  ".to_owned()),
        Just("    ".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\r".to_owned()),
        Just("# ".to_owned()),
        Just("### 08:00 ".to_owned()),
        Just("## T-15 ".to_owned()),
        Just("> ".to_owned()),
        Just("```sh\n".to_owned()),
        Just("```".to_owned()),
        Just("~~~".to_owned()),
        Just("<details>".to_owned()),
        Just("<!-- ".to_owned()),
        Just(" -->".to_owned()),
        Just("| a | Status |\n|---|---|\n| ".to_owned()),
        Just(" | ✅ |\n".to_owned()),
        Just("|".to_owned()),
        Just("**".to_owned()),
        Just("`".to_owned()),
        Just("[link](http://x)".to_owned()),
        Just("Tech Lead: ____ ".to_owned()),
        Just("Approved by: [Name]".to_owned()),
        Just("**Go/No-Go**".to_owned()),
        Just("{{ VERSION }}".to_owned()),
        // Issue 11's constructs: numbered steps, pasted glyphs, `[ ]` without a marker, hard
        // breaks, placeholders after labels, status tables with blank and extra cells, aligned
        // tables, front matter asking for steps.
        Just("1. ".to_owned()),
        Just("2) ".to_owned()),
        Just("☐ ".to_owned()),
        Just("☑ ".to_owned()),
        Just("✅".to_owned()),
        Just("🔲 ".to_owned()),
        Just("✔\u{FE0F} ".to_owned()),
        Just("[ ] ".to_owned()),
        Just("[x] ".to_owned()),
        Just("  \n".to_owned()),
        Just("\\\n".to_owned()),
        Just("**Deployment Lead:** [Name]".to_owned()),
        Just("Window: [Start] to [End]".to_owned()),
        Just("| Check | Notes | Status |\n|:--|--:|:-:|\n| a |  | ☐ | extra |\n".to_owned()),
        Just("| **Go-Live Date** | [MM/DD] |\n".to_owned()),
        Just("---\nsteps: true\n---\n".to_owned()),
        Just("- [link](#anchor)".to_owned()),
        // Numbered step headings and go/no-go lines written like sign-offs.
        Just("## Step 2: ".to_owned()),
        Just("### 3.1 ".to_owned()),
        Just("## 4) ".to_owned()),
        Just("#### Step ".to_owned()),
        Just("**Go/No-Go:** ____".to_owned()),
        Just("Go/No-Go: ____\n".to_owned()),
        Just("---\ntitle: t\n---\n".to_owned()),
        Just("+++\ntitle = \"t\"\n+++\n".to_owned()),
        Just("âœ…".to_owned()),
        Just("‚úÖ".to_owned()),
        Just("üîß".to_owned()),
        Just("\u{1b}[31m".to_owned()),
        Just("\u{1b}]0;x\u{7}".to_owned()),
        Just("\u{9b}".to_owned()),
        Just("\u{202E}".to_owned()),
        Just("\u{200B}".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\u{FEFF}".to_owned()),
        Just("\t".to_owned()),
        "[a-zA-Z0-9 .:_/-]{1,12}",
        any::<char>().prop_map(String::from),
    ]
}

fn markdownish() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..60).prop_map(|v| v.concat())
}

fn markdownish_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            markdownish().prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..8),
            Just(vec![0xEF, 0xBB, 0xBF]),
            Just(vec![0xFF, 0xFE]),
            Just(vec![0xFE, 0xFF]),
        ],
        0..6,
    )
    .prop_map(|v| v.concat())
}

fn check_result(r: Result<Template, template::LoadError>) -> Result<(), TestCaseError> {
    match r {
        Ok(t) => {
            prop_assert!(!t.items.is_empty(), "a loaded template has items");
            check_clean(&t)?;
            // The JSON view must not panic either.
            let _ = tree::to_json(&t);
        }
        Err(e) => {
            let msg = e.to_string();
            prop_assert!(msg.starts_with("prop.md: "), "{msg}");
            check_line("error message", &msg)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_str_never_panics(s in any::<String>()) {
        check_result(template::parse_str("prop.md", &s))?;
    }

    #[test]
    fn any_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..512)) {
        check_result(template::parse_bytes("prop.md", &b))?;
    }

    #[test]
    fn markdownish_str_never_panics_and_is_clean(s in markdownish()) {
        check_result(template::parse_str("prop.md", &s))?;
    }

    #[test]
    fn markdownish_bytes_never_panic_and_are_clean(b in markdownish_bytes()) {
        check_result(template::parse_bytes("prop.md", &b))?;
    }

}

/// Whole blocks of the constructs the loader reads, each ending in a blank line, so that a prose
/// paragraph put between two of them is unrelated to both.
fn block() -> impl Strategy<Value = String> {
    let word = "[a-z]{3,8}";
    prop_oneof![
        (1u8..4, word).prop_map(|(l, w)| format!("{} {w} phase\n\n", "#".repeat(usize::from(l) + 1))),
        (word, word).prop_map(|(a, b)| format!("- [ ] {a} the {b}\n- [x] check {b}\n  - [ ] nested {a}\n\n")),
        (word, word).prop_map(|(a, b)| format!("1. {a} the {b}\n2. then {b}\n   1. sub {a}\n\n")),
        (word, word).prop_map(|(a, b)| format!("- {a} is fine\n- {b} is fine\n\n")),
        (word, word).prop_map(|(a, b)| format!("☐ {a} glyph\n✅ {b} glyph\n[ ] {a} bracket\n\n")),
        (word, word).prop_map(|(a, b)| format!("| Check | Description | Notes | Status |\n|---|---|---|---|\n| {a} | the {b} check runs |  | ☐ |\n\n")),
        (word, word).prop_map(|(a, b)| format!("| Host | Port |\n|---|--:|\n| {a} | 1 |\n| {b} | 2 | x |\n\n")),
        word.prop_map(|a| format!("**{a} Lead:** [Name]\n\n")),
        word.prop_map(|a| format!("{a} Lead: ________\n\n")),
        word.prop_map(|a| format!("- [ ] **Go/No-Go** for {a}\n\n")),
        word.prop_map(|a| format!("- [ ] run {a}  \n  and wait\n\n")),
        word.prop_map(|a| format!("```sh\n{a} --now\n```\n\n")),
        (1u8..20, word, word).prop_map(|(n, a, b)| format!("## Step {n}: {a} the {b}\n\n```sh\n{a} --now\n```\n\n")),
        (1u8..9, 1u8..9, word).prop_map(|(n, m, a)| format!("### {n}.{m} {a} it\n\n")),
        word.prop_map(|a| format!("**Go/No-Go:** ____\n\nGo/No-Go for {a}: ____\n\n")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Every construct, in any order: loads (or is refused cleanly), clean text, and the ids do
    /// not change when an unrelated prose paragraph is put between two blocks.
    #[test]
    fn ids_stay_when_an_unrelated_line_is_added(
        blocks in prop::collection::vec(block(), 1..14),
        at in any::<prop::sample::Index>(),
        prose in "[A-Z][a-z]{2,9}( [a-z]{2,9}){0,5}\\.",
    ) {
        let before: String = blocks.concat();
        let k = at.index(blocks.len() + 1);
        let after: String = blocks[..k]
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(format!("{prose}\n\n").as_str()))
            .chain(blocks[k..].iter().map(String::as_str))
            .collect();
        let a = template::parse_str("prop.md", &before);
        let b = template::parse_str("prop.md", &after);
        check_result(a.clone())?;
        check_result(b.clone())?;
        match (a, b) {
            (Ok(a), Ok(b)) => {
                let ids = |t: &Template| t.items.iter().map(|i| i.id.to_string()).collect::<Vec<_>>();
                prop_assert_eq!(ids(&a), ids(&b), "\n--- before\n{}\n--- after\n{}", before, after);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.kind, b.kind),
            (a, b) => prop_assert!(false, "one loads, one does not: {:?} / {:?}", a.map(|t| t.items.len()), b.map(|t| t.items.len())),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, ..ProptestConfig::default() })]

    #[test]
    fn str_and_bytes_agree_on_valid_utf8(s in markdownish()) {
        prop_assume!(!s.contains('\0'));
        let a = template::parse_str("prop.md", &s);
        let b = template::parse_bytes("prop.md", s.as_bytes());
        match (a, b) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Err(a), Err(b)) => prop_assert_eq!(a.kind, b.kind),
            (a, b) => prop_assert!(false, "parse_str {:?} vs parse_bytes {:?}", a.map(|t| t.items.len()), b.map(|t| t.items.len())),
        }
    }
}

#[test]
fn every_control_character_in_every_position_is_sanitised() {
    let controls = (0u32..0x20)
        .chain(0x7F..0xA0)
        .chain([0x200B, 0x200E, 0x202E, 0x2066, 0xFEFF])
        .filter_map(char::from_u32)
        .filter(|&c| c != '\n' && c != '\r');
    for c in controls {
        let src = format!(
            "---\ntitle: T{c}\nk{c}: v{c}\n---\n# H{c}\n\n- [ ] a{c}b [l{c}](http://x/{c}) `c{c}`\n  - n{c}\n\n  ```s{c}h\n  x{c}y\n  ```\n\n| S{c} | Status |\n|---|---|\n| r{c} | ✅ |\n\nTech Lead{c}: ____\n\n**Owner:** [P{c}]\n\n{{{{ V{c} }}}}\n\n☐ g{c}lyph\n[ ] b{c}racket\n\n| C{c} | Desc{c} | N{c} | Status |\n|---|---|---|---|\n| r{c} | d{c} d d d |  | ☐ | x{c} |\n\n- [ ] a{c}  \n  b{c}\n"
        );
        let t = template::parse_str("ctl.md", &src)
            .unwrap_or_else(|e| panic!("U+{:04X}: {e}", u32::from(c)));
        if let Err(e) = check_clean(&t) {
            panic!("U+{:04X}: {e}", u32::from(c));
        }
    }
}

/// Runs `f` on a thread with a small stack, like a test thread, and fails on overflow or panic.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic or stack overflow");
}

#[test]
fn five_thousand_deep_same_line_nesting_loads() {
    on_small_stack(|| {
        let src = format!("# Deep\n\n{}[ ] bottom\n", "- ".repeat(5_000));
        let t = template::parse_str("deep.md", &src).expect("loads");
        assert!(t.items.iter().any(|i| i.text == "bottom"));
        let _ = tree::to_json(&t);
    });
}

#[test]
fn two_thousand_deep_indented_task_nesting_loads() {
    on_small_stack(|| {
        // Each level indented two more spaces: 2,000 nested task items (4 MB of indentation; the
        // 5,000-deep cases above nest on one line and in block quotes).
        let mut src = String::from("# Deep\n\n");
        for depth in 0..2_000 {
            src.push_str(&" ".repeat(2 * depth));
            src.push_str(&format!("- [ ] level {depth}\n"));
        }
        let t = template::parse_str("deep.md", &src).expect("loads");
        assert_eq!(t.items.len(), 2_000);
        assert_eq!(t.items[0].text, "level 0");
        assert_eq!(t.items[1_999].text, "level 1999");
        assert!(
            t.items
                .iter()
                .all(|i| i.depth <= runsheet::model::MAX_ITEM_DEPTH)
        );
        let json = tree::to_json(&t);
        assert!(serde_json::to_string(&json).is_ok());
    });
}

#[test]
fn five_thousand_deep_blockquotes_load() {
    on_small_stack(|| {
        let src = format!("# Deep\n\n{}- [ ] quoted bottom\n", "> ".repeat(5_000));
        let t = template::parse_str("deep.md", &src).expect("loads");
        assert!(t.items.iter().any(|i| i.text == "quoted bottom"));
    });
}

#[test]
fn a_hundred_thousand_items_load() {
    on_small_stack(|| {
        let mut src = String::with_capacity(4_000_000);
        src.push_str("# Big\n\n");
        for s in 0..1_000 {
            src.push_str(&format!("## Section {s}\n\n"));
            for i in 0..100 {
                if i % 10 == 0 {
                    src.push_str(&format!("- [x] step {s}.{i}\n  ```sh\n  run {i}\n  ```\n"));
                } else {
                    src.push_str(&format!("  - [ ] step {s}.{i}\n"));
                }
            }
            src.push('\n');
        }
        let t = template::parse_str("big.md", &src).expect("loads");
        assert_eq!(t.items.len(), 100_000);
        assert_eq!(t.stats().checked, 10_000);
        assert_eq!(t.stats().code_blocks, 10_000);
        let ids: std::collections::HashSet<&str> = t.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids.len(), 100_000);
    });
}
