//! Timestamps: layout `expires` strings, civil dates, and the times a user
//! gives on the command line (`verify --time`).

/// Seconds since the Unix epoch for a valid `expires` string.
pub fn parse_expires(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20 {
        return None;
    }
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    for (c, want) in b.iter().zip(shape) {
        let ok = if *want == b'd' {
            c.is_ascii_digit()
        } else {
            c == want
        };
        if !ok {
            return None;
        }
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if y < 1
        || !(1..=12).contains(&mo)
        || d < 1
        || d > days_in_month(y, mo)
        || h > 23
        || mi > 59
        || se > 59
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se)
}

pub(crate) fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_expires(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let z = days + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A time a user gave that [`parse_time`] cannot read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// Neither RFC 3339 nor a date; holds the text as given.
    #[error(
        "{0:?} is not a time: give RFC 3339 (2021-06-01T12:00:00Z, 2021-06-01T14:00:00+02:00) or a date (2021-06-01)"
    )]
    NotATime(String),
}

/// Parses a time a user gives: RFC 3339 (`2021-06-01T12:00:00Z`, with an
/// offset such as `+02:00`, fractional seconds ignored, `T` or a space
/// between date and time) or a plain date (`2021-06-01`, meaning its first
/// second, UTC). Returns seconds since the Unix epoch.
pub fn parse_time(s: &str) -> Result<i64, TimeError> {
    let bad = || TimeError::NotATime(s.to_owned());
    let s = s.trim();
    if s.len() == 10 {
        return parse_expires(&format!("{s}T00:00:00Z")).ok_or_else(bad);
    }
    if s.len() < 20 || !s.is_char_boundary(19) {
        return Err(bad());
    }
    let (head, tail) = s.split_at(19);
    let sep = head.as_bytes()[10];
    if !matches!(sep, b'T' | b't' | b' ') {
        return Err(bad());
    }
    let base = parse_expires(&format!("{}T{}Z", &head[..10], &head[11..])).ok_or_else(bad)?;
    // Optional fraction, then Z or an offset.
    let tail = match tail.strip_prefix('.') {
        Some(t) => {
            let digits = t.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            &t[digits..]
        }
        None => tail,
    };
    let offset = match tail {
        "Z" | "z" => 0,
        t if t.len() == 6 && (t.starts_with('+') || t.starts_with('-')) && &t[3..4] == ":" => {
            let h: i64 = t[1..3].parse().map_err(|_| bad())?;
            let m: i64 = t[4..6].parse().map_err(|_| bad())?;
            if h > 23
                || m > 59
                || !t[1..3]
                    .bytes()
                    .chain(t[4..6].bytes())
                    .all(|b| b.is_ascii_digit())
            {
                return Err(bad());
            }
            let o = h * 3600 + m * 60;
            if t.starts_with('-') { -o } else { o }
        }
        _ => return Err(bad()),
    };
    Ok(base - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_times_in_rfc3339_or_as_dates() {
        let t = parse_expires("2021-06-01T12:00:00Z").unwrap();
        assert_eq!(parse_time("2021-06-01T12:00:00Z"), Ok(t));
        assert_eq!(parse_time("2021-06-01 12:00:00z"), Ok(t));
        assert_eq!(parse_time("2021-06-01T14:00:00+02:00"), Ok(t));
        assert_eq!(parse_time("2021-06-01T11:30:00-00:30"), Ok(t));
        assert_eq!(parse_time("2021-06-01T12:00:00.999Z"), Ok(t));
        assert_eq!(parse_time("2021-06-01"), Ok(t - 12 * 3600));
        for bad in [
            "",
            "yesterday",
            "2021-02-30",
            "2021-06-01T12:00:00",
            "2021-06-01T12:00:00+2:00",
            "2021-06-01T12:00:00.Z",
            "2021-06-01X12:00:00Z",
            "2021-06-01T25:00:00Z",
            "2021-06-01T12:00:00+24:00",
            "2021-06-01T12:00:00Zjunk",
            "2021-06-01T12:00:0é",
        ] {
            assert!(parse_time(bad).is_err(), "{bad:?}");
        }
    }
}
