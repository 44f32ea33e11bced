//! The flags of a code block: the info string's words after the language (```` ```bash danger ````)
//! and a `<!-- runsheet: confirm -->` line right before the block (blank lines between are allowed).
//! Read from the source text, so the parser's walk only has to ask.

use crate::text::sanitize::clean_line;
use std::ops::Range;

/// Flags of the code block whose source is `src[range]`; `fenced` when it opened with a fence.
pub fn code_flags(src: &str, range: &Range<usize>, fenced: bool) -> Vec<String> {
    let mut flags = Vec::new();
    if fenced {
        let first = src
            .get(range.clone())
            .and_then(|s| s.lines().next())
            .unwrap_or("")
            .trim_start();
        let info = first.trim_start_matches(['`', '~']);
        flags.extend(
            info.split(|c: char| c.is_whitespace() || matches!(c, ',' | '{' | '}'))
                .filter(|s| !s.is_empty())
                .skip(1)
                .map(|s| clean_line(s.trim_start_matches('.')))
                .filter(|s| !s.is_empty()),
        );
    }
    if confirm_comment_before(src, range.start) && !flags.iter().any(|f| f == "confirm") {
        flags.push("confirm".to_owned());
    }
    flags
}

/// Whether the last non-blank line before byte `start` is `<!-- runsheet: confirm -->`.
fn confirm_comment_before(src: &str, start: usize) -> bool {
    let before = src.get(..start).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let Some(prev) = before[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
    else {
        return false;
    };
    is_confirm_comment(prev.trim_start_matches(['>', ' ', '-', '*', '+']))
}

fn is_confirm_comment(line: &str) -> bool {
    let Some(inner) = line
        .trim()
        .strip_prefix("<!--")
        .and_then(|l| l.strip_suffix("-->"))
    else {
        return false;
    };
    let words: Vec<&str> = inner
        .split(|c: char| c.is_whitespace() || c == ':')
        .filter(|w| !w.is_empty())
        .collect();
    matches!(words.as_slice(), [a, b] if a.eq_ignore_ascii_case("runsheet") && b.eq_ignore_ascii_case("confirm"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn flags_of(src: &str) -> Vec<String> {
        let start = src.find("```").unwrap_or(0);
        code_flags(src, &(start..src.len()), true)
    }

    #[test]
    fn info_words_after_the_language() {
        assert_eq!(
            flags_of("```bash danger timeout=90s\nrm -rf x\n```\n"),
            vec!["danger", "timeout=90s"]
        );
        assert_eq!(flags_of("```{.bash .danger}\nx\n```\n"), vec!["danger"]);
        assert!(flags_of("```bash\nx\n```\n").is_empty());
    }

    #[test]
    fn confirm_comment_before_the_block() {
        let src =
            "- [ ] Drop tables\n\n  <!-- runsheet: confirm -->\n\n  ```sql\nDROP TABLE x;\n  ```\n";
        assert_eq!(flags_of(src), vec!["confirm"]);
        let src = "<!--runsheet:confirm-->\n```bash\nx\n```\n";
        assert_eq!(flags_of(src), vec!["confirm"]);
        let src = "<!-- runsheet: confirm -->\nSome text\n```bash\nx\n```\n";
        assert!(flags_of(src).is_empty(), "a paragraph in between");
        let src = "<!-- something else -->\n```bash\nx\n```\n";
        assert!(flags_of(src).is_empty());
    }
}
