//! Replay benchmark: a generated CloudTrail file (500 MB by default;
//! `IAMTRACE_REPLAY_MB` changes it) replayed end to end — read from disk, records
//! split, parsed, converted to requests and evaluated against the generated ~20 KB
//! identity policies — beside serde_json parsing the same bytes into
//! `serde_json::Value` and doing nothing else.
//!
//! `cargo bench --bench replay`. The file is written once under
//! `target/bench-data/` and reused.

// The engine bench's generator; its iam-rs helpers are not used here.
#[allow(dead_code)]
mod support;

/// The allocator the binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput};
use iamtrace::cloudtrail::replay::{Filter, replay_files};
use iamtrace::input::load_str;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Realistic events: users, role sessions, forward calls, VPC endpoint calls, S3 data
/// events with resources, denials and other errors, and the bulk of request and
/// response elements real records carry.
fn event(i: u64, out: &mut String) {
    use std::fmt::Write as _;
    let users = ["alice", "bob", "carol", "dave", "erin"];
    let user = users[(i % 5) as usize];
    let ip = format!("203.0.113.{}", i % 250 + 1);
    let time = format!(
        "2026-11-{:02}T{:02}:{:02}:{:02}Z",
        i / 86_400 % 28 + 1,
        i / 3600 % 24,
        i / 60 % 60,
        i % 60
    );
    let id = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        i,
        i % 65_536,
        i % 4096,
        (i * 7) % 4096,
        i * 2_654_435_761 % (1 << 48)
    );
    let identity = match i % 4 {
        0 | 1 => format!(
            r#"{{"type":"IAMUser","principalId":"AIDAEXAMPLE{i:06}","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE{i:09}","userName":"{user}"}}"#
        ),
        2 => format!(
            r#"{{"type":"AssumedRole","principalId":"AROAEXAMPLEROLE:{user}","arn":"arn:aws:sts::111122223333:assumed-role/deploy/{user}","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE{i:09}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLEROLE","arn":"arn:aws:iam::111122223333:role/deploy","accountId":"111122223333","userName":"deploy"}},"webIdFederationData":{{}},"attributes":{{"creationDate":"2026-11-01T08:00:00Z","mfaAuthenticated":"{}"}}}}}}"#,
            i % 3 == 0
        ),
        _ => format!(
            r#"{{"type":"IAMUser","principalId":"AIDAEXAMPLE{i:06}","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE{i:09}","userName":"{user}","sessionContext":{{"attributes":{{"creationDate":"2026-11-01T08:00:00Z","mfaAuthenticated":"false"}}}},"invokedBy":"cloudformation.amazonaws.com"}}"#
        ),
    };
    let source = if i % 4 == 3 {
        "cloudformation.amazonaws.com".to_string()
    } else {
        ip
    };
    let (svc, name, resources, params) = match i % 6 {
        0 => (
            "s3",
            "GetObject",
            format!(
                r#","resources":[{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::example-data/reports/{i}.csv"}},{{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::example-data"}}]"#
            ),
            format!(
                r#"{{"bucketName":"example-data","Host":"example-data.s3.eu-west-1.amazonaws.com","key":"reports/{i}.csv"}}"#
            ),
        ),
        1 => (
            "ec2",
            "DescribeInstances",
            String::new(),
            r#"{"instancesSet":{},"filterSet":{"items":[{"name":"tag:env","valueSet":{"items":[{"value":"prod"}]}}]}}"#.to_string(),
        ),
        2 => (
            "kms",
            "Decrypt",
            format!(
                r#","resources":[{{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-{i:012}"}}]"#
            ),
            r#"{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:s3:arn":"arn:aws:s3:::example-data/reports"}}"#.to_string(),
        ),
        3 => (
            "iam",
            "CreateServiceLinkedRole",
            String::new(),
            r#"{"aWSServiceName":"clientvpn.amazonaws.com"}"#.to_string(),
        ),
        4 => (
            "sts",
            "GetCallerIdentity",
            String::new(),
            "null".to_string(),
        ),
        _ => (
            "dynamodb",
            "Query",
            r#","resources":[{"accountId":"111122223333","type":"AWS::DynamoDB::Table","ARN":"arn:aws:dynamodb:eu-west-1:111122223333:table/orders"}]"#.to_string(),
            r#"{"tableName":"orders","keyConditionExpression":"pk = :v","expressionAttributeValues":{":v":{"s":"customer#42"}},"limit":25}"#.to_string(),
        ),
    };
    let error = match i % 17 {
        0 => {
            r#","errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this action""#
        }
        5 => r#","errorCode":"ThrottlingException","errorMessage":"Rate exceeded""#,
        _ => "",
    };
    let vpce = if i % 9 == 0 {
        r#","vpcEndpointId":"vpce-0123456789abcdef0""#
    } else {
        ""
    };
    let _ = write!(
        out,
        r#"{{"eventVersion":"1.09","userIdentity":{identity},"eventTime":"{time}","eventSource":"{svc}.amazonaws.com","eventName":"{name}","awsRegion":"eu-west-1","sourceIPAddress":"{source}","userAgent":"aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/{svc}.{name}","requestParameters":{params},"responseElements":null{error},"requestID":"{id}","eventID":"{id}","readOnly":true{resources},"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333"{vpce},"eventCategory":"Management","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{svc}.eu-west-1.amazonaws.com"}}}}"#
    );
}

/// Writes (once) a `{"Records": [...]}` file of about `mb` megabytes; returns its path
/// and event count.
fn generated_file(mb: u64) -> (PathBuf, u64) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("cloudtrail-{mb}mb.json"));
    let count_path = dir.join(format!("cloudtrail-{mb}mb.count"));
    if let Ok(n) = std::fs::read_to_string(&count_path).map(|s| s.trim().parse::<u64>()) {
        if let (Ok(n), true) = (n, path.exists()) {
            return (path, n);
        }
    }
    let target = mb << 20;
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).expect("create"));
    w.write_all(b"{\"Records\":[").expect("write");
    let (mut written, mut n, mut buf) = (0u64, 0u64, String::new());
    while written < target {
        buf.clear();
        if n > 0 {
            buf.push(',');
        }
        event(n, &mut buf);
        w.write_all(buf.as_bytes()).expect("write");
        written += buf.len() as u64;
        n += 1;
    }
    w.write_all(b"]}\n").expect("write");
    w.flush().expect("flush");
    std::fs::write(&count_path, n.to_string()).expect("count");
    (path, n)
}

fn main() {
    let mb = std::env::var("IAMTRACE_REPLAY_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let (path, events) = generated_file(mb);
    let set = load_str(&support::generated_scenario())
        .expect("generated scenario")
        .set;
    let bytes = std::fs::read(&path).expect("read");
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20))
        .configure_from_args();
    let mut g = c.benchmark_group(format!("replay_{mb}mb"));
    g.throughput(Throughput::Elements(events));
    g.bench_function("serde_json_value_parse", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("parse");
            std::hint::black_box(v);
        })
    });
    drop(bytes);
    let files = [path.clone()];
    g.bench_function("iamtrace_replay_end_to_end", |b| {
        b.iter(|| {
            let (tally, errors) = replay_files(&set, &files, &Filter::default(), &|_, _| {});
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(tally.events, events);
            std::hint::black_box(tally);
        })
    });
    g.finish();
    c.final_summary();
    println!(
        "{events} events, {} bytes",
        std::fs::metadata(&path).map_or(0, |m| m.len())
    );
}
