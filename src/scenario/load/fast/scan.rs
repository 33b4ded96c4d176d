//! Where things are in JSON text already known to be valid: a structural scan that
//! skips string contents with memchr, for the positions serde_json does not give.

/// The byte ranges of the values of the top-level object's member `key`: each element
/// when it is an array, or the value itself when `whole`. `None` when the text is not
/// shaped as expected (a key written with escapes, for one): the caller then reads the
/// file another way.
pub(super) fn element_ranges(text: &str, key: &str, whole: bool) -> Option<Vec<(usize, usize)>> {
    let b = text.as_bytes();
    let mut p = ws(b, 0);
    if b.get(p) != Some(&b'{') {
        return None;
    }
    p = ws(b, p + 1);
    while b.get(p) == Some(&b'"') {
        let key_end = string_end(b, p)?;
        let name = &b[p + 1..key_end - 1];
        if name.contains(&b'\\') {
            return None;
        }
        p = ws(b, key_end);
        if b.get(p) != Some(&b':') {
            return None;
        }
        p = ws(b, p + 1);
        if name == key.as_bytes() {
            if whole {
                return Some(vec![(p, value_end(b, p)?)]);
            }
            return elements(b, p);
        }
        p = ws(b, value_end(b, p)?);
        if b.get(p) == Some(&b',') {
            p = ws(b, p + 1);
        }
    }
    None
}

/// The ranges of the elements of the array at `p`.
fn elements(b: &[u8], mut p: usize) -> Option<Vec<(usize, usize)>> {
    if b.get(p) != Some(&b'[') {
        return None;
    }
    let mut out = Vec::new();
    p = ws(b, p + 1);
    if b.get(p) == Some(&b']') {
        return Some(out);
    }
    loop {
        let end = value_end(b, p)?;
        out.push((p, end));
        p = ws(b, end);
        match b.get(p)? {
            b',' => p = ws(b, p + 1),
            b']' => return Some(out),
            _ => return None,
        }
    }
}

/// The first byte at or after `p` that is not JSON whitespace.
fn ws(b: &[u8], mut p: usize) -> usize {
    while matches!(b.get(p), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        p += 1;
    }
    p
}

/// One past the closing quote of the string starting at `p`.
fn string_end(b: &[u8], p: usize) -> Option<usize> {
    let mut i = p + 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[i] == b'\\' {
            i += 2;
        } else {
            return Some(i + 1);
        }
    }
}

/// One past the end of the value starting at `p`.
fn value_end(b: &[u8], p: usize) -> Option<usize> {
    match b.get(p)? {
        b'"' => string_end(b, p),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = p;
            loop {
                match b.get(i)? {
                    b'"' => {
                        i = string_end(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = p;
            while !matches!(
                b.get(i),
                None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            ) {
                i += 1;
            }
            Some(i)
        }
    }
}
