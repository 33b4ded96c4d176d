#!/usr/bin/env python3
"""Builds the whole-process benchmark scenarios (deterministic, no input needed).

  identity.json  16,465 requests over the Client VPN scenario's identity policies
                 (about 15 MB, written by json.dump on one line)
  rich.json      50,000 requests over every policy type: identity, boundary, session,
                 resource (bucket, key, queue), SCP and RCP levels, endpoint; every
                 operator family, policy variables and set operators

Usage: gen.py OUT_DIR
"""

import json
import os
import sys

ACCOUNT = "111122223333"
OTHER = "444455556666"
HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_VPN = os.path.join(HERE, "..", "..", "assets", "scenarios", "client-vpn-source-ip.json")


def identity(out):
    """The Client VPN requests repeated with distinct names, addresses and times."""
    with open(CLIENT_VPN) as f:
        base = json.load(f)
    policies = {"identity": base["policies"]["identity"]}
    requests = []
    n, k = 16465, 0
    while len(requests) < n:
        for r in base["requests"]:
            if len(requests) == n:
                break
            r = json.loads(json.dumps(r))
            r["name"] = f'{r["name"]} #{k}'
            if "via" in r:
                r["via"] = f'{r["via"]} #{k}'
            ctx = r.get("context", {})
            if "aws:SourceIp" in ctx and ctx["aws:SourceIp"].startswith("203.0.113."):
                ctx["aws:SourceIp"] = f"203.0.113.{k % 250 + 1}"
            if "aws:CurrentTime" in ctx:
                ctx["aws:CurrentTime"] = f"2026-11-{k % 28 + 1:02d}T{k % 24:02d}:00:00Z"
            r.pop("expect", None)
            requests.append(r)
        k += 1
    scenario = {
        "name": "Client VPN identity policies, 16,465 requests",
        "policies": policies,
        "requests": requests,
    }
    with open(os.path.join(out, "identity.json"), "w") as f:
        json.dump(scenario, f)


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def rich_policies():
    """One scenario's policies of every type, every operator family among them."""
    identity = [
        {"name": "apps", "document": doc(
            {"Sid": "Home", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": ["arn:aws:s3:::corp-data/home/${aws:username}/*",
                          "arn:aws:s3:::corp-data/team/${aws:PrincipalTag/team}/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "true"},
                           "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}},
            {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::corp-data",
             "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "public/*"]}}},
            {"Sid": "Tables", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
             "Resource": f"arn:aws:dynamodb:*:{ACCOUNT}:table/${{aws:PrincipalTag/team}}-*",
             "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["pk", "sk", "status"]}}},
            {"Sid": "Ec2Read", "Effect": "Allow", "Action": ["ec2:Describe*", "ec2:Get*"],
             "Resource": "*",
             "Condition": {"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": ["PLATFORM", "data"]}}},
            {"Sid": "Launch", "Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:CreateTags"],
             "Resource": f"arn:aws:ec2:*:{ACCOUNT}:instance/*",
             "Condition": {"StringEquals": {"aws:RequestTag/env": ["dev", "staging"]},
                           "ForAllValues:StringEquals": {"aws:TagKeys": ["env", "owner", "costcenter"]},
                           "Null": {"aws:RequestTag/owner": "false"}}},
            {"Sid": "NoCostCenter", "Effect": "Deny", "Action": "ec2:RunInstances",
             "Resource": "*", "Condition": {"Null": {"aws:RequestTag/costcenter": "true"}}},
            {"Sid": "Keys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"],
             "Resource": f"arn:aws:kms:*:{ACCOUNT}:key/*",
             "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
                           "DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"},
                           "DateGreaterThanEquals": {"aws:EpochTime": "1700000000"}}},
            {"Sid": "Queues", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
             "Resource": f"arn:aws:sqs:*:{OTHER}:shared-*",
             "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/*"},
                           "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-*/*"]}}},
            {"Sid": "Lambda", "Effect": "Allow", "Action": "lambda:InvokeFunction",
             "Resource": f"arn:aws:lambda:*:{ACCOUNT}:function:*",
             "Condition": {"BinaryEquals": {"app:ClientDigest": "c2hhMjU2OmFsaWNl"},
                           "NumericGreaterThanEquals": {"app:Version": "2"}}},
        )},
        {"name": "guardrails", "document": doc(
            {"Sid": "Office", "Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/8", "2001:db8::/32"]},
                           "Bool": {"aws:ViaAWSService": "false"},
                           "ArnNotLikeIfExists": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/BreakGlass*"}}},
            {"Sid": "Owners", "Effect": "Deny", "Action": ["ec2:TerminateInstances", "ec2:StopInstances"],
             "Resource": "*",
             "Condition": {"StringNotEqualsIgnoreCase": {"aws:ResourceTag/owner": "${aws:username}"}}},
            {"Sid": "Reserved", "Effect": "Deny", "Action": ["ec2:CreateTags", "ec2:RunInstances"],
             "Resource": "*",
             "Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": ["aws:*", "reserved-*"]}}},
            {"Sid": "Deletes", "Effect": "Deny", "Action": "s3:DeleteObject*",
             "Resource": "arn:aws:s3:::corp-data/*",
             "Condition": {"StringNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/Admin*"},
                           "NumericNotEquals": {"app:Version": "0"},
                           "DateNotEquals": {"aws:CurrentTime": "2000-01-01T00:00:00Z"}}},
            {"Sid": "Images", "Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*",
             "Condition": {"StringLike": {"aws:ResourceTag/project": "${aws:PrincipalTag/project, 'default'}"},
                           "ForAllValues:StringNotEquals": {"aws:TagKeys": ["forbidden"]},
                           "StringEqualsIfExists": {"aws:RequestedRegion": ["ca-central-1", "us-east-1"]},
                           "NumericLessThanEqualsIfExists": {"aws:MultiFactorAuthAge": "86400"}}},
        )},
    ]
    boundary = [{"name": "boundary", "document": doc(
        {"Effect": "Allow",
         "Action": ["s3:*", "ec2:*", "dynamodb:*", "kms:*", "sqs:*", "lambda:*", "ecr:*"],
         "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": ["ca-central-1", "us-east-1"]}}},
    )}]
    session = [{"name": "session", "document": doc(
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*",
         "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}}},
    )}]
    resource = [
        {"name": "bucket policy", "attachedTo": "arn:aws:s3:::corp-data*", "document": doc(
            {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": ["arn:aws:s3:::corp-data", "arn:aws:s3:::corp-data/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "Org", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": ["arn:aws:s3:::corp-data", "arn:aws:s3:::corp-data/*"],
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}},
        )},
        {"name": "key policy", "attachedTo": f"arn:aws:kms:ca-central-1:{ACCOUNT}:key/*", "document": doc(
            {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"},
        )},
        {"name": "queue policy", "attachedTo": f"arn:aws:sqs:*:{OTHER}:shared-*", "document": doc(
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
             "Action": "sqs:*", "Resource": f"arn:aws:sqs:*:{OTHER}:shared-*",
             "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:ca-central-1:{ACCOUNT}:alerts"}}},
        )},
    ]
    full = {"name": "FullAWSAccess", "document": doc({"Effect": "Allow", "Action": "*", "Resource": "*"})}
    scp = [
        {"level": "r-ab12", "policies": [full]},
        {"level": "ou-ab12-prod", "policies": [full, {"name": "regions", "document": doc(
            {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*"], "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["ca-central-1", "us-east-1"]}}})}]},
        {"level": ACCOUNT, "policies": [full]},
    ]
    rcp = [
        {"level": "r-ab12", "policies": [{"name": "org only", "document": doc(
            {"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*", "kms:*"], "Resource": "*",
             "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                           "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})}]},
    ]
    endpoint = [{"name": "vpce", "document": doc(
        {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket", "dynamodb:*"],
         "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}},
    )}]
    return {"identity": identity, "boundary": boundary, "session": session,
            "resource": resource, "endpoint": endpoint, "scp": scp, "rcp": rcp}


def rich_request(k):
    user = ["alice", "bob", "carol", "dave"][k % 4]
    team = ["platform", "data", "web"][k % 3]
    ctx = {
        "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/{user}",
        "aws:PrincipalAccount": ACCOUNT,
        "aws:PrincipalType": "User",
        "aws:username": user,
        "aws:PrincipalTag/team": team,
        "aws:PrincipalTag/project": "orders",
        "aws:PrincipalOrgID": "o-a1b2c3d4e5",
        "aws:PrincipalOrgPaths": [f"o-a1b2c3d4e5/r-ab12/ou-ab12-{['prod', 'dev'][k % 2]}/"],
        "aws:RequestedRegion": ["ca-central-1", "us-east-1", "eu-west-1"][k % 7 % 3],
        "aws:SecureTransport": k % 11 != 0,
        "aws:CurrentTime": f"2026-{k % 12 + 1:02d}-{k % 28 + 1:02d}T10:00:00Z",
        "aws:EpochTime": str(1767225600 + k * 61),
        "aws:TokenIssueTime": "2026-06-01T08:00:00Z",
        "aws:SourceIp": f"203.0.113.{k % 250}" if k % 9 else f"198.51.100.{k % 250}",
        "aws:ViaAWSService": "false",
        "aws:MultiFactorAuthPresent": "true",
        "aws:MultiFactorAuthAge": k % 5000,
    }
    t = k % 10
    if t == 0:
        action, resource = "s3:GetObject", f"arn:aws:s3:::corp-data/home/{user}/f{k}.txt"
    elif t == 1:
        action, resource = "s3:ListBucket", "arn:aws:s3:::corp-data"
        ctx["s3:prefix"] = f"home/{user}/{k}/"
    elif t == 2:
        action, resource = "dynamodb:Query", f"arn:aws:dynamodb:ca-central-1:{ACCOUNT}:table/{team}-orders"
        ctx["dynamodb:Attributes"] = ["pk", "sk"] if k % 3 else ["pk", "secret"]
        ctx["aws:SourceVpce"] = "vpce-0abc1234"
    elif t == 3:
        action, resource = "ec2:RunInstances", f"arn:aws:ec2:ca-central-1:{ACCOUNT}:instance/*"
        ctx["aws:RequestTag/env"] = "dev"
        ctx["aws:RequestTag/owner"] = user
        if k % 4:
            ctx["aws:RequestTag/costcenter"] = f"cc-{k % 90}"
        ctx["aws:TagKeys"] = ["env", "owner", "costcenter"]
    elif t == 4:
        action, resource = "kms:Decrypt", f"arn:aws:kms:ca-central-1:{ACCOUNT}:key/1234abcd-{k % 100:04d}"
    elif t == 5:
        action, resource = "sqs:SendMessage", f"arn:aws:sqs:ca-central-1:{OTHER}:shared-{k % 13}"
        ctx["aws:SourceArn"] = f"arn:aws:sns:ca-central-1:{ACCOUNT}:alerts"
    elif t == 6:
        action, resource = "ec2:TerminateInstances", f"arn:aws:ec2:ca-central-1:{ACCOUNT}:instance/i-{k:08x}"
        ctx["aws:ResourceTag/owner"] = user.upper() if k % 2 else "someone"
    elif t == 7:
        action, resource = "lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f{k % 50}"
        ctx["app:ClientDigest"] = "c2hhMjU2OmFsaWNl" if k % 3 else "c2hhMjU2OmJvYg=="
        ctx["app:Version"] = k % 4
    elif t == 8:
        action, resource = "ecr:BatchGetImage", f"arn:aws:ecr:ca-central-1:{ACCOUNT}:repository/orders/api"
        ctx["aws:ResourceTag/project"] = "orders" if k % 2 else "billing"
        ctx["aws:TagKeys"] = ["team"]
    else:
        action, resource = "s3:DeleteObject", f"arn:aws:s3:::corp-data/tmp/{k}"
        ctx["app:Version"] = 1
    return {
        "name": f"r{k} {action}",
        "principal": f"arn:aws:iam::{ACCOUNT}:user/{user}",
        "action": action,
        "resource": resource,
        "context": ctx,
    }


def rich(out):
    scenario = {
        "name": "every policy type, 50,000 requests",
        "policies": rich_policies(),
        "requests": [rich_request(k) for k in range(50000)],
    }
    with open(os.path.join(out, "rich.json"), "w") as f:
        json.dump(scenario, f)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    identity(out)
    rich(out)
