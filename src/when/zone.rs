//! Time zones as people write them: `UTC`, `Z`, `+01:00`, `UTC+7`, `GMT-3:30`, IANA names
//! (`Europe/Berlin`, `CET`, `EST`) from the tz database that `chrono-tz` maintains, and the common
//! abbreviations of fixed offsets that are not IANA names (`CEST`, `PDT`, `JST` …).

use chrono::{DateTime, Duration, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{TZ_VARIANTS, Tz};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A time zone: a fixed offset, a fixed-offset abbreviation, or an IANA zone with its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// A fixed offset (`+01:00`, `UTC+7`, `UTC`).
    Fixed(FixedOffset),
    /// An abbreviation that means one fixed offset (`CEST` = UTC+02:00).
    Abbrev {
        /// The abbreviation as runsheet spells it.
        name: &'static str,
        /// Its offset.
        offset: FixedOffset,
    },
    /// An IANA zone (`Europe/Berlin`, `CET`, `EST`): daylight-saving rules included.
    Named(Tz),
}

/// Abbreviations in common use that are not IANA zone names, each with the one offset it means.
/// Ambiguous ones (`CST`, `IST`, `AST`, `BST` outside the UK …) are left out on purpose: a time
/// written with them is refused rather than guessed. IANA names (`CET`, `EET`, `EST`, `MST`, `HST`,
/// `WET`) come from the tz database, with their daylight-saving rules.
const ABBREVIATIONS: &[(&str, i32)] = &[
    ("CEST", 2 * 60),
    ("EEST", 3 * 60),
    ("WEST", 60),
    ("BST", 60),
    ("MSK", 3 * 60),
    ("PST", -8 * 60),
    ("PDT", -7 * 60),
    ("MDT", -6 * 60),
    ("CDT", -5 * 60),
    ("EDT", -4 * 60),
    ("AKST", -9 * 60),
    ("AKDT", -8 * 60),
    ("HST", -10 * 60),
    ("JST", 9 * 60),
    ("KST", 9 * 60),
    ("SGT", 8 * 60),
    ("HKT", 8 * 60),
    ("AWST", 8 * 60),
    ("ACST", 9 * 60 + 30),
    ("AEST", 10 * 60),
    ("AEDT", 11 * 60),
    ("NZST", 12 * 60),
    ("NZDT", 13 * 60),
    ("SAST", 2 * 60),
    ("EAT", 3 * 60),
    ("WAT", 60),
    ("BRT", -3 * 60),
    ("ART", -3 * 60),
];

/// North American zones written without saying whether daylight saving is on (`22:00 ET`,
/// `9:00 AM PT`): each is the one region's zone, with its rules (`ET` is New York's time, EST in
/// winter and EDT in summer).
const GENERIC: &[(&str, Tz)] = &[
    ("ET", Tz::America__New_York),
    ("CT", Tz::America__Chicago),
    ("MT", Tz::America__Denver),
    ("PT", Tz::America__Los_Angeles),
    ("AKT", Tz::America__Anchorage),
];

fn fixed(minutes: i32) -> Option<FixedOffset> {
    FixedOffset::east_opt(minutes.checked_mul(60)?)
}

/// `+01:00`, `+0100`, `+01`, `-3:30`, `+7` (after `UTC`) → minutes east of UTC.
fn signed_offset(s: &str, bare_hours: bool) -> Option<i32> {
    let (sign, rest) = match s.chars().next()? {
        '+' => (1, &s[1..]),
        '-' => (-1, &s[1..]),
        '−' => (-1, &s['−'.len_utf8()..]),
        _ => return None,
    };
    let (h, m) = if let Some((hh, mm)) = rest.split_once(':') {
        let all_digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(hh) || hh.len() > 2 || mm.len() != 2 || !all_digits(mm) {
            return None;
        }
        (hh.parse().ok()?, mm.parse().ok()?)
    } else {
        let digits: Vec<u32> = rest
            .chars()
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()?;
        match digits.as_slice() {
            [h1, h2, m1, m2] => (h1 * 10 + h2, m1 * 10 + m2),
            [h1, h2] => (h1 * 10 + h2, 0),
            [h] if bare_hours => (*h, 0),
            _ => return None,
        }
    };
    if h > 14 || m > 59 {
        return None;
    }
    let minutes = i32::try_from(h * 60 + m).ok()?;
    Some(sign * minutes)
}

fn named(s: &str) -> Option<Tz> {
    if let Ok(tz) = s.parse::<Tz>() {
        return Some(tz);
    }
    TZ_VARIANTS
        .iter()
        .copied()
        .find(|t| t.name().eq_ignore_ascii_case(s))
}

impl Zone {
    /// UTC.
    pub const UTC: Zone = Zone::Fixed(match FixedOffset::east_opt(0) {
        Some(z) => z,
        None => unreachable!(),
    });

    /// Reads a zone written on its own (`--window … Europe/Berlin`, a `timezone:` field): `UTC`, `Z`,
    /// `GMT`, an offset (`+01:00`, `+0100`, `UTC+7`, `GMT-3:30`), an IANA name in any case, or a
    /// fixed-offset abbreviation (`CEST`).
    pub fn parse(s: &str) -> Option<Zone> {
        let s = s
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim();
        if s.is_empty() || s.len() > 40 {
            return None;
        }
        let upper = s.to_ascii_uppercase();
        for prefix in ["UTC", "GMT", "UT"] {
            if let Some(rest) = upper.strip_prefix(prefix) {
                let rest = rest.trim_start();
                if rest.is_empty() {
                    return Some(Zone::UTC);
                }
                if let Some(m) = signed_offset(rest, true) {
                    return fixed(m).map(Zone::Fixed);
                }
                if prefix != "UT" {
                    return None;
                }
            }
        }
        if upper == "Z" || upper == "ZULU" {
            return Some(Zone::UTC);
        }
        if let Some(m) = signed_offset(s, false) {
            return fixed(m).map(Zone::Fixed);
        }
        if let Some(&(name, m)) = ABBREVIATIONS.iter().find(|(n, _)| *n == upper) {
            return fixed(m).map(|offset| Zone::Abbrev { name, offset });
        }
        if let Some(&(_, tz)) = GENERIC.iter().find(|(n, _)| *n == upper) {
            return Some(Zone::Named(tz));
        }
        named(s).map(Zone::Named)
    }

    /// Reads a zone written after a time in running text (`08:00 UTC`, `08:00 AM UTC+7`,
    /// `08:00 CET`, `22:00 Europe/Berlin`), more strictly than [`Zone::parse`]: a word is a zone only
    /// when it is `UTC`/`GMT`/`Z` (with an offset or not), an `Area/Location` name,
    /// or an upper-case abbreviation of 2–5 letters that the tz database or the abbreviation list
    /// knows — so `08:00 Japan deploy` keeps "Japan" as text. A bare signed number is not a zone
    /// here (`22:00-02:00` is a range). Returns the zone and the rest.
    pub fn in_text(s: &str) -> Option<(Zone, &str)> {
        let t = s.trim_start_matches([' ', '\t']);
        let (open, t) = match t.strip_prefix('(') {
            Some(r) => (true, r.trim_start()),
            None => (false, t),
        };
        // A token: letters, digits, `/ _ + - : −`, up to a space, comma, `)` or the end.
        let end = t
            .char_indices()
            .find(|&(_, c)| {
                !(c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-' | ':' | '−'))
            })
            .map_or(t.len(), |(i, _)| i);
        let mut token = &t[..end];
        let mut rest = &t[end..];
        // `UTC +7`: the offset written apart.
        if token.eq_ignore_ascii_case("UTC") || token.eq_ignore_ascii_case("GMT") {
            let after = rest.trim_start_matches(' ');
            if after.starts_with(['+', '-', '−']) {
                let oend = after
                    .char_indices()
                    .skip(1)
                    .find(|&(_, c)| !(c.is_ascii_digit() || c == ':'))
                    .map_or(after.len(), |(i, _)| i);
                if signed_offset(&after[..oend], true).is_some() {
                    let consumed = t.len() - after.len() + oend;
                    token = &t[..consumed];
                    rest = &t[consumed..];
                }
            }
        }
        // Trailing dashes belong to a range or a title separator, not to the zone (`08:00 UTC-`).
        while token.ends_with(['-', ':']) {
            let cut = token.len() - 1;
            rest = &t[cut..];
            token = &token[..cut];
        }
        if token.is_empty() {
            return None;
        }
        let compact: String = token.chars().filter(|c| *c != ' ').collect();
        let upper = compact.to_ascii_uppercase();
        let acceptable = upper.starts_with("UTC")
            || upper.starts_with("GMT")
            || upper == "Z"
            || compact.contains('/')
            || (compact.len() >= 2
                && compact.len() <= 5
                && compact.chars().all(|c| c.is_ascii_uppercase())
                && (ABBREVIATIONS.iter().any(|(n, _)| *n == compact) || compact.ends_with('T')));
        if !acceptable {
            return None;
        }
        let zone = Zone::parse(&compact)?;
        if open {
            rest = rest.trim_start().strip_prefix(')')?;
        }
        Some((zone, rest))
    }

    /// The name runsheet writes (and [`Zone::parse`] reads back): `UTC`, `UTC+07:00`, `CEST`,
    /// `Europe/Berlin`.
    pub fn name(&self) -> String {
        match self {
            Zone::Fixed(o) if o.local_minus_utc() == 0 => "UTC".to_owned(),
            Zone::Fixed(o) => format!("UTC{o}"),
            Zone::Abbrev { name, .. } => (*name).to_owned(),
            Zone::Named(tz) => tz.name().to_owned(),
        }
    }

    /// How a clock in this zone is labelled at an instant: the tz database's abbreviation for an
    /// IANA zone (`CET`, `CEST`, `EST`; its numeric form such as `+07` where the database has no
    /// letters), else the [`Zone::name`] (`UTC`, `UTC+07:00`, `CEST`).
    pub fn label_at<T: TimeZone>(&self, t: &DateTime<T>) -> String {
        use chrono_tz::OffsetName;
        match self {
            Zone::Named(tz) => {
                let utc = t.with_timezone(&Utc);
                tz.offset_from_utc_datetime(&utc.naive_utc())
                    .abbreviation()
                    .map_or_else(|| tz.name().to_owned(), str::to_owned)
            }
            _ => self.name(),
        }
    }

    /// The offset in force at an instant.
    pub fn offset_at(&self, t: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Fixed(o) | Zone::Abbrev { offset: o, .. } => *o,
            Zone::Named(tz) => tz.offset_from_utc_datetime(&t.naive_utc()).fix(),
        }
    }

    /// An instant shown in this zone.
    pub fn at<T: TimeZone>(&self, t: &DateTime<T>) -> DateTime<FixedOffset> {
        let utc = t.with_timezone(&Utc);
        utc.with_timezone(&self.offset_at(utc))
    }

    /// A wall-clock time in this zone as an instant. A time that occurs twice (the hour the clocks
    /// go back) is the first; a time that does not exist (the hour they go forward) is moved
    /// forward by the gap, as a clock on the wall would show it.
    pub fn localize(&self, local: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        match self {
            Zone::Fixed(o) | Zone::Abbrev { offset: o, .. } => {
                o.from_local_datetime(&local).single()
            }
            Zone::Named(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => Some(t.fixed_offset()),
                LocalResult::Ambiguous(a, _) => Some(a.fixed_offset()),
                LocalResult::None => {
                    // Inside a gap: the offset before it, read as the one after.
                    let before = tz
                        .from_local_datetime(&(local - Duration::hours(3)))
                        .earliest()?
                        .offset()
                        .fix();
                    let instant = before.from_local_datetime(&local).single()?;
                    Some(self.at(&instant))
                }
            },
        }
    }

    /// Whether this zone always has one offset.
    pub fn is_fixed(&self) -> bool {
        !matches!(self, Zone::Named(_))
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Written as its [`Zone::name`].
impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

/// Read with [`Zone::parse`].
impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Zone, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Zone::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown time zone `{s}`")))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn minutes(z: Zone) -> i32 {
        z.offset_at(Utc::now()).local_minus_utc() / 60
    }

    #[test]
    fn offsets_in_every_spelling() {
        for (s, m) in [
            ("UTC", 0),
            ("utc", 0),
            ("Z", 0),
            ("GMT", 0),
            ("+01:00", 60),
            ("+0100", 60),
            ("-05:30", -330),
            ("UTC+7", 420),
            ("UTC+07", 420),
            ("UTC+07:00", 420),
            ("UTC-3:30", -210),
            ("GMT-3", -180),
            ("UTC +7", 420),
            ("CEST", 120),
            ("pdt", -420),
        ] {
            let z = Zone::parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(minutes(z), m, "{s}");
            let back = Zone::parse(&z.name()).unwrap();
            assert_eq!(back, z, "{s} → {}", z.name());
        }
        for bad in ["", "UTC+25", "+1", "Nowhere/City", "UTC+", "16:9", "Mars"] {
            assert_eq!(Zone::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn iana_names_follow_daylight_saving() {
        let berlin = Zone::parse("europe/berlin").unwrap();
        assert_eq!(berlin.name(), "Europe/Berlin");
        let winter = NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(22, 0, 0)
            .unwrap();
        let summer = NaiveDate::from_ymd_opt(2026, 7, 2)
            .unwrap()
            .and_hms_opt(22, 0, 0)
            .unwrap();
        assert_eq!(
            berlin.localize(winter).unwrap().offset().local_minus_utc(),
            3600
        );
        assert_eq!(
            berlin.localize(summer).unwrap().offset().local_minus_utc(),
            7200
        );
        let cet = Zone::parse("CET").unwrap();
        assert!(matches!(cet, Zone::Named(_)));
        // 02:30 on the spring-forward night does not exist: shown as 03:30 CEST.
        let gap = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        let t = berlin.localize(gap).unwrap();
        assert_eq!(t.format("%H:%M %:z").to_string(), "03:30 +02:00");
        // 02:30 on the fall-back night happens twice: the first.
        let twice = NaiveDate::from_ymd_opt(2026, 10, 25)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            berlin.localize(twice).unwrap().format("%:z").to_string(),
            "+02:00"
        );
    }

    #[test]
    fn zones_in_running_text_are_strict() {
        let (z, rest) = Zone::in_text(" UTC+7 deploy").unwrap();
        assert_eq!((z.name().as_str(), rest), ("UTC+07:00", " deploy"));
        let (z, rest) = Zone::in_text(" CET - Start").unwrap();
        assert_eq!((z.name().as_str(), rest), ("CET", " - Start"));
        let (z, _) = Zone::in_text(" (Europe/Berlin)").unwrap();
        assert_eq!(z.name(), "Europe/Berlin");
        let (z, rest) = Zone::in_text(" UTC - 09:00").unwrap();
        assert_eq!((z.name().as_str(), rest), ("UTC", " - 09:00"));
        assert!(Zone::in_text(" Japan deploy").is_none());
        assert!(Zone::in_text(" Deploy").is_none());
        assert!(Zone::in_text(" DB migration").is_none());
        assert!(Zone::in_text(" - Start").is_none());
        assert!(Zone::in_text(" NZ rollout").is_none());
    }

    #[test]
    fn north_american_generic_zones_follow_daylight_saving() {
        let (et, rest) = Zone::in_text(" ET Pre-checks").unwrap();
        assert_eq!(
            (et.name().as_str(), rest),
            ("America/New_York", " Pre-checks")
        );
        let winter = NaiveDate::from_ymd_opt(2026, 12, 10)
            .and_then(|d| d.and_hms_opt(22, 0, 0))
            .unwrap();
        let summer = NaiveDate::from_ymd_opt(2026, 7, 10)
            .and_then(|d| d.and_hms_opt(22, 0, 0))
            .unwrap();
        let offset = |z: &Zone, t| z.localize(t).unwrap().format("%:z").to_string();
        assert_eq!(offset(&et, winter), "-05:00");
        assert_eq!(offset(&et, summer), "-04:00");
        let pt = Zone::parse("pt").unwrap();
        assert_eq!(offset(&pt, winter), "-08:00");
        assert_eq!(Zone::parse("CT").unwrap().name(), "America/Chicago");
        assert_eq!(Zone::parse("MT").unwrap().name(), "America/Denver");
        // Not a zone in running text unless written in capitals after a time.
        assert!(Zone::in_text(" Pt. 2").is_none());
    }
}
