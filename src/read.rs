//! Reading an input as text, bounded: gzip is decompressed while reading, and reading
//! stops one byte past the limit, so neither a small gzip that expands to gigabytes
//! nor an endless stream (`/dev/zero`, `yes |`) can allocate more than the limit.
//! Invalid UTF-8 is reported with the position of the first bad byte.

use std::io::{BufRead, BufReader, Read};

/// The most an input parsed whole (a scenario, a policy, AWS CLI output, account
/// details) may hold after decompression, unless raised (`--max-input`).
pub const DEFAULT_MAX_INPUT: u64 = 256 << 20;

/// The most one CloudTrail record may hold in a stream (the stream itself is not
/// limited: it is read record by record).
pub const DEFAULT_MAX_RECORD: u64 = 64 << 20;

/// Reads `input` whole as text: decompressed when it starts like gzip, at most `max`
/// bytes after decompression. `Err` is a message for people (to follow the file name).
pub fn read_text(input: impl Read, max: u64) -> Result<String, String> {
    read_text_sized(input, max, 0)
}

/// [`read_text`] of an input expected to hold `size` bytes (a file's length): read
/// into a buffer of that size rather than one grown by doubling, which would keep up
/// to twice the text (and the smaller buffers before it) in memory.
pub fn read_text_sized(input: impl Read, max: u64, size: u64) -> Result<String, String> {
    let mut buffered = BufReader::with_capacity(1 << 16, input);
    let head = buffered
        .fill_buf()
        .map_err(|e| format!("cannot read: {e}"))?;
    let gzip = is_gzip(head);
    // Compressed, the size says little about the text: grown as read.
    let expected = if gzip { 0 } else { size.min(max) as usize };
    let mut bytes = Vec::with_capacity(expected);
    let limit = max.saturating_add(1);
    let read = if gzip {
        flate2::bufread::MultiGzDecoder::new(buffered)
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot decompress gzip: {e}"))
    } else {
        buffered
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read: {e}"))
    };
    read?;
    if bytes.len() as u64 > max {
        return Err(too_large(max, gzip));
    }
    utf8(bytes)
}

/// True when `bytes` start like gzip data (CloudTrail delivers its files to S3 so):
/// recognised by the magic bytes, not the file name.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// A reader over `input`, decompressed when it is gzip, for streams read record by
/// record (not bounded: see [`DEFAULT_MAX_RECORD`]).
pub fn decompressed<R: Read + Send + 'static>(input: R) -> std::io::Result<Box<dyn Read + Send>> {
    let mut buffered = BufReader::with_capacity(1 << 16, input);
    let gzip = is_gzip(buffered.fill_buf()?);
    Ok(if gzip {
        Box::new(flate2::bufread::MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    })
}

/// The message for an input over the limit.
fn too_large(max: u64, gzip: bool) -> String {
    let after = if gzip { " after decompression" } else { "" };
    format!(
        "input larger than {}{after} (use --max-input {} or more to read it)",
        size_text(max),
        size_text(max.saturating_mul(2))
            .replace(' ', "")
            .trim_end_matches("iB")
    )
}

/// `bytes` as text, or a message naming the first invalid byte: its offset, line and
/// column (in characters).
pub fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let before = &bytes[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        // Valid UTF-8 up to `at`, so the column counts characters.
        let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
        format!(
            "not UTF-8 text: byte 0x{:02x} at offset {at} (line {line}, column {column}) is not valid UTF-8",
            bytes[at]
        )
    })
}

/// A byte count for people: `256 MiB`, `2 GiB`, `1.5 KiB`, `100 bytes`.
pub fn size_text(n: u64) -> String {
    const UNITS: [(&str, u64); 4] = [
        ("TiB", 1 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ];
    for (unit, size) in UNITS {
        if n >= size {
            return if n % size == 0 {
                format!("{} {unit}", n / size)
            } else {
                format!("{:.1} {unit}", n as f64 / size as f64)
            };
        }
    }
    format!("{n} bytes")
}

/// Parses a size: a number of bytes, or with a unit `K`, `M`, `G` or `T` (powers of
/// 1024; `KB`, `KiB` and lower case accepted too): `512M`, `2G`, `1073741824`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let number: u64 = number.parse().map_err(|_| {
        format!("\"{text}\" is not a size: give bytes or a number with K, M, G or T")
    })?;
    let unit = unit.trim().to_ascii_uppercase();
    let unit = unit.trim_end_matches("IB").trim_end_matches('B');
    let shift = match unit {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => {
            return Err(format!(
                "\"{text}\" is not a size: the unit is K, M, G or T"
            ));
        }
    };
    number
        .checked_mul(1 << shift)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("\"{text}\" is not a usable size"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("2gib"), Ok(2 << 30));
        assert_eq!(parse_size("64KB"), Ok(64 << 10));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12X").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("99999999999T").is_err());
        assert_eq!(size_text(DEFAULT_MAX_INPUT), "256 MiB");
        assert_eq!(size_text(1536), "1.5 KiB");
    }

    #[test]
    fn plain_and_gzip_within_the_limit() {
        assert_eq!(read_text(&b"{\"a\": 1}"[..], 8).unwrap(), "{\"a\": 1}");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"hello").unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(read_text(gz.as_slice(), 5).unwrap(), "hello");
        let e = read_text(gz.as_slice(), 4).unwrap_err();
        assert!(
            e.contains("input larger than 4 bytes after decompression"),
            "{e}"
        );
    }

    /// A reader that never ends and counts what was taken from it.
    struct Endless(u64);
    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(b'y');
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
    }

    #[test]
    fn an_endless_input_stops_at_the_limit() {
        let mut endless = Endless(0);
        let e = read_text(&mut endless, 1 << 20).unwrap_err();
        assert!(
            e.starts_with("input larger than 1 MiB (use --max-input 2M"),
            "{e}"
        );
        // Read up to the limit and a buffer more, not on.
        assert!(endless.0 <= (1 << 20) + (1 << 17), "{}", endless.0);
    }

    #[test]
    fn a_gzip_bomb_is_not_expanded_past_the_limit() {
        // 256 MiB of zeros compress to about 1 MiB; only 1 MiB + 1 may be expanded.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..256 {
            gz.write_all(&zeros).unwrap();
        }
        let gz = gz.finish().unwrap();
        assert!(gz.len() < 4 << 20, "{}", gz.len());
        struct Counting<'a>(&'a [u8], u64);
        impl Read for Counting<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.read(buf)?;
                self.1 += n as u64;
                Ok(n)
            }
        }
        let mut input = Counting(&gz, 0);
        let e = read_text(&mut input, 1 << 20).unwrap_err();
        assert!(e.contains("after decompression"), "{e}");
        // Stopped early: most of the compressed input was never read.
        assert!(input.1 < gz.len() as u64 / 4, "{} of {}", input.1, gz.len());
    }

    #[test]
    fn invalid_utf8_names_its_byte() {
        let e = utf8(b"{\n  \"\xc3\xa9t\xe9\"}".to_vec()).unwrap_err();
        assert_eq!(
            e,
            "not UTF-8 text: byte 0xe9 at offset 8 (line 2, column 6) is not valid UTF-8"
        );
    }
}
