//! Calendar dates as people write them: `2024-12-10`, `2024/12/10`, `December 10, 2024`,
//! `Tue, Dec 10th 2024`, `10 December 2024`, `10.12.2024`, and `12/10/2024` only when the order is
//! unambiguous (`25/12/2024`, `12/25/2024`).

use chrono::NaiveDate;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Why a date-like text is not a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// `03/04/2024`: day and month could be either way round.
    Ambiguous(String),
}

fn digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n < min || n > max {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// A month name (`December`, `Dec`, `Dec.`, `Sept`) at the start of `s`: its number and the rest.
fn month_name(s: &str) -> Option<(u32, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    if n < 3 {
        return None;
    }
    let word = s[..n].to_ascii_lowercase();
    let m = MONTHS.iter().position(|full| {
        *full == word
            || (word.len() >= 3 && full.starts_with(&word) && (word.len() == 3 || word == "sept"))
    })?;
    let rest = &s[n..];
    Some((
        u32::try_from(m).ok()? + 1,
        rest.strip_prefix('.').unwrap_or(rest),
    ))
}

fn weekday_prefix(s: &str) -> &str {
    let n = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    if n >= 3 {
        let word = s[..n].to_ascii_lowercase();
        if WEEKDAYS
            .iter()
            .any(|d| *d == word || (word.len() == 3 && d.starts_with(&word)))
        {
            let rest = s[n..].strip_prefix('.').unwrap_or(&s[n..]);
            return rest.trim_start_matches([',', ' ']);
        }
    }
    s
}

fn ordinal(s: &str) -> &str {
    for suffix in ["st", "nd", "rd", "th"] {
        if let Some(rest) = s.strip_prefix(suffix)
            && !rest.starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            return rest;
        }
    }
    s
}

/// The end of a date: a digit or letter may not follow (`2024-12-101`, `2024x`).
fn ended(rest: &str) -> bool {
    !rest.starts_with(|c: char| c.is_ascii_alphanumeric())
}

fn ymd(y: u32, m: u32, d: u32) -> Option<NaiveDate> {
    if !(1900..=2999).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// A date at the start of `s` (after an optional weekday), and the rest of the text.
pub fn date_prefix(s: &str) -> Result<Option<(NaiveDate, &str)>, DateError> {
    let s = weekday_prefix(s.trim_start());
    // ISO: 2024-12-10, 2024/12/10.
    if let Some((y, r)) = digits(s, 4, 4)
        && let Some(sep) = r.chars().next().filter(|c| matches!(c, '-' | '/'))
        && let Some((m, r)) = digits(&r[1..], 1, 2)
        && let Some(r) = r.strip_prefix(sep)
        && let Some((d, r)) = digits(r, 1, 2)
        && (ended(r)
            || r.strip_prefix(['T', 't'])
                .is_some_and(|t| t.starts_with(|c: char| c.is_ascii_digit())))
    {
        return Ok(ymd(y, m, d).map(|date| (date, r)));
    }
    // Month name first: December 10, 2024 / Dec 10th 2024.
    if let Some((m, r)) = month_name(s) {
        let r = r.trim_start();
        if let Some((d, r)) = digits(r, 1, 2) {
            let r = ordinal(r);
            let r = r.trim_start_matches([',', ' ']);
            if let Some((y, r)) = digits(r, 4, 4)
                && ended(r)
            {
                return Ok(ymd(y, m, d).map(|date| (date, r)));
            }
        }
        return Ok(None);
    }
    // Day first: 10 December 2024, 10th Dec 2024, 10.12.2024, 25/12/2024.
    if let Some((d, r)) = digits(s, 1, 2) {
        let after_ord = ordinal(r);
        let spaced = after_ord.trim_start_matches([' ', '-']);
        if let Some((m, r)) = month_name(spaced) {
            let r = r.trim_start_matches([',', ' ', '-']);
            if let Some((y, r)) = digits(r, 4, 4)
                && ended(r)
            {
                return Ok(ymd(y, m, d).map(|date| (date, r)));
            }
            return Ok(None);
        }
        if let Some(sep) = r.chars().next().filter(|c| matches!(c, '.' | '/'))
            && let Some((b, r2)) = digits(&r[1..], 1, 2)
            && let Some(r3) = r2.strip_prefix(sep)
            && let Some((y, r4)) = digits(r3, 4, 4)
            && ended(r4)
        {
            // `.` is always day first; with `/` the order must be plain from the numbers.
            let (day, month) = if sep == '.' || (d > 12 && b <= 12) || d == b {
                (d, b)
            } else if b > 12 && d <= 12 {
                (b, d)
            } else {
                return Err(DateError::Ambiguous(s[..s.len() - r4.len()].to_owned()));
            };
            return Ok(ymd(y, month, day).map(|date| (date, r4)));
        }
    }
    Ok(None)
}

/// A whole text that is one date (trailing punctuation and a parenthesised remark allowed).
pub fn date(s: &str) -> Result<Option<NaiveDate>, DateError> {
    Ok(date_prefix(s)?.and_then(|(d, rest)| {
        let rest = rest.trim();
        (rest.is_empty() || rest.starts_with('(')).then_some(d)
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_every_common_spelling() {
        for (s, want) in [
            ("2024-12-10", d(2024, 12, 10)),
            ("2024/12/10", d(2024, 12, 10)),
            ("December 10, 2024", d(2024, 12, 10)),
            ("Dec 10 2024", d(2024, 12, 10)),
            ("Dec. 10th, 2024", d(2024, 12, 10)),
            ("Tuesday, December 10, 2024", d(2024, 12, 10)),
            ("Tue 10 Dec 2024", d(2024, 12, 10)),
            ("10 December 2024", d(2024, 12, 10)),
            ("10th of", d(1, 1, 1)),
            ("10.12.2024", d(2024, 12, 10)),
            ("25/12/2024", d(2024, 12, 25)),
            ("12/25/2024", d(2024, 12, 25)),
            ("Sept 3, 2026", d(2026, 9, 3)),
            ("2026-12-02 (Wednesday)", d(2026, 12, 2)),
        ] {
            let got = date(s).unwrap();
            if want == d(1, 1, 1) {
                assert_eq!(got, None, "{s}");
            } else {
                assert_eq!(got, Some(want), "{s}");
            }
        }
        assert!(matches!(date("03/04/2024"), Err(DateError::Ambiguous(_))));
        for s in [
            "2024-13-01",
            "2024-02-30",
            "January 2026",
            "v1.2.3",
            "2024 plans",
            "[MM/DD/YYYY]",
            "",
        ] {
            assert_eq!(date(s), Ok(None), "{s}");
        }
        let (day, rest) = date_prefix("2024-12-10 08:00").unwrap().unwrap();
        assert_eq!((day, rest), (d(2024, 12, 10), " 08:00"));
    }
}
