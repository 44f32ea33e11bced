//! A run's window as written: on the command line (`--window`) or in a template's metadata.

use super::{ClockTime, DateError, End, Zone, date, duration_prefix, moment_prefix, spaces};
use chrono::{DateTime, FixedOffset, NaiveDate};

/// A run's window as written on the command line or in a template's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WindowSpec {
    /// Date, when given.
    pub date: Option<NaiveDate>,
    /// Start time, when given.
    pub time: Option<ClockTime>,
    /// The zone, when given.
    pub zone: Option<Zone>,
    /// Where it ends.
    pub end: Option<End>,
    /// An exact instant (`2026-12-02T22:00+01:00`), which fixes date, time and offset.
    pub instant: Option<DateTime<FixedOffset>>,
}

fn rfc3339ish(s: &str) -> Option<DateTime<FixedOffset>> {
    // Only the `T` form carries an attached offset: `2026-12-02 22:00-02:00` is a range.
    if s.as_bytes()
        .get(10)
        .is_none_or(|b| !matches!(b, b'T' | b't'))
    {
        return None;
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%#z").ok())
}

/// Reads a window: `22:00`, `2026-12-02 22:00`, `2026-12-02T22:00+01:00`, `22:00 Europe/Berlin`,
/// `2026-12-02 22:00-02:00 CET`, `22:00 for 4h`, `December 10, 2024 08:00 AM UTC+7`, or a date
/// alone. With `strict`, nothing may follow; otherwise trailing words are ignored.
pub fn window_spec(s: &str, strict: bool) -> Result<WindowSpec, String> {
    let text = s.trim();
    if text.is_empty() {
        return Err(
            "empty: give a time such as 22:00, 2026-12-02 22:00 or 22:00 Europe/Berlin".to_owned(),
        );
    }
    let (first, after) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    if let Some(t) = rfc3339ish(first) {
        let mut spec = WindowSpec {
            instant: Some(t),
            date: Some(t.date_naive()),
            time: ClockTime::new(chrono::Timelike::hour(&t), chrono::Timelike::minute(&t)),
            zone: Some(Zone::Fixed(*t.offset())),
            end: None,
        };
        let rest = tail(after, &mut spec);
        return finish(text, rest, strict, spec);
    }
    let mut spec = WindowSpec::default();
    let rest = match moment_prefix(text).map_err(|DateError::Ambiguous(d)| {
        format!("`{d}`: day and month could be either way round; write the date as YYYY-MM-DD")
    })? {
        Some((m, rest)) => {
            spec.date = m.date;
            spec.time = Some(m.clock);
            spec.zone = m.zone;
            spec.end = m.end;
            if m.day.is_some() {
                return Err(format!("`{text}`: a window needs a date, not a day number"));
            }
            rest
        }
        None => match date::date_prefix(text) {
            Ok(Some((d, rest))) => {
                spec.date = Some(d);
                match Zone::in_text(rest) {
                    Some((z, r)) => {
                        spec.zone = Some(z);
                        r
                    }
                    None => rest,
                }
            }
            Ok(None) => {
                return Err(format!(
                    "`{text}`: not a time; write 22:00, 2026-12-02 22:00, 2026-12-02T22:00+01:00 or 22:00 Europe/Berlin"
                ));
            }
            Err(DateError::Ambiguous(d)) => {
                return Err(format!(
                    "`{d}`: day and month could be either way round; write the date as YYYY-MM-DD"
                ));
            }
        },
    };
    let rest = tail(rest, &mut spec);
    finish(text, rest, strict, spec)
}

/// `for 4h`, `(4 hours)`, a zone written last (`22:00 for 4h CET`).
fn tail<'a>(rest: &'a str, spec: &mut WindowSpec) -> &'a str {
    let mut rest = spaces(rest);
    for _ in 0..2 {
        if spec.end.is_none() {
            let r = rest.strip_prefix("for ").or_else(|| rest.strip_prefix('('));
            if let Some(r) = r
                && let Some((m, r2)) = duration_prefix(r)
            {
                spec.end = Some(End::Minutes(m));
                rest = spaces(r2.trim_start_matches([' ', ')']));
                continue;
            }
        }
        if spec.zone.is_none() {
            if let Some((z, r)) = Zone::in_text(rest) {
                spec.zone = Some(z);
                rest = spaces(r);
                continue;
            }
            // A zone written on its own at the end: `+01:00`, `europe/berlin`.
            let word = rest.split_whitespace().next().unwrap_or("");
            if !word.is_empty()
                && let Some(z) = Zone::parse(word)
            {
                spec.zone = Some(z);
                rest = spaces(&rest[word.len()..]);
                continue;
            }
        }
        break;
    }
    rest
}

fn finish(text: &str, rest: &str, strict: bool, spec: WindowSpec) -> Result<WindowSpec, String> {
    let rest = rest.trim();
    if strict && !rest.is_empty() {
        if spec.zone.is_none() && !rest.contains(' ') {
            return Err(format!(
                "`{rest}` in `{text}` is not a time zone runsheet knows: use an offset (+01:00, UTC+7) or an IANA name (Europe/Berlin)"
            ));
        }
        return Err(format!("`{text}`: cannot read `{rest}` after the time"));
    }
    Ok(spec)
}
