//! Go/no-go decision points: "Go/No-Go" in any dash, slash, spacing or case form.

/// Whether `text` contains "Go/No-Go" in any dash, slash, spacing or case form (`GO / NO-GO`,
/// `go-nogo`, `Go–No Go`, `go or no-go`).
pub fn mentions_go_no_go(text: &str) -> bool {
    let bytes = text.as_bytes();
    if !has_g(bytes) {
        return false;
    }
    if !memchr::memchr2_iter(b'g', b'G', bytes).any(|i| {
        bytes
            .get(i + 1)
            .is_some_and(|b| b.eq_ignore_ascii_case(&b'o'))
    }) {
        return false;
    }
    let chars: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let at = |i: usize| chars.get(i).copied();
    let is_dash = |c: char| matches!(c, '-' | '‐' | '‑' | '–' | '—' | '_');
    let skip_spaces = |mut j: usize| {
        while at(j).is_some_and(char::is_whitespace) {
            j += 1;
        }
        j
    };
    for i in 0..chars.len().saturating_sub(1) {
        if chars[i] != 'g' || chars[i + 1] != 'o' || (i > 0 && chars[i - 1].is_alphanumeric()) {
            continue;
        }
        let mut j = skip_spaces(i + 2);
        match at(j) {
            Some(c) if c == '/' || c == '|' || c == '\\' || is_dash(c) => j += 1,
            Some('o') if at(j + 1) == Some('r') && at(j + 2).is_some_and(char::is_whitespace) => {
                j += 2
            }
            _ => continue,
        }
        j = skip_spaces(j);
        if at(j) != Some('n') || at(j + 1) != Some('o') {
            continue;
        }
        j += 2;
        while at(j).is_some_and(|c| c.is_whitespace() || is_dash(c)) {
            j += 1;
        }
        if at(j) == Some('g')
            && at(j + 1) == Some('o')
            && !at(j + 2).is_some_and(char::is_alphanumeric)
        {
            return true;
        }
    }
    false
}

/// Whether `bytes` holds a `g` or `G`: eight bytes at a time (most item texts have none, and are
/// too short for a vectorised search to pay for starting).
fn has_g(bytes: &[u8]) -> bool {
    use crate::text::bytes::{ONES, eq_mask, word};
    // `b | 0x20 == b'g'` exactly for `g` and `G`.
    let mut chunks = bytes.chunks_exact(8);
    chunks.any(|c| eq_mask(word(c) | (ONES * 0x20), b'g') != 0)
        || chunks.remainder().iter().any(|&b| b | 0x20 == b'g')
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_g_anywhere_is_found_and_nothing_else_is() {
        for b in 0u8..=255 {
            for at in 0..20 {
                let mut v = vec![b'.'; 20];
                v[at] = b;
                assert_eq!(super::has_g(&v), b == b'g' || b == b'G', "{b:#x} at {at}");
            }
        }
    }

    use super::*;

    #[test]
    fn go_no_go_in_every_form() {
        for s in [
            "Go/No-Go decision",
            "GO / NO-GO",
            "go-nogo call",
            "Go–No Go",
            "Final go or no-go",
            "**Go/No Go Meeting**",
            "go/no_go",
        ] {
            assert!(mentions_go_no_go(s), "{s}");
        }
        for s in [
            "Go to the dashboard",
            "ago/nogo",
            "Go/No-Gopher",
            "going nowhere",
            "Google",
        ] {
            assert!(!mentions_go_no_go(s), "{s}");
        }
    }
}
