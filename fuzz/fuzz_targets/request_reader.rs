//! One request object read by the quick reader (by hand over the bytes) and by the
//! strict one (positions kept): any text. Both must take and refuse the same texts and
//! read what they take to the same request, prepared alike.

#![no_main]

use iamtrace::eval::PreparedRequest;
use iamtrace::scenario::{RequestSpec, read_prepared, read_request, read_request_strict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let strict = read_request_strict(text);
    let quick = read_request(text);
    let prepared = read_prepared(text);
    match (&strict, quick) {
        (Ok(s), Some(q)) => {
            let s = RequestSpec {
                span: Default::default(),
                ..s.clone()
            };
            assert_eq!(s, q, "read differently");
        }
        (Err(e), None) => assert!(!e.diagnostics.is_empty(), "an error without a diagnostic"),
        (Ok(_), None) => panic!("only the strict reader takes it"),
        (Err(_), Some(_)) => panic!("only the quick reader takes it"),
    }
    match (&strict, prepared) {
        (Ok(s), Some(p)) => {
            assert_eq!(p.request, PreparedRequest::new(&s.request));
            assert_eq!(p.name.as_deref(), s.name.as_deref());
            assert_eq!(p.via.as_deref(), s.via.as_deref());
            assert_eq!(p.expect, s.expect);
        }
        (Err(_), None) => {}
        _ => panic!("read_prepared and the strict reader disagree"),
    }
});
