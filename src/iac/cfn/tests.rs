//! Unit tests of the template reader over small templates written here: the resolver's
//! rules one by one, then what is extracted from each resource type.

use super::resolve::Resolver;
use super::*;
use crate::iac::{Document, PrincipalKind, placeholder};
use crate::policy::PolicyKind;

/// Whether a diagnostic's message holds `needle`.
fn says(d: &crate::source::Diagnostic, needle: &str) -> bool {
    let message: &str = &d.message;
    message.contains(needle)
}

const HEAD: &str = "Parameters:
  Env: {Type: String, Default: prod}
  Bare: {Type: String}
  Subnets: {Type: CommaDelimitedList, Default: 'a,b,c'}
Mappings:
  Regions:
    us-east-1: {Ami: ami-1}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Unknown: !Equals [!Ref Bare, x]
  Both: !And [!Condition IsProd, !Condition Unknown]
  Either: !Or [!Condition IsProd, !Condition Unknown]
  Loop1: !Condition Loop2
  Loop2: !Condition Loop1
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties: {RoleName: !Sub 'app-${Env}', Path: /svc/}
  Anon:
    Type: AWS::IAM::Role
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: data}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs}
  Topic:
    Type: AWS::SNS::Topic
  SelfNamed:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Ref SelfNamed}
  X:
    Type: Custom::X
    Properties:
      V: ";

/// The value of `expr` (YAML) in the test template, resolved with `options`.
fn value_with(expr: &str, options: &CfnOptions) -> (Option<Node>, Vec<String>) {
    let text = format!("{HEAD}{expr}\n");
    let root = crate::yaml::parse(&text).unwrap_or_else(|e| panic!("{}", e.message));
    let mut r = Resolver::new(&root, options);
    let v = get(&root, "Resources")
        .and_then(|n| get(n, "X"))
        .and_then(|n| get(n, "Properties"))
        .and_then(|n| get(n, "V"))
        .cloned()
        .unwrap_or_else(|| panic!("no V"));
    let out = r.resolve(&v);
    let notes = r.notes.iter().map(|n| n.message.clone()).collect();
    (out, notes)
}

fn value(expr: &str) -> String {
    let (node, _) = value_with(expr, &CfnOptions::default());
    match node.map(|n| n.value) {
        Some(Value::String(s)) => s,
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| resolve::scalar_text(i).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("|"),
        Some(other) => format!("{other:?}"),
        None => "<removed>".into(),
    }
}

#[test]
fn refs_resolve_parameters_pseudo_parameters_and_resources() {
    assert_eq!(value("!Ref Env"), "prod");
    assert_eq!(value("!Ref Bare"), "⟦Ref Bare⟧");
    assert_eq!(value("!Ref Subnets"), "a|b|c");
    assert_eq!(value("!Ref AWS::AccountId"), "123456789012");
    assert_eq!(value("!Ref AWS::Region"), "us-east-1");
    assert_eq!(value("!Ref AWS::Partition"), "aws");
    assert_eq!(value("!Ref AWS::URLSuffix"), "amazonaws.com");
    assert_eq!(value("!Ref AWS::StackName"), "⟦stack name⟧");
    assert_eq!(value("!Ref AWS::NoValue"), "<removed>");
    assert_eq!(value("!Ref AppRole"), "app-prod");
    assert_eq!(value("!Ref Anon"), "⟦name of Anon⟧");
    assert_eq!(value("!Ref Bucket"), "data");
    // A queue's Ref is its URL, a topic's its ARN.
    assert_eq!(
        value("!Ref Queue"),
        "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
    );
    assert_eq!(
        value("!Ref Topic"),
        "arn:aws:sns:us-east-1:123456789012:⟦name of Topic⟧"
    );
    let (_, notes) = value_with("!Ref Nope", &CfnOptions::default());
    assert!(notes[0].contains("declares no parameter or resource"));
}

#[test]
fn caller_values_win_over_defaults() {
    let mut o = CfnOptions {
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        partition: "aws-cn".into(),
        stack_name: Some("st".into()),
        ..CfnOptions::default()
    };
    o.parameters.insert("Env".into(), "dev".into());
    o.parameters.insert("Bare".into(), "given".into());
    let get = |e: &str| match value_with(e, &o).0.map(|n| n.value) {
        Some(Value::String(s)) => s,
        other => format!("{other:?}"),
    };
    assert_eq!(get("!Ref Env"), "dev");
    assert_eq!(get("!Ref Bare"), "given");
    assert_eq!(
        get(
            "!Sub '${AWS::Partition}:${AWS::Region}:${AWS::AccountId}:${AWS::StackName}:${AWS::URLSuffix}'"
        ),
        "aws-cn:eu-west-1:111122223333:st:amazonaws.com.cn"
    );
    assert_eq!(
        get("!GetAtt AppRole.Arn"),
        "arn:aws-cn:iam::111122223333:role/svc/app-dev"
    );
}

#[test]
fn sub_substitutes_only_what_it_names_and_keeps_policy_variables() {
    assert_eq!(
        value("!Sub 'arn:${AWS::Partition}:s3:::${Bucket}/${!aws:username}/*'"),
        "arn:aws:s3:::data/${aws:username}/*"
    );
    assert_eq!(
        value("!Sub ['${A}-${Env}-${Bucket.Arn}', {A: !Ref Queue}]"),
        "https://sqs.us-east-1.amazonaws.com/123456789012/jobs-prod-arn:aws:s3:::data"
    );
    assert_eq!(value("!Sub '${Anon.RoleId}'"), "⟦GetAtt Anon.RoleId⟧");
    // A policy variable written without the escape: CloudFormation rejects it.
    let (node, notes) = value_with(
        "!Sub 'arn:aws:s3:::b/${aws:username}'",
        &CfnOptions::default(),
    );
    let Some(Value::String(s)) = node.map(|n| n.value) else {
        panic!()
    };
    assert!(placeholder::contains(&s), "{s}");
    assert!(!s.contains("${"), "{s}");
    assert!(notes[0].contains("${!aws:username}"), "{notes:?}");
    // An unclosed ${ stays as written.
    assert_eq!(value("!Sub 'a${b'"), "a${b");
    // Outside Fn::Sub nothing is substituted.
    assert_eq!(value("'${Env}'"), "${Env}");
}

#[test]
fn get_att_builds_known_arns_and_placeholders_otherwise() {
    assert_eq!(
        value("!GetAtt AppRole.Arn"),
        "arn:aws:iam::123456789012:role/svc/app-prod"
    );
    assert_eq!(
        value("!GetAtt Anon.Arn"),
        "arn:aws:iam::123456789012:role/⟦name of Anon⟧"
    );
    assert_eq!(value("!GetAtt Bucket.Arn"), "arn:aws:s3:::data");
    assert_eq!(
        value("!GetAtt Queue.Arn"),
        "arn:aws:sqs:us-east-1:123456789012:jobs"
    );
    assert_eq!(value("!GetAtt X.Whatever"), "⟦GetAtt X.Whatever⟧");
    assert_eq!(value("{'Fn::GetAtt': [Bucket, Arn]}"), "arn:aws:s3:::data");
    assert_eq!(value("!GetAtt Missing.Arn"), "⟦GetAtt Missing.Arn⟧");
}

#[test]
fn list_functions() {
    assert_eq!(value("!Join [':', [a, !Ref Env, c]]"), "a:prod:c");
    assert_eq!(value("!Join [',', !Ref Subnets]"), "a,b,c");
    assert_eq!(value("!Select [1, !Ref Subnets]"), "b");
    assert_eq!(value("!Select ['2', [x, y, z]]"), "z");
    assert_eq!(value("!Split [',', 'x,y']"), "x|y");
    let (node, notes) = value_with(
        "!Select [1, !Split ['/', !Ref Bucket]]",
        &CfnOptions::default(),
    );
    assert!(matches!(node.map(|n| n.value), Some(Value::String(s)) if placeholder::contains(&s)));
    assert!(notes[0].contains("past the list"), "{notes:?}");
    // Split of an unknown value is unknown, and so is what is selected from it.
    assert_eq!(value("!Select [2, !Split ['-', !Ref Bare]]"), "⟦Select 2⟧");
    assert_eq!(value("!Base64 abc"), "YWJj");
    assert_eq!(
        value("!FindInMap [Regions, !Ref AWS::Region, Ami]"),
        "ami-1"
    );
    assert_eq!(
        value("!FindInMap [Regions, eu-west-3, Ami]"),
        "⟦FindInMap Regions eu-west-3 Ami⟧"
    );
    assert_eq!(
        value("!FindInMap [Regions, eu-west-3, Ami, {DefaultValue: ami-0}]"),
        "ami-0"
    );
    assert_eq!(
        value("!ImportValue SharedKeyArn"),
        "⟦ImportValue SharedKeyArn⟧"
    );
    assert_eq!(value("!Select [0, !GetAZs '']"), "⟦Select 0⟧");
    assert_eq!(value("!Cidr [10.0.0.0/16, 2, 8]"), "⟦Cidr⟧");
    // NoValue removes an element or a key.
    assert_eq!(value("[a, !Ref AWS::NoValue, b]"), "a|b");
    let (node, _) = value_with("{k: !Ref AWS::NoValue, j: 1}", &CfnOptions::default());
    assert!(matches!(node.map(|n| n.value), Some(Value::Object(m)) if m.len() == 1));
}

#[test]
fn conditions_are_three_valued_and_cycles_are_cut() {
    assert_eq!(value("!If [IsProd, yes, no]"), "yes");
    assert_eq!(value("!If [IsDev, yes, no]"), "no");
    assert_eq!(value("!If [Either, yes, no]"), "yes");
    let (node, notes) = value_with("!If [Both, yes, no]", &CfnOptions::default());
    assert_eq!(node.map(|n| n.value), Some(Value::String("yes".into())));
    assert!(notes[0].contains("cannot be decided"), "{notes:?}");
    let (_, notes) = value_with("!If [Loop1, yes, no]", &CfnOptions::default());
    assert!(
        notes.iter().any(|n| n.contains("refers to itself")),
        "{notes:?}"
    );
    let (_, notes) = value_with("!If [Nope, yes, no]", &CfnOptions::default());
    assert!(
        notes.iter().any(|n| n.contains("not declared")),
        "{notes:?}"
    );
    // An If choosing NoValue removes the element.
    assert_eq!(value("[a, !If [IsProd, !Ref AWS::NoValue, b]]"), "a");
}

#[test]
fn self_reference_and_depth_do_not_blow_up() {
    let (node, notes) = value_with("!Ref SelfNamed", &CfnOptions::default());
    assert!(node.is_some());
    assert!(
        notes.iter().any(|n| n.contains("refers to itself")),
        "{notes:?}"
    );
    let deep = "!Join ['', [".repeat(80) + "x" + &"]]".repeat(80);
    let (node, notes) = value_with(&deep, &CfnOptions::default());
    assert!(node.is_some());
    assert!(notes.iter().any(|n| n.contains("nest deeper")), "{notes:?}");
}

#[test]
fn resolved_nodes_keep_the_span_of_their_expression() {
    let text = format!("{HEAD}!Sub '${{Env}}-x'\n");
    let root = crate::yaml::parse(&text).unwrap_or_else(|e| panic!("{}", e.message));
    let options = CfnOptions::default();
    let mut r = Resolver::new(&root, &options);
    let v = get(&root, "Resources")
        .and_then(|n| get(n, "X"))
        .and_then(|n| get(n, "Properties"))
        .and_then(|n| get(n, "V"))
        .cloned()
        .unwrap_or_else(|| panic!());
    let out = r.resolve(&v).unwrap_or_else(|| panic!());
    assert_eq!(&text[out.span.range()], "!Sub '${Env}-x'");
    assert_eq!(out.value, Value::String("prod-x".into()));
}

fn read_ok(text: &str) -> Template {
    read(text, &CfnOptions::default()).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn roles_give_principals_trust_inline_managed_and_boundary_policies() {
    let t = read_ok(
        "Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: s3
          PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess, !Ref Mine]
      PermissionsBoundary: !Ref Mine
  Mine:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Deny, Action: 'iam:*', Resource: '*'}]}
",
    );
    let inv = &t.inventory;
    let role = inv.principal("app").unwrap_or_else(|| panic!());
    assert_eq!(role.id, "AppRole");
    assert_eq!(role.arn, "arn:aws:iam::123456789012:role/app");
    assert_eq!(
        inv.principal("arn:aws:iam::123456789012:role/app")
            .map(|p| &p.id),
        Some(&role.id)
    );
    let names: Vec<_> = inv.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "AppRole/AssumeRolePolicyDocument",
            "AppRole/Policies/s3",
            "AppRole/ManagedPolicyArns/0",
            "AppRole/PermissionsBoundary",
            "Mine/PolicyDocument"
        ]
    );
    let trust = &inv.policies[0];
    assert!(trust.trust);
    assert_eq!(trust.kind, PolicyKind::Resource);
    assert_eq!(
        trust.resource_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/app")
    );
    // The unquoted Version is the string it is written as.
    let Document::Inline(doc) = &trust.document else {
        panic!()
    };
    assert_eq!(
        get(doc, "Version").map(|v| &v.value),
        Some(&Value::String("2012-10-17".into()))
    );
    // Managed policies by ARN; the template's own is linked, as a boundary too.
    assert!(
        matches!(&inv.policies[2].document, Document::Managed { arn, .. } if arn.ends_with("ReadOnlyAccess"))
    );
    assert_eq!(inv.policies[3].kind, PolicyKind::Boundary);
    assert!(matches!(inv.policies[3].document, Document::Inline(_)));
    assert_eq!(inv.policies[4].attached_to, ["AppRole"]);
    let attached: Vec<_> = inv.attached("AppRole").map(|p| p.name.as_str()).collect();
    assert_eq!(attached.len(), 4);
    assert!(inv.notes.is_empty(), "{:?}", inv.notes);
}

#[test]
fn users_groups_and_standalone_policies_name_principals() {
    let t = read_ok(
        "Resources:
  Dev: {Type: AWS::IAM::Group, Properties: {GroupName: devs}}
  Ops: {Type: AWS::IAM::Group}
  Alice:
    Type: AWS::IAM::User
    Properties: {UserName: alice, Groups: [devs], Path: /people/}
  Add: {Type: AWS::IAM::UserToGroupAddition, Properties: {GroupName: !Ref Ops, Users: [!Ref Alice]}}
  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Users: [alice]
      Groups: [!Ref Ops, outsiders]
      PolicyDocument: '{\"Version\": \"2012-10-17\", \"Statement\": []}'
  RP:
    Type: AWS::IAM::UserPolicy
    Properties: {UserName: !Ref Alice, PolicyName: rp, PolicyDocument: {Statement: []}}
",
    );
    let inv = &t.inventory;
    let alice = inv.principal("Alice").unwrap_or_else(|| panic!());
    assert_eq!(alice.kind, PrincipalKind::User);
    assert_eq!(alice.arn, "arn:aws:iam::123456789012:user/people/alice");
    assert_eq!(alice.groups, ["Dev", "Ops"]);
    let ops = inv.principal("Ops").unwrap_or_else(|| panic!());
    assert_eq!(ops.name, None);
    assert_eq!(ops.arn, "arn:aws:iam::123456789012:group/⟦name of Ops⟧");
    let p = &inv.policies[0];
    assert_eq!(p.attached_to, ["Alice", "Ops", "outsiders"]);
    assert!(
        inv.notes
            .iter()
            .any(|n| says(n, "outsiders is not declared"))
    );
    // The policy in a string is decoded, its positions in a decoded text.
    let Document::Inline(doc) = &p.document else {
        panic!()
    };
    assert!(!doc.span.source.is_file());
    assert_eq!(t.decoded.len(), 1);
    assert_eq!(inv.policies[1].attached_to, ["Alice"]);
    // Alice's policies reach her through Ops too.
    assert_eq!(inv.attached("Alice").count(), 2);
}

#[test]
fn resource_policies_carry_the_resource_arn() {
    let t = read_ok(
        "Resources:
  B: {Type: AWS::S3::Bucket, Properties: {BucketName: data}}
  BP:
    Type: AWS::S3::BucketPolicy
    Properties: {Bucket: !Ref B, PolicyDocument: {Statement: []}}
  Q1: {Type: AWS::SQS::Queue, Properties: {QueueName: q1}}
  QP:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Q1, 'https://sqs.eu-west-1.amazonaws.com/111122223333/other']
      PolicyDocument: {Statement: []}
  T: {Type: AWS::SNS::Topic, Properties: {TopicName: t}}
  TP: {Type: AWS::SNS::TopicPolicy, Properties: {Topics: [!Ref T], PolicyDocument: {Statement: []}}}
  K: {Type: AWS::KMS::Key, Properties: {KeyPolicy: {Statement: []}}}
  K2: {Type: AWS::KMS::Key}
  S: {Type: AWS::SecretsManager::ResourcePolicy, Properties: {SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s', ResourcePolicy: {Statement: []}}}
  Scp: {Type: AWS::Organizations::Policy, Properties: {Type: SERVICE_CONTROL_POLICY, Content: '{\"Statement\": []}'}}
  Rcp: {Type: AWS::Organizations::Policy, Properties: {Type: RESOURCE_CONTROL_POLICY, Content: {Statement: []}}}
  Tag: {Type: AWS::Organizations::Policy, Properties: {Type: TAG_POLICY, Content: {}}}
  Iot: {Type: AWS::IoT::Policy, Properties: {PolicyDocument: {Statement: []}}}
  Odd: {Type: AWS::Foo::Bar, Properties: {AccessPolicyDocument: {Statement: []}}}
",
    );
    let arns: Vec<(&str, Option<&str>, PolicyKind)> = t
        .inventory
        .policies
        .iter()
        .map(|p| (p.name.as_str(), p.resource_arn.as_deref(), p.kind))
        .collect();
    assert_eq!(
        arns,
        [
            (
                "BP/PolicyDocument",
                Some("arn:aws:s3:::data"),
                PolicyKind::Resource
            ),
            (
                "QP/PolicyDocument/0",
                Some("arn:aws:sqs:us-east-1:123456789012:q1"),
                PolicyKind::Resource
            ),
            (
                "QP/PolicyDocument/1",
                Some("arn:aws:sqs:eu-west-1:111122223333:other"),
                PolicyKind::Resource
            ),
            (
                "TP/PolicyDocument",
                Some("arn:aws:sns:us-east-1:123456789012:t"),
                PolicyKind::Resource
            ),
            (
                "K/KeyPolicy",
                Some("arn:aws:kms:us-east-1:123456789012:key/⟦name of K⟧"),
                PolicyKind::Resource
            ),
            (
                "S/ResourcePolicy",
                Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:s"),
                PolicyKind::Resource
            ),
            ("Scp/Content", None, PolicyKind::Scp),
            ("Rcp/Content", None, PolicyKind::Rcp),
        ]
    );
    let notes: Vec<&str> = t
        .inventory
        .notes
        .iter()
        .map(|n| n.message.as_str())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("K2 has no KeyPolicy")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("TAG_POLICY")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("IoT policy")), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.contains("AccessPolicyDocument")),
        "{notes:?}"
    );
}

#[test]
fn lambda_permissions_become_the_statement_lambda_writes() {
    let t = read_ok(
        "Resources:
  F: {Type: AWS::Lambda::Function, Properties: {FunctionName: fn}}
  P:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt F.Arn
      Action: lambda:InvokeFunction
      Principal: s3.amazonaws.com
      SourceArn: arn:aws:s3:::b
      SourceAccount: '111122223333'
  A:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !Ref F, Action: 'lambda:InvokeFunctionUrl', Principal: '444455556666', FunctionUrlAuthType: NONE}
",
    );
    let p = &t.inventory.policies[0];
    assert_eq!(
        p.resource_arn.as_deref(),
        Some("arn:aws:lambda:us-east-1:123456789012:function:fn")
    );
    let Document::Inline(doc) = &p.document else {
        panic!()
    };
    let mut text = String::new();
    crate::json::write_pretty(doc, 0, &mut text);
    assert!(text.contains("\"Service\": \"s3.amazonaws.com\""), "{text}");
    assert!(text.contains("\"ArnLike\": {\n"), "{text}");
    assert!(
        text.contains("\"AWS:SourceArn\": \"arn:aws:s3:::b\""),
        "{text}"
    );
    assert!(
        text.contains("\"AWS:SourceAccount\": \"111122223333\""),
        "{text}"
    );
    let mut errors = Vec::new();
    let parsed = crate::policy::parse_policy_node(
        doc,
        crate::policy::ParseContext::new(PolicyKind::Resource),
        &mut errors,
    );
    assert!(parsed.is_some(), "{errors:?}");
    let Document::Inline(doc) = &t.inventory.policies[1].document else {
        panic!()
    };
    let mut text = String::new();
    crate::json::write_pretty(doc, 0, &mut text);
    assert!(
        text.contains("\"AWS\": \"arn:aws:iam::444455556666:root\""),
        "{text}"
    );
    assert!(
        text.contains("\"lambda:FunctionUrlAuthType\": \"NONE\""),
        "{text}"
    );
}

#[test]
fn sam_functions_get_their_generated_role() {
    let t = read_ok(
        "Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - AmazonS3ReadOnlyAccess
        - S3ReadPolicy: {BucketName: b}
        - Statement: [{Effect: Allow, Action: 'sqs:*', Resource: '*'}]
  WithRole:
    Type: AWS::Serverless::Function
    Properties: {Role: arn:aws:iam::123456789012:role/x, Policies: [AmazonS3ReadOnlyAccess]}
",
    );
    let inv = &t.inventory;
    assert_eq!(inv.principals.len(), 1);
    assert_eq!(inv.principals[0].id, "FnRole");
    let docs: Vec<String> = inv
        .policies
        .iter()
        .map(|p| match &p.document {
            Document::Managed { arn, .. } => arn.clone(),
            Document::Inline(_) => "inline".into(),
            Document::Unknown { reason, .. } => reason.clone(),
        })
        .collect();
    assert_eq!(
        docs,
        [
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            "inline"
        ]
    );
    let notes: Vec<&str> = inv.notes.iter().map(|n| n.message.as_str()).collect();
    assert!(notes[0].contains("Transform"), "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("SAM policy template S3ReadPolicy not expanded"))
    );
    assert!(notes.iter().any(|n| n.contains("Role is given")));
}

#[test]
fn conditions_on_resources() {
    let t = read_ok(
        "Parameters: {Env: {Type: String, Default: prod}, Bare: {Type: String}}
Conditions:
  IsDev: !Equals [!Ref Env, dev]
  Maybe: !Equals [!Ref Bare, x]
Resources:
  Gone: {Type: AWS::IAM::Role, Condition: IsDev}
  Kept:
    Type: AWS::IAM::Policy
    Condition: Maybe
    Properties: {PolicyName: p, Roles: [r], PolicyDocument: {Statement: []}}
",
    );
    assert!(t.inventory.principals.is_empty());
    assert_eq!(t.inventory.policies[0].condition.as_deref(), Some("Maybe"));
    assert!(
        t.inventory
            .notes
            .iter()
            .any(|n| says(n, "cannot be decided"))
    );
}

#[test]
fn what_is_not_a_template_is_an_error() {
    for (text, needle) in [
        ("{\"a\": 1}", "no Resources"),
        ("a: 1\n", "no Resources"),
        ("Resources: [1]\n", "must be a mapping"),
        ("Resources:\n  A: !Nope x\n", "unknown tag"),
        ("{\"Resources\": {", "invalid JSON"),
    ] {
        let e = read(text, &CfnOptions::default()).unwrap_err();
        assert!(says(&e[0], needle), "{text}: {:?}", e[0].message);
    }
}
