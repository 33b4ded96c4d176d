use iamtrace::cloudtrail::{convert, parse_event, split::Splitter};
#[test]
fn dump() {
    for f in ["tests/fixtures/aws/cloudtrail/mixed.json", "tests/fixtures/aws/cloudtrail/client-vpn.json"] {
        let text = std::fs::read_to_string(f).unwrap();
        let mut s = Splitter::new(text.as_bytes());
        let mut i = 0;
        while let Some(b) = s.next_batch(usize::MAX).unwrap() {
            for r in &b.records {
                let e = parse_event(&b.data[r.clone()]).unwrap();
                match convert(&e) {
                    Ok(c) => println!("#{i} {} {} {} rec={:?} caller={} via={:?}\n   ctx={:?}\n   notes={:?}", c.request.principal, c.request.action, c.request.resource, c.recorded, c.caller, c.via_service, c.request.context.iter().map(|(k,v)| format!("{k}={v:?}")).collect::<Vec<_>>(), c.notes),
                    Err(s) => println!("#{i} SKIP {}", s.reason),
                }
                i += 1;
            }
        }
    }
    let text = std::fs::read_to_string("tests/fixtures/aws/cloudtrail/client-vpn.json").unwrap();
    let (reqs, desc) = iamtrace::cloudtrail::requests_from_text(&text).unwrap();
    println!("{desc}");
    for r in reqs { println!("{:?} via {:?}", r.name, r.via); }
}
