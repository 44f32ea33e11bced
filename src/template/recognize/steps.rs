//! Numbered step headings: a runbook written as headings (`## Step 2: Promote the replica`,
//! `### 3. Verify`, `#### 2.1 Back up the database`) rather than as a numbered list.
//!
//! A heading is a step when its text opens with a step number: `Step N` (any case, then the end,
//! white space or a separator), or a bare number followed by `.`, `)` or `:` and a space, a
//! dotted number (`2.1`, `2.1.3`) and a space, or a number and a dash (`1 - Drain`). A number may
//! carry one letter (`Step 2a`). A heading that opens with a time (`08:00 Start`, `10.30 Deploy`,
//! `T+15 Verify`) is a timed section, never a step; nor is a bare year or count (`2024 review`,
//! `3 replicas`), nor a numbered document part (`1. Overview`, `7. References`).

/// What a numbered document section is called that is not a thing to do (`## 1. Overview`),
/// compared without case and trailing punctuation.
const DOCUMENT_PARTS: &[&str] = &[
    "overview",
    "introduction",
    "purpose",
    "scope",
    "background",
    "summary",
    "references",
    "contacts",
    "contact",
    "glossary",
    "appendix",
    "contents",
    "table of contents",
    "notes",
    "revision history",
    "document history",
    "change log",
    "changelog",
];

/// Whether `title` (a heading's text) opens with a step number and is not a numbered document
/// part (`1. Overview`, `7. References`).
pub fn is_step_heading(title: &str) -> bool {
    let Some(words) = step_words(title) else {
        return false;
    };
    let words = words
        .trim()
        .trim_start_matches([':', '.', ')', '-', '–', '—'])
        .trim()
        .trim_end_matches(['.', ':']);
    !DOCUMENT_PARTS.iter().any(|p| words.eq_ignore_ascii_case(p))
}

/// The text after a heading's step number (`Step 2: Promote` → `: Promote`), when it opens with
/// one.
fn step_words(title: &str) -> Option<&str> {
    let t = title.trim_start();
    let b = t.as_bytes();
    // Cheapest first: a step opens with a digit or `step`.
    if !b.first().is_some_and(u8::is_ascii_digit)
        && !b.get(..4).is_some_and(|w| w.eq_ignore_ascii_case(b"step"))
    {
        return None;
    }
    if super::times::starts_with_time(t) {
        return None;
    }
    let (worded, from) = match b.get(..4) {
        Some(w) if w.eq_ignore_ascii_case(b"step") => (true, 4),
        _ => (false, 0),
    };
    let mut i = from;
    if worded {
        // `Step 2`, `Step #2`, `Step-2`; not `Steps` or `Stepping`.
        while matches!(b.get(i), Some(b' ' | b'\t' | b'#' | b'-')) {
            i += 1;
        }
        if i == from && b.get(i).is_some_and(|c| !c.is_ascii_digit()) {
            return None;
        }
    }
    let (len, dotted) = number_len(&b[i..])?;
    let rest = &t[i + len..];
    if !worded && looks_like_clock(&b[i..i + len]) {
        return None;
    }
    if worded {
        // The end, or a separator or white space before the step's words.
        return rest
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || ":.)-–—".contains(c))
            .then_some(rest);
    }
    let words_follow =
        |r: &str| r.chars().next().is_some_and(char::is_whitespace) && !r.trim().is_empty();
    if let Some(r) = rest.strip_prefix(['.', ')', ':']) {
        return words_follow(r).then_some(r);
    }
    if dotted && words_follow(rest) {
        return Some(rest);
    }
    // `1 - Drain`, `2 – Restart`.
    let r = rest.trim_start();
    let after = r.strip_prefix(['-', '–', '—'])?;
    (r.len() < rest.len() && words_follow(after)).then_some(after)
}

/// `10.30`, `08.00`: two digits, a dot, two digits, read as an hour and minutes (European
/// clock notation), not as step 10.30.
fn looks_like_clock(number: &[u8]) -> bool {
    match number {
        [h1, h2, b'.', m1, m2] => {
            let hour = (h1 - b'0') * 10 + (h2 - b'0');
            let minute = (m1 - b'0') * 10 + (m2 - b'0');
            hour < 24 && minute < 60
        }
        _ => false,
    }
}

/// The length of a step number at the start of `b` (`2`, `2a`, `2.1`, `2.1.3`, at most three
/// digits a part), and whether it is dotted.
fn number_len(b: &[u8]) -> Option<(usize, bool)> {
    let mut i = 0;
    let mut parts = 0;
    loop {
        let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 3 {
            return (parts > 0).then_some((i.saturating_sub(1), parts > 1));
        }
        i += digits;
        parts += 1;
        // `2.1`: a dot followed by more digits continues the number.
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            continue;
        }
        break;
    }
    // One letter (`2a`) when a separator or the end follows it.
    if b.get(i).is_some_and(u8::is_ascii_lowercase)
        && b.get(i + 1).is_none_or(|c| !c.is_ascii_alphanumeric())
    {
        i += 1;
    }
    Some((i, parts > 1))
}

#[cfg(test)]
mod tests {
    use super::is_step_heading;

    #[test]
    fn numbered_and_worded_steps_are_steps() {
        for t in [
            "Step 1: Announce the failover",
            "STEP 2 - Freeze writes",
            "step 3",
            "Step 2a: Promote",
            "Step #4 Verify",
            "1. Generate the certificate",
            "2) Upload it",
            "3: Verify",
            "2.1 Back up the database",
            "2.1.3 Check the lag",
            "1 - Drain the node",
            "4 – Restart",
            "Step 10. Close the ticket",
            "12.75 Odd numbering",
            "3.10 Rollback",
        ] {
            assert!(is_step_heading(t), "{t:?}");
        }
    }

    #[test]
    fn times_years_counts_and_words_are_not_steps() {
        for t in [
            "08:00 - Start",
            "10.30 Deploy",
            "22.15 Cut-over",
            "T+15 Verify",
            "2024-12-10 08:00 Cut-over",
            "2024 review",
            "3 replicas down",
            "Steps to follow",
            "Stepping stones",
            "1.",
            "1.Drain",
            "Introduction",
            "v1.2 release",
            "1000000. Big",
            "1. Overview",
            "7. References.",
            "Step 1: Introduction",
            "",
        ] {
            assert!(!is_step_heading(t), "{t:?}");
        }
    }
}
