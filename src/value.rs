//! Parsing of condition values by type: numbers, dates, booleans, IP addresses and
//! ranges, base64. Shared by the policy compiler (policy side) and request preparation
//! (request side), so both sides read a value the same way.

use base64::Engine as _;
use ipnet::IpNet;
use std::net::IpAddr;

/// A decimal number. Integers and decimals (`-12`, `0.5`); no exponents, no `NaN`.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    if ok { t.parse().ok() } else { None }
}

/// A point in time as nanoseconds since the Unix epoch. Accepts ISO 8601 date-times
/// with a zone (`2026-01-01T12:00:00Z`, `…+02:00`, fractional seconds), without one
/// (taken as UTC), a bare date (midnight UTC), or epoch seconds (`1767225600`).
pub fn parse_date(text: &str) -> Option<i128> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(secs) = parse_number(t) {
        // Epoch seconds; decimals allowed.
        if !secs.is_finite() || secs.abs() > 1e12 {
            return None;
        }
        return Some((secs * 1e9).round() as i128);
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

    #[test]
    fn numbers() {
        assert_eq!(parse_number("42"), Some(42.0));
        assert_eq!(parse_number("-0.25"), Some(-0.25));
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
