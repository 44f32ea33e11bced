//! Times in events: RFC 3339 with microseconds on the wire, seconds for people.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};

/// Serde for `DateTime<FixedOffset>` as RFC 3339 with microseconds and the offset.
pub mod rfc3339 {
    use chrono::{DateTime, FixedOffset, SecondsFormat};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `2026-11-23T21:04:05.123456+01:00`.
    pub fn serialize<S: Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Micros, false))
    }

    /// Reads any RFC 3339 time (the form [`serialize`] writes without chrono's general parser).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Reads an RFC 3339 time: the canonical form the journal writes
/// (`2026-11-23T21:04:05.123456+01:00`, exactly 32 bytes) directly, anything else with chrono's
/// RFC 3339 parser. Both give the same value for the same text.
pub fn parse(s: &str) -> Result<DateTime<FixedOffset>, chrono::ParseError> {
    match canonical(s.as_bytes()) {
        Some(t) => Ok(t),
        None => DateTime::parse_from_rfc3339(s),
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffff±HH:MM` read field by field; `None` for any other shape or an
/// out-of-range field (a leap second too), which the general parser then reads or rejects.
fn canonical(b: &[u8]) -> Option<DateTime<FixedOffset>> {
    let b: &[u8; 32] = b.try_into().ok()?;
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let shape = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (29, b':'),
    ];
    if shape.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let sign = match b[26] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let (month, day) = (num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let micro = num(20..26)?;
    let (oh, om) = (num(27..29)?, num(30..32)?);
    if sec > 59 || oh > 23 || om > 59 {
        return None;
    }
    let offset = FixedOffset::east_opt(sign * i32::try_from(oh * 3600 + om * 60).ok()?)?;
    let local =
        NaiveDate::from_ymd_opt(year, month, day)?.and_hms_micro_opt(hour, min, sec, micro)?;
    let utc = local.checked_sub_offset(offset)?;
    Some(DateTime::from_naive_utc_and_offset(utc, offset))
}

/// Formats a time as RFC 3339 with seconds and the offset (for people).
pub fn show_time(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_reader_agrees_with_chrono() {
        let cases = [
            "2026-11-23T21:04:05.123456+01:00",
            "2026-11-23T21:04:05.000000-09:30",
            "0001-01-01T00:00:00.000000+00:00",
            "9999-12-31T23:59:59.999999-23:59",
            "2024-02-29T12:00:00.500000+05:45",
            "2026-03-29T02:30:00.000001+14:00",
        ];
        for s in cases {
            assert!(canonical(s.as_bytes()).is_some(), "{s}");
            assert_eq!(
                parse(s).unwrap(),
                DateTime::parse_from_rfc3339(s).unwrap(),
                "{s}"
            );
            let back = parse(s)
                .unwrap()
                .to_rfc3339_opts(SecondsFormat::Micros, false);
            assert_eq!(back, s);
        }
    }

    #[test]
    fn other_forms_go_to_chrono_and_bad_ones_fail_as_before() {
        for s in [
            "2026-11-23T21:04:05Z",
            "2026-11-23T21:04:05.5+01:00",
            "2026-11-23t21:04:05.123456+01:00",
            "2026-11-23 21:04:05.123456+01:00",
            "2016-12-31T23:59:60.000000+00:00",
            "2026-11-23T21:04:05.123456789+01:00",
        ] {
            assert!(canonical(s.as_bytes()).is_none(), "{s}");
            assert_eq!(parse(s).ok(), DateTime::parse_from_rfc3339(s).ok(), "{s}");
        }
        for s in [
            "2026-02-30T21:04:05.123456+01:00",
            "2026-13-01T21:04:05.123456+01:00",
            "2026-11-23T24:04:05.123456+01:00",
            "2026-11-23T21:04:05.123456+24:00",
            "2026-11-23T21:04:05.12345a+01:00",
            "2026-11-23T21:04:05.123456*01:00",
            "+026-11-23T21:04:05.123456+01:00",
        ] {
            assert!(canonical(s.as_bytes()).is_none(), "{s}");
            assert!(parse(s).is_err(), "{s}");
        }
    }
}
