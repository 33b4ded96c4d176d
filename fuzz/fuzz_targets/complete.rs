//! Policy-editor completion: any text and any byte offset. `tui::complete::site_at`
//! and `candidates` never panic or hang, at an offset anywhere (inside a multi-byte
//! character, at the end, past it, `usize::MAX`).
//!
//! Input: two bytes (little-endian) choose the offset, the rest is the text:
//! `0xFFFF` is `usize::MAX`, anything else is taken modulo `len + 8` (so up to seven
//! bytes past the end). Texts of up to 1 KiB are also scanned at every offset from 0
//! to `len + 2` (`site_at` only).
//!
//! `IAMTRACE_FUZZ_COMPLETE_IN_TEXT=1` keeps offsets at or before the end of the text
//! (what the editor passes), to look past a known crash for offsets beyond it.

#![no_main]

use iamtrace::tui::complete::{candidates, site_at};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static IN_TEXT: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("IAMTRACE_FUZZ_COMPLETE_IN_TEXT").is_some_and(|v| v == "1"));

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let raw = u16::from_le_bytes([data[0], data[1]]) as usize;
    let Ok(text) = std::str::from_utf8(&data[2..]) else {
        return;
    };
    let in_text = *IN_TEXT;
    let past = if in_text { 1 } else { 8 };
    let offset = if raw == 0xFFFF && !in_text {
        usize::MAX
    } else {
        raw % (text.len() + past)
    };
    if let Some(site) = site_at(text, offset) {
        let items = candidates(&site);
        assert!(items.len() <= 300, "more candidates than the list shows");
    }
    if text.len() <= 1024 {
        let last = if in_text { text.len() } else { text.len() + 2 };
        for at in 0..=last {
            let _ = site_at(text, at);
        }
    }
});
