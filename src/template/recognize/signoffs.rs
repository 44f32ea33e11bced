//! Sign-off lines (`Tech Lead: ____`, `Approved by: [Name]`), labels, and bracket placeholders in
//! metadata lines (`**Deployment Lead:** [Name]`).

const SUBLABELS: &[&str] = &[
    "date",
    "time",
    "signature",
    "sign",
    "signed",
    "name",
    "initials",
    "on",
    "at",
];

/// The first letters of [`SUBLABELS`] (a test keeps them in step).
const SUBLABEL_INITIALS: &[u8] = b"dtsnioa";

/// Whether `word` is one of [`SUBLABELS`], in any case (lengths are compared first).
fn is_sublabel(word: &str) -> bool {
    SUBLABELS.iter().any(|s| s.eq_ignore_ascii_case(word))
}

/// Whether `s` has `://` (a URL).
fn has_scheme_sep(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr_iter(b':', b).any(|i| b.get(i + 1..i + 3) == Some(b"//"))
}

/// Per byte, what [`is_label`] makes of it: 0 a word's byte, 1 white space, 2 markup (not in a
/// label), 3 `:` (a URL's `://`?), 4 not ASCII (the general path decides).
static LABEL_CLASS: [u8; 256] = {
    use crate::text::bytes::with_class;
    let mut t = with_class([0; 256], b" \t\n\x0b\x0c\r", 1);
    t = with_class(t, b"[]()`|<>*{}", 2);
    t = with_class(t, b":", 3);
    let mut i = 128;
    while i < 256 {
        t[i] = 4;
        i += 1;
    }
    t
};

/// Whether `label` reads like a field or role label: short, starts with a letter, no markup or URL.
pub fn is_label(label: &str) -> bool {
    // ASCII (most labels): one pass over the bytes, the same answer as the general path.
    let b = label.as_bytes();
    if b.is_empty() || b.len() > 48 || !b[0].is_ascii_alphabetic() {
        return (b.len() > 48 || !b.first().is_some_and(u8::is_ascii)) && is_label_general(label);
    }
    let mut words = 0u32;
    let mut after_space = true;
    for (i, &c) in b.iter().enumerate() {
        let class = LABEL_CLASS[usize::from(c)];
        if class >= 2 {
            match class {
                2 => return false,
                3 if b.get(i + 1..i + 3) == Some(b"//") => return false,
                3 => {}
                _ => return is_label_general(label),
            }
        }
        let space = class == 1;
        words += u32::from(after_space & !space);
        after_space = space;
    }
    words <= 6
}

/// [`is_label`] for any text.
fn is_label_general(label: &str) -> bool {
    // Cheapest questions first: most text with a colon is a sentence or a link, not a label.
    !label.is_empty()
        && label.len() <= 48 * 4
        && label.chars().next().is_some_and(char::is_alphabetic)
        && !label.bytes().any(|b| {
            matches!(
                b,
                b'[' | b']' | b'(' | b')' | b'`' | b'|' | b'<' | b'>' | b'*' | b'{' | b'}'
            )
        })
        && !has_scheme_sep(label)
        && label.chars().count() <= 48
        && label.split_whitespace().count() <= 6
}

/// Splits `label: rest` at the first colon, without judging the label (see [`is_label`]).
fn split_colon(raw: &str) -> Option<(&str, &str)> {
    let colon = crate::text::bytes::find_byte(raw.as_bytes(), b':')?;
    let label = raw[..colon]
        .trim()
        .trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace());
    Some((label, raw[colon + 1..].trim_start_matches(['*', '_'])))
}

/// Splits `label: rest` where the label is short role-like text (bold markers allowed).
pub fn split_label(raw: &str) -> Option<(&str, &str)> {
    split_colon(raw).filter(|(label, _)| is_label(label))
}

/// Bracket placeholders (`[Name]`) in `s` that are not links (not followed by `(` or `[`).
pub fn bracket_placeholders(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        let inner = &after[..close];
        let tail = &after[close + 1..];
        let is_link = tail.starts_with('(') || tail.starts_with('[');
        if !is_link
            && !inner.is_empty()
            && inner.chars().count() <= 48
            && !inner.contains('[')
            && inner.trim() != "x"
            && !inner.trim().is_empty()
            && !inner.starts_with('!')
        {
            out.push(inner.trim());
        }
        rest = tail;
    }
    out
}

/// What follows a sign-off label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Blanks to write on: `____`, `****\_****`.
    Blanks,
    /// Only bracket placeholders: `[Name]`.
    Placeholder,
}

/// Words that make a label a role (so `Approved by: [Name]` is a sign-off, `Location: [Room]` is not).
const ROLE_WORDS: &[&str] = &[
    "lead",
    "manager",
    "owner",
    "approv",
    "sign",
    "engineer",
    "director",
    "officer",
    "commander",
    "admin",
    "dba",
    "qa",
    "sre",
    "on-call",
    "oncall",
    "reviewer",
    "head",
    "chief",
    "vp",
    "cto",
    "ciso",
    "cio",
    "product",
    "security",
    "architect",
    "operator",
    "author",
    "witness",
    "sponsor",
    "stakeholder",
    "coordinator",
    "responsible",
    "accountable",
    "verified by",
    "checked by",
    "executed by",
    "performed by",
];

/// Whether a table header names the column a person signs in (`Signature`, `Sign-off`,
/// `Signed`, `Approval`, `Initials`): with a role column, the table is a sign-off table, each row a
/// sign-off by the row's role.
pub fn is_signature_header(header: &str) -> bool {
    // Most headers (`Check`, `Status`, `Notes`) hold none of the stems: no allocation for them.
    let has = |stem: &[u8]| {
        header
            .as_bytes()
            .windows(stem.len())
            .any(|w| w.eq_ignore_ascii_case(stem))
    };
    if !(has(b"sign") || has(b"initials") || has(b"approv")) {
        return false;
    }
    super::with_header_lower(header, |h| {
        let words: Vec<&str> = h
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        words
            .iter()
            .any(|w| matches!(*w, "signature" | "signatures" | "initials"))
            || matches!(
                words.as_slice(),
                ["sign"]
                    | ["signed"]
                    | ["sign", "off"]
                    | ["signoff"]
                    | ["signed", "off"]
                    | ["approval"]
                    | ["approved"]
                    | ["approve"]
                    | ["sign", "off", "date"]
                    | ["signed", "on"]
            )
    })
}

/// Whether a table header names the column of who signs (`Role`, `Approver`, `Signatory`,
/// `Function`, `Team`, `Position`, `Responsibility`).
pub fn is_role_header(header: &str) -> bool {
    super::with_header_lower(header, |h| {
        matches!(
            h.trim_end_matches(':').trim_end(),
            "role"
                | "roles"
                | "approver"
                | "approvers"
                | "approver role"
                | "signatory"
                | "signatories"
                | "signer"
                | "function"
                | "team"
                | "position"
                | "title"
                | "responsibility"
                | "sign-off role"
                | "sign-off by"
                | "approval by"
        )
    })
}

/// Whether a label names a person's role: one of the role words at the start of a word
/// (`Tech Lead`, `Approved by`, `QA`), not inside one (`Design Complete` is not a sign-off).
pub fn is_role_like(label: &str) -> bool {
    let l = label.to_lowercase();
    ROLE_WORDS.iter().any(|w| {
        l.match_indices(w).any(|(i, _)| {
            !l[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        })
    })
}

/// [`is_role_like`] as loader rules 1 had it: a role word anywhere in the label.
fn is_role_like_v1(label: &str) -> bool {
    let l = label.to_lowercase();
    ROLE_WORDS.iter().any(|w| l.contains(w))
}

/// The ASCII separators [`first_word`] skips: whitespace (what `char::is_whitespace` says of
/// ASCII) and the marks, as a byte table (a table lookup is one load; a 128-bit mask shift is
/// several instructions a byte).
static FIRST_WORD_SEP: [u8; 256] =
    crate::text::bytes::with_class([0; 256], b" \t\n\x0b\x0c\r_*-.:\\(|/,", 1);

/// The first word after blanks and separators (`____ Date:` → `Date`).
fn first_word(rest: &str) -> &str {
    // ASCII fast path (the usual case); anything else takes the general one.
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() && FIRST_WORD_SEP[usize::from(b[i])] != 0 {
        i += 1;
    }
    let mut j = i;
    while j < b.len() && b[j].is_ascii_alphanumeric() {
        j += 1;
    }
    if b.get(i).is_none_or(u8::is_ascii) && b.get(j).is_none_or(u8::is_ascii) {
        return &rest[i..j];
    }
    first_word_general(rest)
}

/// [`first_word`] for any text.
fn first_word_general(rest: &str) -> &str {
    let sep = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '_' | '*' | '-' | '.' | '…' | ':' | '\\' | '(' | '|' | '/' | ','
            )
    };
    let first = rest.trim_start_matches(sep);
    let end = first
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(first.len());
    &first[..end]
}

/// Whether what follows the first colon of `raw` has what blanks or a placeholder need (two `_`,
/// three `*` or a `[`): a cheap test before any sign-off is looked for.
fn may_have_blanks(raw: &str) -> bool {
    let Some(colon) = crate::text::bytes::find_byte(raw.as_bytes(), b':') else {
        return false;
    };
    let after = &raw[colon + 1..];
    // The first word after the label must be a sub-label or nothing (`____ Date: ____`), not text
    // (`Step 1: restart **x**`): this rejects most lines after a few bytes. A line whose text
    // starts right after the colon and a space with a letter no sub-label starts with, or a digit,
    // is answered from that byte.
    if let [b' ', c, ..] = after.as_bytes()
        && c.is_ascii_alphanumeric()
        && !SUBLABEL_INITIALS.contains(&c.to_ascii_lowercase())
    {
        return false;
    }
    let word = first_word(after);
    if !word.is_empty() && !is_sublabel(word) {
        return false;
    }
    let rest = after.as_bytes();
    let (mut under, mut star, mut open) = (0usize, 0usize, false);
    for &b in rest {
        under += usize::from(b == b'_');
        star += usize::from(b == b'*');
        open |= b == b'[';
    }
    open || under >= 2 || star >= 3
}

/// The rest of [`blank_rest`] for short ASCII text, on the stack: `None` when the text is not
/// such (the general path then runs), else its answer.
fn blank_tail_ascii(rest: &str) -> Option<Option<Fill>> {
    let src = rest.as_bytes();
    if src.len() > 256 || !rest.is_ascii() {
        return None;
    }
    // Backslashes dropped first (`\_` is an escaped blank).
    let unescaped: Vec<u8>;
    let s: &[u8] = if crate::text::bytes::find_byte(src, b'\\').is_some() {
        unescaped = src.iter().copied().filter(|&b| b != b'\\').collect();
        &unescaped
    } else {
        src
    };
    // One pass. Words are split at blanks and `( ) , | /` (a `[…]` placeholder splits too); each
    // word's core (without `_ * - . :` at its ends) must be empty or a sub-label. No sub-label has
    // one of those marks inside or more than 9 letters, so a core is kept only while it could
    // still be one.
    let is_sep =
        |b: u8| b.is_ascii_whitespace() || matches!(b, 0x0B | b'(' | b')' | b',' | b'|' | b'/');
    let is_trim = |b: u8| matches!(b, b'_' | b'*' | b'-' | b'.' | b':');
    let (mut underscores, mut stars, mut placeholders) = (0usize, 0usize, 0usize);
    let mut core = [0u8; 9];
    let mut core_len = 0;
    let mut marks_after_core = false;
    let word_end = |core: &[u8]| core.is_empty() || SUBLABELS.iter().any(|l| l.as_bytes() == core);
    let mut i = 0;
    while i < s.len() {
        let b = s[i].to_ascii_lowercase();
        i += 1;
        if b == b'[' {
            let start = i;
            while i < s.len() && s[i] != b']' {
                i += 1;
            }
            let inner = &s[start..i];
            if i < s.len() {
                i += 1; // the `]`
            }
            if inner.len() > 48 || inner.windows(3).any(|w| w == b"://") || s.get(i) == Some(&b'(')
            {
                return Some(None);
            }
            placeholders += 1;
        } else if is_trim(b) {
            underscores += usize::from(b == b'_');
            stars += usize::from(b == b'*');
            marks_after_core |= core_len > 0;
            continue;
        } else if !is_sep(b) {
            if marks_after_core || core_len == core.len() {
                return Some(None);
            }
            core[core_len] = b;
            core_len += 1;
            continue;
        }
        // The word ended (a separator or a placeholder).
        if !word_end(&core[..core_len]) {
            return Some(None);
        }
        core_len = 0;
        marks_after_core = false;
    }
    if !word_end(&core[..core_len]) {
        return Some(None);
    }
    Some(if underscores >= 2 || stars >= 3 {
        Some(Fill::Blanks)
    } else if placeholders > 0 {
        Some(Fill::Placeholder)
    } else {
        None
    })
}

/// Reads the part after a sign-off label: blanks (`____`, `****\_****`), placeholders (`[Name]`,
/// `(Date: ____)`) and sub-labels (`Date:`), and nothing else.
pub fn blank_rest(rest: &str) -> Option<Fill> {
    // Quick reject: the first word after the blanks is ordinary text (`restart **x**`).
    let word = first_word(rest);
    if !word.is_empty() && !is_sublabel(word) {
        return None;
    }
    // Quick reject (same thresholds as below): blanks need two `_` or three `*`; placeholders `[`.
    let (mut under, mut star) = (0, 0);
    for b in rest.bytes() {
        match b {
            b'[' => under = 2,
            b'_' => under += 1,
            b'*' => star += 1,
            _ => {}
        }
    }
    if under < 2 && star < 3 {
        return None;
    }
    match blank_tail_ascii(rest) {
        Some(fill) => fill,
        None => blank_tail_general(rest),
    }
}

/// The rest of [`blank_rest`], for any text.
fn blank_tail_general(rest: &str) -> Option<Fill> {
    let s = rest.replace('\\', "");
    let mut placeholders = 0;
    let mut stripped = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '[' {
            let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
            if inner.chars().count() > 48 || inner.contains("://") || chars.peek() == Some(&'(') {
                return None;
            }
            placeholders += 1;
            stripped.push(' ');
        } else {
            stripped.push(c);
        }
    }
    let lower = stripped.to_lowercase();
    let mut underscores = 0;
    let mut stars = 0;
    for word in lower.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | '|' | '/'))
    {
        let core = word.trim_matches(|c: char| matches!(c, '_' | '*' | '-' | '.' | '…' | ':'));
        underscores += word.matches('_').count();
        stars += word.matches('*').count();
        if core.is_empty() || SUBLABELS.contains(&core) {
            continue;
        }
        return None;
    }
    if underscores >= 2 || stars >= 3 {
        Some(Fill::Blanks)
    } else if placeholders > 0 {
        Some(Fill::Placeholder)
    } else {
        None
    }
}

/// A sign-off: `Tech Lead: ____ Date: ____`, `**QA Lead:** ____`, `Approved by: [Name]`.
/// Blanks make any label a sign-off; a bracket placeholder only a role-like label, and only when
/// `placeholders` is allowed (not for attribute bullets such as `- Owner: [QA Lead]` under a task).
/// Returns the role.
pub fn signoff_role(raw: &str, placeholders: bool) -> Option<String> {
    signoff_role_with(raw, placeholders, false)
}

/// [`signoff_role`], with `legacy` for loader rules 1 (role words matched anywhere in the label).
pub fn signoff_role_with(raw: &str, placeholders: bool, legacy: bool) -> Option<String> {
    if !may_have_blanks(raw) {
        return None;
    }
    let (label, rest) = split_colon(raw)?;
    let fill = blank_rest(rest)?;
    if !is_label(label) {
        return None;
    }
    match fill {
        Fill::Blanks => Some(label.to_owned()),
        Fill::Placeholder
            if placeholders
                && (if legacy {
                    is_role_like_v1(label)
                } else {
                    is_role_like(label)
                }) =>
        {
            Some(label.to_owned())
        }
        Fill::Placeholder => None,
    }
}

/// A sign-off written as a paragraph line: blanks after any label (`Tech Lead: ____`), or a
/// placeholder after an approval label (`Approved by: [Name]`). `**Deployment Lead:** [Name]` in a
/// paragraph is a metadata line (its placeholder is a variable), not a sign-off.
pub fn signoff_role_line(raw: &str) -> Option<String> {
    if !may_have_blanks(raw) {
        return None;
    }
    let (label, rest) = split_colon(raw)?;
    let fill = blank_rest(rest)?;
    if !is_label(label) {
        return None;
    }
    let lower = label.to_lowercase();
    let approval = lower.contains("approv") || lower.contains("sign") || lower.ends_with(" by");
    match fill {
        Fill::Blanks => Some(label.to_owned()),
        Fill::Placeholder if approval => Some(label.to_owned()),
        Fill::Placeholder => None,
    }
}

/// A sign-off line whose blanks are followed by the role in parentheses (`Approved by: ____
/// (Change Manager)`): its text (`Approved by (Change Manager)`) and the role (`Change Manager`;
/// the label when the parentheses hold no role, `(print name)`). Loader rules 3.
pub fn signoff_role_in_parentheses(raw: &str) -> Option<(String, String)> {
    if !ends_with_parenthesis(raw) {
        return None;
    }
    let raw = raw.trim_end();
    if !(raw.contains("__") || raw.contains("***")) {
        return None;
    }
    let (label, rest) = split_colon(raw)?;
    let open = rest.rfind('(')?;
    let inner = rest[open + 1..rest.len() - 1].trim();
    if inner.is_empty() || blank_rest(&rest[..open]) != Some(Fill::Blanks) || !is_label(label) {
        return None;
    }
    let role = if is_role_like(inner) && is_label(inner) {
        inner
    } else {
        label
    };
    Some((format!("{} ({inner})", label.trim()), role.to_owned()))
}

/// Whether `raw` ends with `)` (white space after it aside): the one-byte test that rules out
/// [`signoff_role_in_parentheses`] for most lines, which end with a word.
#[inline]
pub fn ends_with_parenthesis(raw: &str) -> bool {
    raw.bytes().rev().find(|b| !b.is_ascii_whitespace()) == Some(b')')
}

/// The role a sign-off label names (loader rules 3): `Signed off by Release Manager` → `Release
/// Manager`, `QA sign-off` → `QA`; a label that is only the act (`Approved by`, `Sign-off`) stays
/// as it is.
pub fn role_of_label(label: &str) -> &str {
    let l = label.trim();
    let b = l.as_bytes();
    // Most labels are a role already (`Tech Lead`): their first and last letters rule out every
    // form below.
    let leads = matches!(
        b.first().map(u8::to_ascii_lowercase),
        Some(b's' | b'a' | b'v' | b'r' | b'c')
    );
    let tails = matches!(
        b.last().map(u8::to_ascii_lowercase),
        Some(b'f' | b'e' | b'l')
    );
    if !leads && !tails {
        return l;
    }
    for lead in [
        "signed off by ",
        "sign-off by ",
        "sign off by ",
        "signoff by ",
        "signed by ",
        "approved by ",
        "verified by ",
        "reviewed by ",
        "checked by ",
        "accepted by ",
    ] {
        if let Some(head) = l.get(..lead.len())
            && head.eq_ignore_ascii_case(lead)
        {
            let rest = l[lead.len()..].trim();
            if !rest.is_empty() {
                return rest;
            }
        }
    }
    for tail in [
        " sign-off",
        " signoff",
        " sign off",
        " signature",
        " approval",
    ] {
        if let Some(cut) = l.len().checked_sub(tail.len())
            && let Some(end) = l.get(cut..)
            && end.eq_ignore_ascii_case(tail)
        {
            let rest = l[..cut].trim();
            if !rest.is_empty() {
                return rest;
            }
        }
    }
    l
}

/// Words that may join placeholders in a value (`[Start] to [End]`, `[Name] or [Deputy]`).
const CONNECTORS: &[&str] = &["to", "and", "or", "at", "on", "by", "until", "from", "till"];

/// Whether `value` is only bracket placeholders (`[Name]`, `[MM/DD/YYYY] [HH:MM]`), joined by
/// punctuation or a connecting word — a blank to fill in, not text that happens to hold brackets.
pub fn only_placeholders(value: &str) -> bool {
    if crate::text::bytes::find_byte(value.as_bytes(), b'[').is_none() {
        return false;
    }
    let mut rest = value;
    let mut found = false;
    let mut between = String::new();
    while let Some(open) = rest.find('[') {
        between.push_str(&rest[..open]);
        between.push(' ');
        let Some(close) = rest[open..].find(']') else {
            return false;
        };
        let tail = &rest[open + close + 1..];
        if tail.starts_with('(') || tail.starts_with('[') {
            return false;
        }
        found = true;
        rest = tail;
    }
    between.push_str(rest);
    found
        && between
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .all(|w| CONNECTORS.iter().any(|c| c.eq_ignore_ascii_case(w)))
}

/// A metadata line `**Deployment Lead:** [Name]`: the label and its placeholders, when the value
/// after the label is only placeholders (see [`only_placeholders`]).
pub fn metadata_placeholders(raw: &str) -> Option<(String, Vec<&str>)> {
    // The value first: most lines with a colon have no placeholder at all, and that is one search.
    let (label, rest) = split_colon(raw)?;
    if !only_placeholders(rest.trim_start_matches(['*', '_'])) || !is_label(label) {
        return None;
    }
    let found = bracket_placeholders(rest);
    (!found.is_empty()).then(|| (label.to_owned(), found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sublabel_starts_with_one_of_the_initials() {
        for s in SUBLABELS {
            assert!(SUBLABEL_INITIALS.contains(&s.as_bytes()[0]), "{s}");
        }
    }

    #[test]
    fn the_ascii_label_test_is_the_general_one() {
        let alphabet = [
            "a", "Z", " ", "\t", ":", "//", "*", "[", "`", "-", "9", "é", "x y", "  ",
        ];
        let mut cases: Vec<String> = vec![String::new(), "a".repeat(48), "a".repeat(49)];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    cases.push(format!("{a}{b}{c}"));
                    cases.push(format!("Tech{a}Lead{b}x{c}"));
                    cases.push(format!("{a}{}{c}", "w ".repeat(6)));
                }
            }
        }
        for a in 0u8..128 {
            cases.push(String::from_utf8(vec![b'L', a, b'x']).unwrap_or_default());
            cases.push(String::from_utf8(vec![a, b'x']).unwrap_or_default());
        }
        for s in &cases {
            assert_eq!(is_label(s), is_label_general(s), "{s:?}");
        }
    }

    #[test]
    fn the_ascii_first_word_is_the_general_one() {
        for a in 0u8..128 {
            for b in [b'x', b' ', b'_', b'9', b'.', b'#'] {
                let s = String::from_utf8(vec![a, b, b'a', a, b'z']).unwrap_or_default();
                assert_eq!(
                    super::first_word(&s),
                    super::first_word_general(&s),
                    "{s:?}"
                );
            }
        }
    }

    #[test]
    fn the_ascii_path_reads_blanks_like_the_general_one() {
        // Deterministic pseudo-random lines over the characters the reader cares about.
        let alphabet: &[u8] = b"_*\\[]():,|/.- abcDateTimSgn\t://x";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut line = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 40) as usize;
            for k in 0..len {
                let r = seed.rotate_left(k as u32 * 5) ^ (k as u64 * 0x9E37_79B9);
                line.push(char::from(alphabet[(r % alphabet.len() as u64) as usize]));
            }
            for extra in [
                "",
                " Date",
                " date ____",
                " [Name]",
                " [a](b)",
                " SIGNATURE: ___",
                " signatures ___",
                " __initials__ on ____ at __",
                " a.m ___",
                " da-te ___",
                " \\_\\_ name",
            ] {
                let l = format!("{line}{extra}");
                assert_eq!(
                    blank_tail_ascii(&l).unwrap_or_else(|| blank_tail_general(&l)),
                    blank_tail_general(&l),
                    "{l:?}"
                );
            }
        }
    }

    #[test]
    fn signoff_lines() {
        let role = |s: &str| signoff_role(s, true);
        assert_eq!(
            role("Tech Lead: ________ Date: ______").as_deref(),
            Some("Tech Lead")
        );
        assert_eq!(role("**QA Lead:** ____").as_deref(), Some("QA Lead"));
        assert_eq!(role("Approved by: [Name]").as_deref(), Some("Approved by"));
        assert_eq!(
            role(r"Engineering Lead: ********\_******** Date: **\_\_\_**").as_deref(),
            Some("Engineering Lead")
        );
        assert_eq!(
            role("Release Manager: _____________ (Date: _____)").as_deref(),
            Some("Release Manager")
        );
        assert_eq!(role("Note: run the backup first"), None);
        assert_eq!(role("Step 1: ____ then restart"), None);
        assert_eq!(role("See [docs](http://x): ___"), None);
        assert_eq!(role("Owner:"), None);
        assert_eq!(role("Location: [Room]"), None);
        assert_eq!(signoff_role("Owner: [QA Lead]", false), None);
        assert_eq!(
            role("Design Complete: [MM/DD/YYYY]"),
            None,
            "`sign` inside a word"
        );
        assert_eq!(
            signoff_role_with("Design Complete: [MM/DD/YYYY]", true, true).as_deref(),
            Some("Design Complete"),
            "rules 1 matched role words anywhere"
        );
        assert_eq!(role("Sign-off: [Name]").as_deref(), Some("Sign-off"));
        assert_eq!(signoff_role("Owner: ____", false).as_deref(), Some("Owner"));
    }

    #[test]
    fn metadata_placeholders_found() {
        let (label, found) =
            metadata_placeholders("**Deployment Lead:** [Name]").expect("metadata");
        assert_eq!(label, "Deployment Lead");
        assert_eq!(found, vec!["Name"]);
        assert!(metadata_placeholders("**Docs:** [guide](http://x)").is_none());
        let (label, found) =
            metadata_placeholders("**Window:** [Start] to [End]").expect("two placeholders");
        assert_eq!((label.as_str(), found), ("Window", vec!["Start", "End"]));
        assert!(
            metadata_placeholders("**Note:** see [the guide] before you start").is_none(),
            "brackets inside a sentence are not a blank to fill"
        );
        assert!(only_placeholders(" [MM/DD/YYYY] "));
        assert!(only_placeholders("[Name] / [Phone]"));
        assert!(!only_placeholders("call [Name] now"));
        assert!(!only_placeholders("no brackets"));
    }

    #[test]
    fn a_label_names_its_role() {
        assert_eq!(
            role_of_label("Signed off by Release Manager"),
            "Release Manager"
        );
        assert_eq!(role_of_label("approved by CAB chair"), "CAB chair");
        assert_eq!(role_of_label("QA sign-off"), "QA");
        assert_eq!(role_of_label("Security Approval"), "Security");
        // Only the act: the label is the role.
        assert_eq!(role_of_label("Approved by"), "Approved by");
        assert_eq!(role_of_label("Sign-off"), "Sign-off");
        assert_eq!(role_of_label("Tech Lead"), "Tech Lead");
        assert_eq!(role_of_label("Signé par"), "Signé par");
    }

    #[test]
    fn a_role_in_parentheses_after_the_blanks() {
        assert_eq!(
            signoff_role_in_parentheses("Approved by: ____________ (Change Manager)"),
            Some((
                "Approved by (Change Manager)".to_owned(),
                "Change Manager".to_owned()
            ))
        );
        // Parentheses that hold no role: the label signs.
        assert_eq!(
            signoff_role_in_parentheses("Signature: ______ (print name)").map(|(_, r)| r),
            Some("Signature".to_owned())
        );
        for not in [
            "Approved by: see the wiki (Change Manager)",
            "Restart: the service (after ____)",
            "Approved by: ____ ()",
            "Approved by: ____",
            "no colon ____ (Lead)",
            "Approved by: ____ (Lead",
        ] {
            assert_eq!(signoff_role_in_parentheses(not), None, "{not:?}");
        }
    }

    #[test]
    fn sign_off_table_headers() {
        for h in [
            "Signature",
            "**Signature**",
            "Sign-off",
            "Signed",
            "Approval",
            "Initials",
            "Signature / Date",
        ] {
            assert!(is_signature_header(h), "{h:?}");
        }
        for h in [
            "Status",
            "Name",
            "Date",
            "Signal",
            "Design sign-off review notes",
        ] {
            assert!(!is_signature_header(h), "{h:?}");
        }
        for h in ["Role", "Approver", "**Signatory**", "Team"] {
            assert!(is_role_header(h), "{h:?}");
        }
        for h in ["Check", "Host", "Name"] {
            assert!(!is_role_header(h), "{h:?}");
        }
    }
}
