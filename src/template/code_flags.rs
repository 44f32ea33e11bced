//! The flags of a code block: the info string's words after the language (```` ```bash danger ````)
//! and a `<!-- runsheet: confirm -->` line right before the block (blank lines between are allowed).
//! Read from the source text, so the parser's walk only has to ask.

use crate::text::sanitize::clean_line;
use std::ops::Range;

/// Flags of the code block whose source is `src[range]`; `fenced` when it opened with a fence.
pub fn code_flags(src: &str, range: &Range<usize>, fenced: bool) -> Vec<String> {
    let mut flags = Vec::new();
    if fenced {
        let block = src.get(range.clone()).unwrap_or("");
        let first = block
            .get(..memchr::memchr(b'\n', block.as_bytes()).unwrap_or(block.len()))
            .unwrap_or("")
            .trim_start();
        let info = first.trim_start_matches(['`', '~']);
        // Most blocks have only a language (or nothing): no word after it, no flags.
        if info
            .trim()
            .contains(|c: char| c.is_whitespace() || matches!(c, ',' | '{' | '}'))
        {
            flags.extend(
                info.split(|c: char| c.is_whitespace() || matches!(c, ',' | '{' | '}'))
                    .filter(|s| !s.is_empty())
                    .skip(1)
                    .map(|s| clean_line(s.trim_start_matches('.')))
                    .filter(|s| !s.is_empty()),
            );
        }
    }
    if confirm_comment_before(src, range.start) && !flags.iter().any(|f| f == "confirm") {
        flags.push("confirm".to_owned());
    }
    flags
}

/// Whether the last non-blank line before byte `start` is `<!-- runsheet: confirm -->`.
fn confirm_comment_before(src: &str, start: usize) -> bool {
    let bytes = src.as_bytes();
    let start = start.min(bytes.len());
    // The block's own line, from its start: not before it.
    let line_start = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |p| p + 1);
    // Back over blank lines to the end of the last line with text. A comment ends in `-->`:
    // anything else is answered without looking further.
    let mut end = line_start;
    while end > 0 && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    if end == 0 || !bytes[..end].ends_with(b"-->") {
        return false;
    }
    let from = memchr::memrchr(b'\n', &bytes[..end]).map_or(0, |p| p + 1);
    let Some(prev) = src.get(from..end) else {
        return false;
    };
    is_confirm_comment(prev.trim().trim_start_matches(['>', ' ', '-', '*', '+']))
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
