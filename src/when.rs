//! Times as people write them, read in one place for the loader (timed headings, window metadata)
//! and the command line (`--window`): clock times (`08:00`, `8:30 PM`, `20:30h`, `20h30`), ranges
//! (`08:00 - 09:00`, `22:00–02:00`), offsets from a window start (`T-30`, `T+1h30m`), durations
//! (`30 min`, `1h30m`), days (`Day 2`), dates ([`date`]) and zones ([`zone`]).
//!
//! A leaf: std, chrono and chrono-tz only. Every function takes any text and never panics; they
//! return `None` (or an error saying why) for anything they do not read.

pub mod date;
pub mod window;
pub mod zone;

use chrono::{NaiveDate, NaiveTime};
pub use date::DateError;
pub use window::{WindowSpec, window_spec};
pub use zone::Zone;

/// A wall-clock time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime {
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
}

impl ClockTime {
    /// `hour:minute`, if valid.
    pub fn new(hour: u32, minute: u32) -> Option<ClockTime> {
        (hour <= 23 && minute <= 59).then(|| ClockTime {
            hour: u8::try_from(hour).unwrap_or(0),
            minute: u8::try_from(minute).unwrap_or(0),
        })
    }

    /// As a chrono time.
    pub fn naive(self) -> NaiveTime {
        NaiveTime::from_hms_opt(u32::from(self.hour), u32::from(self.minute), 0)
            .unwrap_or(NaiveTime::MIN)
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> u32 {
        u32::from(self.hour) * 60 + u32::from(self.minute)
    }
}

/// Written as `HH:MM`.
impl serde::Serialize for ClockTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// Read from `HH:MM` (any spelling [`clock_prefix`] reads).
impl<'de> serde::Deserialize<'de> for ClockTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ClockTime, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        match clock_prefix(s.trim()) {
            Some((c, _, rest)) if rest.trim().is_empty() => Ok(c),
            _ => Err(serde::de::Error::custom(format!(
                "not a time of day: `{s}`"
            ))),
        }
    }
}

impl std::fmt::Display for ClockTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// AM or PM, when a time was written with one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meridiem {
    /// Before noon.
    Am,
    /// After noon.
    Pm,
}

fn digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n < min || n > max {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

fn spaces(s: &str) -> &str {
    s.trim_start_matches([' ', '\t'])
}

/// `am`, `a.m.`, `PM` … at the start of `s` (after spaces), not followed by a letter.
fn meridiem(s: &str) -> Option<(Meridiem, &str)> {
    let t = spaces(s);
    // The first four bytes, lower-cased (the words are ASCII: a multi-byte character among them
    // matches none), on the stack.
    let head = &t.as_bytes()[..t.len().min(4)];
    let mut low = [0u8; 4];
    for (l, b) in low.iter_mut().zip(head) {
        *l = b.to_ascii_lowercase();
    }
    let lower = &low[..head.len()];
    for (word, m) in [
        ("a.m.", Meridiem::Am),
        ("p.m.", Meridiem::Pm),
        ("am", Meridiem::Am),
        ("pm", Meridiem::Pm),
    ] {
        if lower.starts_with(word.as_bytes()) {
            let rest = &t[word.len()..];
            if !rest.starts_with(|c: char| c.is_alphanumeric()) {
                return Some((m, rest));
            }
        }
    }
    None
}

fn apply_meridiem(hour: u32, m: Option<Meridiem>) -> Option<u32> {
    match m {
        None => Some(hour),
        Some(_) if hour == 0 || hour > 12 => None,
        Some(Meridiem::Am) => Some(hour % 12),
        Some(Meridiem::Pm) => Some(hour % 12 + 12),
    }
}

/// A clock time at the start of `s`: `08:00`, `8:00`, `08:00:30`, `8:30 PM`, `8 pm`, `20:30h`,
/// `20h30`, `2030h`, `0800 hrs`. Returns the time, whether it carried AM/PM, and the rest.
pub fn clock_prefix(s: &str) -> Option<(ClockTime, Option<Meridiem>, &str)> {
    let (hour, rest) = digits(s, 1, 4)?;
    let hour_digits = s.len() - rest.len();
    let (hour, minute, rest) = if hour_digits <= 2
        && let Some(r) = rest.strip_prefix(':')
    {
        let (minute, r) = digits(r, 2, 2)?;
        // Seconds are read and dropped; a third field or more digits is not a time.
        let r = match r.strip_prefix(':') {
            Some(sec) => digits(sec, 2, 2)?.1,
            None => r,
        };
        let r = r
            .strip_prefix(['h', 'H'])
            .filter(|x| !x.starts_with(|c: char| c.is_alphanumeric()))
            .unwrap_or(r);
        (hour, minute, r)
    } else if hour_digits <= 2
        && let Some(r) = rest.strip_prefix(['h', 'H'])
        && let Some((minute, r)) = digits(r, 2, 2)
    {
        (hour, minute, r)
    } else if hour_digits == 4 {
        let r = spaces(rest);
        let lower = r.to_ascii_lowercase();
        let suffix = ["hrs", "hours", "h"].into_iter().find(|w| {
            lower.starts_with(w) && !lower[w.len()..].starts_with(|c: char| c.is_alphanumeric())
        })?;
        (hour / 100, hour % 100, &r[suffix.len()..])
    } else if hour_digits <= 2 {
        // `8 PM`: an hour alone needs AM/PM.
        let (m, r) = meridiem(rest)?;
        let h = apply_meridiem(hour, Some(m))?;
        return Some((ClockTime::new(h, 0)?, Some(m), r));
    } else {
        return None;
    };
    if rest.starts_with(|c: char| c.is_ascii_digit())
        || rest.starts_with([':', '.']) && rest[1..].starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let (m, rest) = match meridiem(rest) {
        Some((m, r)) => (Some(m), r),
        None => (None, rest),
    };
    let hour = apply_meridiem(hour, m)?;
    Some((ClockTime::new(hour, minute)?, m, rest))
}

const UNITS: &[(&str, u32)] = &[
    ("minutes", 1),
    ("minute", 1),
    ("mins", 1),
    ("min", 1),
    ("m", 1),
    ("hours", 60),
    ("hour", 60),
    ("hrs", 60),
    ("hr", 60),
    ("h", 60),
    ("days", 1440),
    ("day", 1440),
    ("d", 1440),
];

/// A unit word at the start of `s` (after spaces when `spaced`): its factor in minutes and the rest.
fn unit(s: &str, spaced: bool) -> Option<(u32, &str)> {
    let t = if spaced { spaces(s) } else { s };
    let n = t.bytes().take_while(u8::is_ascii_alphabetic).count();
    if n == 0 {
        return None;
    }
    let word = t[..n].to_ascii_lowercase();
    UNITS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|&(_, f)| (f, &t[n..]))
}

/// An amount of time at the start of `s`: `30`, `30m`, `30 min`, `1h30m`, `1h30`, `1:30` (h:mm),
/// `2 hours`, `1.5h`, `1d`. A bare number is minutes. Returns minutes and the rest.
fn amount(s: &str) -> Option<(u32, &str)> {
    let (n, rest) = digits(s, 1, 5)?;
    // h:mm
    if let Some(r) = rest.strip_prefix(':')
        && let Some((m, r)) = digits(r, 2, 2)
        && m < 60
        && !r.starts_with(|c: char| c.is_ascii_digit())
    {
        return Some((n.checked_mul(60)?.checked_add(m)?, r));
    }
    // 1.5h
    if let Some(r) = rest.strip_prefix('.')
        && let Some((frac, r)) = digits(r, 1, 1)
        && let Some((f, r)) = unit(r, true)
        && f >= 60
    {
        return Some((n.checked_mul(f)?.checked_add(frac * f / 10)?, r));
    }
    let Some((f, r)) = unit(rest, true) else {
        if rest.starts_with(|c: char| c.is_alphabetic()) {
            // `T-30Prep`? only units may touch the number.
            return None;
        }
        return Some((n, rest));
    };
    let total = n.checked_mul(f)?;
    // 1h30m, 1h30, 1h 30min
    if f >= 60
        && let Some((m, r2)) = digits(spaces(r), 1, 2)
    {
        let (mf, r3) = match unit(r2, true) {
            Some((1, r3)) => (1, r3),
            Some(_) => return Some((total, r)),
            None if !r2.starts_with(|c: char| c.is_alphanumeric()) => (1, r2),
            None => return Some((total, r)),
        };
        if m < 60 {
            return Some((total.checked_add(m * mf)?, r3));
        }
    }
    Some((total, r))
}

/// A window offset at the start of `s`: `T-30`, `T+15`, `T+0`, `T-0`, `T0`, `T-1h`, `T+1h30m`,
/// `T-60 min`, `T - 2 hours`. Followed by anything but a letter or digit touching it
/// (`T-30 Prep` is -30; `T-Shirt` is nothing). Returns signed minutes and the rest.
pub fn offset_prefix(s: &str) -> Option<(i32, &str)> {
    let s = s.strip_prefix(['T', 't'])?;
    let t = spaces(s);
    let (sign, rest) = if let Some(r) = t.strip_prefix('+') {
        (1, r)
    } else if let Some(r) = t.strip_prefix(['-', '−', '–']) {
        (-1, r)
    } else if t.starts_with('0') && s.starts_with('0') {
        (1, t)
    } else {
        return None;
    };
    let (minutes, rest) = amount(spaces(rest))?;
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    Some((i32::try_from(minutes).ok()?.checked_mul(sign)?, rest))
}

/// A duration at the start of `s`: `30 min`, `45m`, `1h`, `1h30m`, `1.5 hours`, `~30 min`,
/// `15-30 minutes` (the longer bound). A unit is required. Returns minutes and the rest.
pub fn duration_prefix(s: &str) -> Option<(u32, &str)> {
    let s = spaces(s.trim_start_matches(['~', '≈', ' ']));
    let s = s
        .strip_prefix("approx.")
        .or_else(|| s.strip_prefix("about"))
        .or_else(|| s.strip_prefix("ca."))
        .map_or(s, spaces);
    // 15-30 minutes: skip the lower bound.
    let s = match digits(s, 1, 4).and_then(|(_, r)| r.strip_prefix(['-', '–'])) {
        Some(upper) if upper.starts_with(|c: char| c.is_ascii_digit()) => upper,
        _ => s,
    };
    // A unit must follow the number (bare numbers are not durations).
    let (_, rest) = digits(s, 1, 5)?;
    let r = rest
        .strip_prefix('.')
        .map_or(rest, |r| r.trim_start_matches(|c: char| c.is_ascii_digit()));
    unit(r, true)?;
    let (m, rest) = amount(s)?;
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    Some((m, rest))
}

/// `Day 2` (also `Day 2:` / `Day 2 -`) at the start of `s`: the day number (1 = the window's date).
pub fn day_prefix(s: &str) -> Option<(u16, &str)> {
    let t = s.get(..3).filter(|w| w.eq_ignore_ascii_case("day"))?;
    let rest = spaces(&s[t.len()..]);
    let (n, rest) = digits(rest, 1, 3)?;
    if n == 0 || rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    Some((u16::try_from(n).ok()?, rest))
}

/// Where a range ends: a clock time (with its own zone, if written) or a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// `08:00 - 09:00`.
    Clock {
        /// End time.
        clock: ClockTime,
        /// Its zone, when written after it.
        zone: Option<Zone>,
    },
    /// `(30 min)`, `for 4h`.
    Minutes(u32),
}

/// A point in time as written in a heading or a window: a clock time, with an optional date or
/// day, zone and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// `2024-12-10 08:00`.
    pub date: Option<NaiveDate>,
    /// `Day 2 08:00`.
    pub day: Option<u16>,
    /// The time of day.
    pub clock: ClockTime,
    /// `08:00 UTC`.
    pub zone: Option<Zone>,
    /// `08:00 - 09:00`.
    pub end: Option<End>,
}

/// A range separator: `-`, `–`, `—`, `to`, `until`, `till`, `~` (with or without spaces).
fn range_sep(s: &str) -> Option<&str> {
    let t = spaces(s);
    for sep in ["-", "–", "—", "~", "to ", "until ", "till "] {
        if let Some(r) = t.strip_prefix(sep) {
            return Some(spaces(r));
        }
    }
    None
}

/// A clock time with an optional zone and range at the start of `s` (`08:00`, `08:00 AM UTC+7`,
/// `08:00 - 09:00 CET`, `8:00–9:30 PM`, `22:00-02:00`). Returns the moment (no date) and the rest.
pub fn clock_range_prefix(s: &str) -> Option<(Moment, &str)> {
    let (mut start, start_m, rest) = clock_prefix(s)?;
    let (mut zone, mut rest) = match Zone::in_text(rest) {
        Some((z, r)) => (Some(z), r),
        None => (None, rest),
    };
    let mut end = None;
    if let Some(after) = range_sep(rest)
        && let Some((e, end_m, r)) = clock_prefix(after)
    {
        // `8:00 - 9:30 PM`: the end's AM/PM applies to a start written without one.
        if start_m.is_none()
            && let Some(m) = end_m
            && (1..=12).contains(&start.hour)
            && let Some(h) = apply_meridiem(u32::from(start.hour), Some(m))
            && let Some(c) = ClockTime::new(h, u32::from(start.minute))
            && c <= e
        {
            start = c;
        }
        let (end_zone, r) = match Zone::in_text(r) {
            Some((z, r)) => (Some(z), r),
            None => (None, r),
        };
        // `08:00 - 09:00 CET`: a zone after the range is the zone of both.
        if zone.is_none() {
            zone = end_zone;
        }
        end = Some(End::Clock {
            clock: e,
            zone: end_zone.or(zone),
        });
        rest = r;
    }
    Some((
        Moment {
            date: None,
            day: None,
            clock: start,
            zone,
            end,
        },
        rest,
    ))
}

/// A moment at the start of `s`: `[Day N | date] [T|,|@|at] clock [zone] [range]`.
pub fn moment_prefix(s: &str) -> Result<Option<(Moment, &str)>, DateError> {
    let (date, day, rest) = if let Some((n, r)) = day_prefix(s) {
        (None, Some(n), r)
    } else if let Some((d, r)) = date::date_prefix(s)? {
        (Some(d), None, r)
    } else {
        (None, None, s)
    };
    let rest = if date.is_some() || day.is_some() {
        let r = rest.strip_prefix(['T', 't']).unwrap_or(rest);
        let r = spaces(r.trim_start_matches([',', ':', '@', ' ', '-', '–']));
        r.strip_prefix("at ").map_or(r, spaces)
    } else {
        rest
    };
    let Some((mut m, rest)) = clock_range_prefix(rest) else {
        return Ok(None);
    };
    m.date = date;
    m.day = day;
    Ok(Some((m, rest)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
