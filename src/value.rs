//! Parsing of condition values by type: numbers, dates, booleans, IP addresses and
//! ranges, base64. Shared by the policy compiler (policy side) and request preparation
//! (request side), so both sides read a value the same way.

use base64::Engine as _;
use ipnet::IpNet;
use std::net::IpAddr;

/// An exact decimal number (integers and decimals of any length), compared exactly:
/// `12345678901234567890` and `12345678901234567891` differ, as do `0.1` and `0.10001`.
#[derive(Debug, Clone)]
pub struct Decimal {
    negative: bool,
    /// Integer digits without leading zeros.
    int: String,
    /// Fraction digits without trailing zeros.
    frac: String,
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let zero = |d: &Decimal| d.int.is_empty() && d.frac.is_empty();
        let sign = |d: &Decimal| {
            if zero(d) {
                0
            } else if d.negative {
                -1
            } else {
                1
            }
        };
        match sign(self).cmp(&sign(other)) {
            Ordering::Equal => {}
            o => return o,
        }
        let magnitude = self
            .int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac));
        if sign(self) < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Decimal {
    /// The value as f64 (for epoch seconds).
    pub fn to_f64(&self) -> f64 {
        // A whole number below 2^53 is exact as f64 either way: no text to build
        // (epoch seconds are such numbers).
        if self.frac.is_empty() && self.int.len() <= 15 {
            let n = self.int.parse::<u64>().unwrap_or(0) as f64;
            return if self.negative { -n } else { n };
        }
        let text = format!(
            "{}{}.{}0",
            if self.negative { "-" } else { "" },
            if self.int.is_empty() { "0" } else { &self.int },
            self.frac
        );
        text.parse().unwrap_or(f64::NAN)
    }
}

/// A decimal number: integers and decimals (`-12`, `0.5`); no exponents, no `NaN`.
pub fn parse_number(text: &str) -> Option<Decimal> {
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| Decimal {
        negative,
        int: int.trim_start_matches('0').to_string(),
        frac: frac.unwrap_or("").trim_end_matches('0').to_string(),
    })
}

/// A point in time as nanoseconds since the Unix epoch. Accepts ISO 8601 date-times
/// with a zone (`2026-01-01T12:00:00Z`, `…+02:00`, fractional seconds), without one
/// (taken as UTC), a bare date (midnight UTC), or epoch seconds (`1767225600`).
pub fn parse_date(text: &str) -> Option<i128> {
    parse_date_given(text, parse_number(text).as_ref())
}

/// [`parse_date`] of `text` whose [`parse_number`] is already known to be `number`.
pub fn parse_date_given(text: &str, number: Option<&Decimal>) -> Option<i128> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    // parse_number trims too: this is parse_number(t).
    if let Some(secs) = number.map(|d| d.to_f64()) {
        // Epoch seconds; decimals allowed.
        if !secs.is_finite() || secs.abs() > 1e12 {
            return None;
        }
        return Some((secs * 1e9).round() as i128);
    }
    // ISO 8601 starts with a four-digit year (or a signed extended year): anything else
    // (an IP address, a word) is refused here, before jiff builds three error values.
    let b = t.as_bytes();
    let year_first = b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit);
    if !year_first && !matches!(b.first(), Some(b'+' | b'-')) {
        return None;
    }
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Some(ts.as_nanosecond());
    }
    if let Ok(dt) = t.parse::<jiff::civil::DateTime>() {
        if t.contains('T') || t.contains(' ') {
            return jiff::tz::TimeZone::UTC
                .to_timestamp(dt)
                .ok()
                .map(|ts| ts.as_nanosecond());
        }
    }
    if let Ok(d) = t.parse::<jiff::civil::Date>() {
        return jiff::tz::TimeZone::UTC
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .ok()
            .map(|ts| ts.as_nanosecond());
    }
    None
}

/// `true` / `false`, in any letter case (SPEC choice: Bool is case-insensitive).
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// True when `text` is a boolean but not in lower case: where the Bool choice decided.
pub fn bool_case_mattered(text: &str) -> bool {
    text != "true" && text != "false"
}

/// An IP range. A bare IPv4 address is a /32 and a bare IPv6 address a /128.
pub fn parse_ip_range(text: &str) -> Option<IpNet> {
    let t = text.trim();
    if t.contains('/') {
        t.parse::<IpNet>().ok()
    } else {
        t.parse::<IpAddr>().ok().map(IpNet::from)
    }
}

/// A single IP address, as a request carries it.
pub fn parse_ip_addr(text: &str) -> Option<IpAddr> {
    text.trim().parse().ok()
}

/// Standard base64 (padding optional) to bytes.
pub fn parse_base64(text: &str) -> Option<Vec<u8>> {
    let t = text.trim();
    base64::engine::general_purpose::STANDARD
        .decode(t)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(t))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whole numbers take a shortcut to f64: the same value as through the text.
    #[test]
    fn to_f64_shortcut_agrees_with_the_text() {
        for t in [
            "0",
            "-0",
            "7",
            "-7",
            "000123",
            "1767225600",
            "999999999999999",
            "1000000000000000",
            "12345678901234567890",
            "1.5",
            "-0.25",
            "0.000",
        ] {
            let d = parse_number(t).unwrap();
            let want: f64 = format!("{t}.0")
                .parse()
                .unwrap_or_else(|_| t.parse().unwrap());
            assert_eq!(d.to_f64().to_bits(), want.to_bits(), "{t}");
        }
        assert_eq!(parse_date("1767225600"), Some(1_767_225_600_000_000_000));
        assert_eq!(parse_date(" 1.5 "), Some(1_500_000_000));
    }

    #[test]
    fn numbers_compare_exactly() {
        let n = |s: &str| parse_number(s).unwrap();
        assert_eq!(n("42"), n("042.000"));
        assert!(n("-0.25") < n("0"));
        assert!(n("-2") < n("-1.5"));
        assert!(n("12345678901234567890") < n("12345678901234567891"));
        assert!(n("0.1") < n("0.10001"));
        assert_eq!(n("-0"), n("0"));
        assert!((n("-0.25").to_f64() + 0.25).abs() < 1e-12);
        for bad in ["", "1e3", "NaN", "inf", "1.", ".5", "0x10", "12a", "-"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_in_every_accepted_form_agree() {
        let midnight = parse_date("2026-01-01").unwrap();
        assert_eq!(parse_date("2026-01-01T00:00:00Z"), Some(midnight));
        assert_eq!(parse_date("2026-01-01T00:00:00"), Some(midnight));
        assert_eq!(parse_date("2026-01-01T02:00:00+02:00"), Some(midnight));
        assert_eq!(parse_date("1767225600"), Some(midnight));
        assert!(parse_date("2026-01-01T00:00:00.5Z").unwrap() > midnight);
        for bad in ["", "yesterday", "2026-13-01", "2026-01-01T25:00:00Z"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn ip_ranges() {
        assert_eq!(parse_ip_range("203.0.113.5").unwrap().prefix_len(), 32);
        assert_eq!(parse_ip_range("2001:db8::1").unwrap().prefix_len(), 128);
        assert!(parse_ip_range("203.0.113.0/33").is_none());
        assert!(parse_ip_range("ec2.amazonaws.com").is_none());
    }

    #[test]
    fn booleans_and_base64() {
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(parse_base64("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(parse_base64("aGVsbG8"), Some(b"hello".to_vec()));
        assert_eq!(parse_base64("!!"), None);
    }
}
