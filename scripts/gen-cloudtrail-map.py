#!/usr/bin/env python3
"""Generate iamtrace's CloudTrail event -> IAM action map from the AWS SDK's service models.

    python3 scripts/gen-cloudtrail-map.py            # regenerate the file below
    python3 scripts/gen-cloudtrail-map.py --check    # regenerate into a temporary folder
                                                     # and compare bytes with the committed file

Reads the service models of the Python package botocore at the version pinned in
BOTOCORE_VERSION (installed with pip into a temporary folder, or taken from --botocore
DIR, an installed `botocore` package folder of that version), the committed service
catalog (assets/catalog/services.tsv.gz, from scripts/gen-catalog.py) and the reviewed
override table assets/catalog/cloudtrail-overrides.tsv, and writes

    assets/catalog/cloudtrail-map.tsv.gz   what the conversion needs, checked against the
                                           catalog
    assets/NOTICE                          (its botocore section; the rest is kept)

The rule: a CloudTrail event from HOST.amazonaws.com named EVENT is the IAM action
PREFIX:EVENT, where PREFIX is the catalog service the SDK model served at HOST (its
endpointPrefix or signingName) belongs to: of the names the model gives (signingName,
endpointPrefix, serviceId, its folder name), the catalog prefix under which most of its
operations are actions. The override table says where AWS authorizes an event under
another name. Every action written is in the catalog or on the override table's
allowlist: the script stops otherwise.

Only names are copied from botocore (endpoints, operation names, input member names,
HTTP methods and paths); none of its documentation. Output depends on nothing but the
pinned version and the two committed inputs: sorted orders, gzip with mtime 0.

Format of cloudtrail-map.tsv.gz (ASCII, gzip, one record a line, fields split by TAB):

    #iamtrace-cloudtrail-map 1<TAB>botocore VERSION
    H  host  prefix              events of HOST.amazonaws.com are PREFIX actions
    A  host  event  action       the event's action (an override; never PREFIX:EVENT)
    V  host  event  METHOD  path an HTTP-verb service (API Gateway): PREFIX:METHOD on
                                 arn:PARTITION:PREFIX:REGION::PATH, {name} a request
                                 parameter; several lines for one event are tried in order
    R  host  event  type  vars   the resource of the event's action: the catalog resource
                                 type TYPE, its ARN format's placeholders filled from
                                 request parameters, `Var=param` each (space separated),
                                 or `=param` when a parameter holds the whole ARN
    K  action  key  param        the condition key KEY is the request parameter PARAM
    S  host  event  reason       no IAM action authorizes the event (event `*`: any)
    X  action                    an action AWS uses that the catalog lacks

H lines come first, then K and X lines, then the A, V, R and S lines sorted by host and
event (each host's lines together, so a reader can parse one host at a time). Within
one event, V and R lines keep the order in which they are to be tried.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# The botocore release the committed file comes from. Bump it, run this script, commit.
BOTOCORE_VERSION = "1.44.8"

FORMAT_VERSION = 1

REPO = Path(__file__).resolve().parent.parent
OUTPUT = "assets/catalog/cloudtrail-map.tsv.gz"
NOTICE = "assets/NOTICE"
CATALOG = "assets/catalog/services.tsv.gz"
OVERRIDES = "assets/catalog/cloudtrail-overrides.tsv"

# The NOTICE section this script owns: from this line to the end of the file.
NOTICE_HEAD = "assets/catalog/cloudtrail-map.tsv.gz\n"

# Placeholders the event itself fills in (partition, region, account).
CONTEXT_VARS = {"Partition", "Region", "Account"}


class DataError(Exception):
    """An input holds something this generator cannot carry or check."""


def install_botocore(workdir):
    """pip-install the pinned botocore (no dependencies) into a folder; return the package."""
    target = Path(workdir) / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--target", str(target), f"botocore=={BOTOCORE_VERSION}"],
        check=True,
    )
    return target / "botocore"


def read_catalog():
    """{prefix: ({action lower: name}, {resource type: arn format}, [(action, [types])])}."""
    services = {}
    current = None
    with gzip.open(REPO / CATALOG, "rt", encoding="ascii") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            kind = fields[0]
            if kind == "S":
                current = {"actions": {}, "types": [], "action_types": {}}
                services[fields[1]] = current
                last = None
            elif kind == "R":
                current["types"].append((fields[1], fields[2]))
            elif kind == "A":
                last = fields[1]
                current["actions"][last.lower()] = last
                current["action_types"][last] = []
            elif kind == "r":
                name, arn = current["types"][int(fields[1])]
                current["action_types"][last].append((name, arn, fields[2] == "1"))
    return services


def read_overrides():
    """The override table's records, as lists of fields, with their line numbers."""
    out = []
    with open(REPO / OVERRIDES, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            arity = {"source": 3, "action": 4, "verbs": 2, "param": 4, "var": 4, "key": 4,
                     "skip": 4, "allow": 3}.get(fields[0])
            if arity is None or len(fields) != arity or not all(fields):
                raise DataError(f"{OVERRIDES}:{n}: not a record of this table: {line!r}")
            if not line.isascii():
                raise DataError(f"{OVERRIDES}:{n}: non-ASCII text")
            out.append((n, fields))
    return out


def latest_models(package_dir):
    """{model name: the newest API version's service model}."""
    data = package_dir / "data"
    models = {}
    for name in sorted(os.listdir(data)):
        folder = data / name
        if not folder.is_dir():
            continue
        versions = sorted(v for v in os.listdir(folder)
                          if (folder / v / "service-2.json.gz").is_file()
                          or (folder / v / "service-2.json").is_file())
        if not versions:
            continue
        path = folder / versions[-1] / "service-2.json.gz"
        if path.is_file():
            with gzip.open(path, "rt", encoding="utf-8") as f:
                models[name] = json.load(f)
        else:
            with open(folder / versions[-1] / "service-2.json", encoding="utf-8") as f:
                models[name] = json.load(f)
    return models


def lower_camel(name):
    return name[:1].lower() + name[1:]


def placeholders(arn_format):
    return re.findall(r"\$\{([^}]+)\}", arn_format)


def top_members(model, op):
    """The operation's top-level input members: {member name: shape type}."""
    spec = model["operations"][op].get("input")
    if not spec:
        return {}
    shape = model["shapes"][spec["shape"]]
    return {m: model["shapes"][v["shape"]]["type"]
            for m, v in shape.get("members", {}).items()}


def resource_vars(type_name, arn_format, members, aliases, var_members):
    """How the request parameters fill the ARN format: a list of `Var=param` / `=param`,
    or None when a placeholder has no parameter."""
    strings = {m.lower(): m for m, t in members.items() if t == "string"}
    # A member holding the whole ARN: RoleArn for type role, PolicyArn for policy.
    whole = strings.get(re.sub(r"[^a-z0-9]", "", type_name.lower()) + "arn")
    if whole:
        return [f"={aliases.get(whole, lower_camel(whole))}"]
    out = []
    for var in placeholders(arn_format):
        if var in CONTEXT_VARS:
            continue
        stem = var[:-len("WithPath")] if var.endswith("WithPath") else var
        candidates = ([var_members[var]] if var in var_members else []) + [var, stem]
        if stem.endswith("Name"):
            candidates.append(stem[:-len("Name")])  # S3: ${BucketName} is the Bucket member
        member = next((strings[c.lower()] for c in candidates if c.lower() in strings), None)
        if member is None:
            return None
        out.append(f"{var}={aliases.get(member, lower_camel(member))}")
    return out


def build(models, catalog, overrides):
    """The map's text and a summary."""
    lines = [f"#iamtrace-cloudtrail-map {FORMAT_VERSION}\tbotocore {BOTOCORE_VERSION}"]
    stats = {"hosts": 0, "action overrides": 0, "verb lines": 0, "resource lines": 0,
             "condition key lines": 0, "skips": 0, "allowed": 0,
             "operations without an action": 0}
    allow = {}
    source_over = {}
    action_over = {}
    verbs = set()
    params = {}
    var_members = {}
    keys = []
    skips = []
    for n, f in overrides:
        kind = f[0]
        if kind == "source":
            if f[2] not in catalog:
                raise DataError(f"{OVERRIDES}:{n}: {f[2]} is not a catalog service")
            source_over[f[1]] = f[2]
        elif kind == "action":
            action_over[(f[1], f[2])] = (n, f[3])
        elif kind == "verbs":
            verbs.add(f[1])
        elif kind == "param":
            params.setdefault(f[1], {})[f[2]] = f[3]
        elif kind == "var":
            var_members.setdefault(f[1], {})[f[2]] = f[3]
        elif kind == "key":
            keys.append((n, f[1], f[2], f[3]))
        elif kind == "skip":
            skips.append((f[1], f[2], f[3]))
        elif kind == "allow":
            allow[f[1].lower()] = f[1]

    def known(action, where):
        prefix, _, name = action.partition(":")
        svc = catalog.get(prefix)
        found = svc and svc["actions"].get(name.lower())
        if found:
            return f"{prefix}:{found}"
        if action.lower() in allow:
            return allow[action.lower()]
        raise DataError(f"{where}: {action} is neither in the catalog nor allowed")

    for a, why in sorted(allow.items()):
        prefix, _, name = why.partition(":")
        if prefix in catalog and name.lower() in catalog[prefix]["actions"]:
            raise DataError(f"{OVERRIDES}: allow {why}: the catalog has it; remove the line")

    # eventSource host -> (model names, IAM prefix). A host several models share
    # (apigateway, apigatewayv2; email: ses, sesv2) gets the prefix covering most.
    by_host = {}
    for name, model in models.items():
        md = model["metadata"]
        for host in {md.get("endpointPrefix"), md.get("signingName")} - {None}:
            by_host.setdefault(host, []).append(name)
    host_prefix = {}
    for host, names in sorted(by_host.items()):
        best = None
        for name in names:
            md = models[name]["metadata"]
            ops = models[name]["operations"]
            cands = {md.get("signingName"), md.get("endpointPrefix"), name,
                     md.get("serviceId", "").lower().replace(" ", "-")} - {None, ""}
            for c in sorted(cands):
                if c not in catalog:
                    continue
                cover = sum(1 for o in ops if o.lower() in catalog[c]["actions"])
                if best is None or cover > best[0]:
                    best = (cover, c)
        if best is not None and best[0] > 0:
            host_prefix[host] = best[1]
    host_prefix.update(source_over)
    for host, prefix in sorted(host_prefix.items()):
        lines.append(f"H\t{host}\t{prefix}")
        stats["hosts"] += 1

    # Per event of every host: an override, HTTP verbs, and the resource parameters.
    body = []
    for (host, event), (n, action) in sorted(action_over.items()):
        body.append(f"A\t{host}\t{event}\t{known(action, f'{OVERRIDES}:{n}')}")
        stats["action overrides"] += 1
    for host in sorted(by_host):
        prefix = host_prefix.get(host)
        if prefix is None:
            continue
        svc = catalog[prefix]
        aliases = params.get(prefix, {})
        ops = {}
        for name in sorted(by_host[host]):
            for op in sorted(models[name]["operations"]):
                ops.setdefault(op, []).append(name)
        for op, names in sorted(ops.items()):
            if host in verbs:
                for name in names:
                    http = models[name]["operations"][op].get("http", {})
                    members = models[name]["shapes"].get(
                        models[name]["operations"][op].get("input", {}).get("shape"), {})
                    locs = {v.get("locationName", m): m
                            for m, v in members.get("members", {}).items()
                            if v.get("location") == "uri"}
                    path = http.get("requestUri", "").split("?")[0]
                    path = re.sub(r"\{([^}+]+)\+?\}",
                                  lambda m: "{" + locs.get(m.group(1), m.group(1)) + "}", path)
                    method = http.get("method")
                    if not method or not path.startswith("/"):
                        continue
                    known(f"{prefix}:{method}", f"{name} {op}")
                    body.append(f"V\t{host}\t{op}\t{method}\t{path}")
                    stats["verb lines"] += 1
                continue
            over = action_over.get((host, op))
            action = over[1] if over else f"{prefix}:{op}"
            a_prefix, _, a_name = action.partition(":")
            a_svc = catalog.get(a_prefix)
            real = a_svc and a_svc["actions"].get(a_name.lower())
            if not real:
                stats["operations without an action"] += 1
                continue
            members = {}
            for name in names:
                members.update(top_members(models[name], op))
            # Required resource types first: the resource the action always acts on.
            ordered = sorted(a_svc["action_types"][real], key=lambda t: not t[2])
            for type_name, arn, required in ordered:
                for fmt in arn.split(", "):
                    spec = resource_vars(type_name, fmt, members, aliases,
                                          var_members.get(prefix, {}))
                    if spec:
                        body.append(f"R\t{host}\t{op}\t{type_name}\t{' '.join(spec)}")
                        stats["resource lines"] += 1
                        break
    for n, action, key, param in sorted(keys, key=lambda k: k[1:]):
        body.append(f"K\t{known(action, f'{OVERRIDES}:{n}')}\t{key}\t{param}")
        stats["condition key lines"] += 1
    for host, event, reason in sorted(skips):
        body.append(f"S\t{host}\t{event}\t{reason}")
        stats["skips"] += 1
    for a in sorted(allow.values()):
        body.append(f"X\t{a}")
        stats["allowed"] += 1
    # K and X lines after the H lines; then each host's A, V, R and S lines together,
    # by host and event name (the reader parses one host's lines when it meets the host).
    order = {"A": 0, "V": 1, "R": 2, "S": 3}
    body = ([l for l in body if l[0] in "KX"]
            + sorted((l for l in body if l[0] in order),
                     key=lambda l: (l.split("\t")[1], l.split("\t")[2], order[l[0]])))
    for line in lines + body:
        if not line.isascii() or "\r" in line or "\n" in line:
            raise DataError(f"not one line of ASCII: {line!r}")
    return "\n".join(lines + body) + "\n", stats


def notice_section(package_dir):
    """The NOTICE section for the map, with botocore's own NOTICE text."""
    dist = package_dir.parent / f"botocore-{BOTOCORE_VERSION}.dist-info"
    notice = None
    for candidate in (dist / "NOTICE", dist / "licenses" / "NOTICE"):
        if candidate.is_file():
            notice = candidate.read_text(encoding="utf-8")
    if notice is None:
        raise DataError(f"no NOTICE in {dist}")
    return (
        NOTICE_HEAD
        + "-------------------------------------\n"
        f"Generated by scripts/gen-cloudtrail-map.py from the service models of the Python\n"
        f"package botocore {BOTOCORE_VERSION} (https://github.com/boto/botocore), licensed under\n"
        "the Apache License, Version 2.0 (see LICENSE-APACHE). Only names are kept: endpoint\n"
        "prefixes and signing names, operation names, input member names, HTTP methods and\n"
        "request paths. botocore's NOTICE begins (the rest is about the code it vendors,\n"
        "none of which iamtrace uses):\n"
        "\n"
        + notice.split("\n----", 1)[0].rstrip("\n")
        + "\n"
    )


def notice_with(section):
    """assets/NOTICE with this script's section replaced (or added at the end)."""
    text = (REPO / NOTICE).read_text(encoding="utf-8")
    at = text.find("\n" + NOTICE_HEAD)
    head = text if at < 0 else text[:at + 1]
    # Sections after this one (scripts/gen-managed-policies.py's) are kept.
    later = text.find("\nassets/managed/policies.tsv.gz\n", at + 1) if at >= 0 else -1
    tail = "" if later < 0 else "\n" + text[later + 1:]
    return head.rstrip("\n") + "\n\n" + section + tail


def gzip_bytes(text):
    """Deterministic gzip: no file name, mtime 0, maximum compression."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(text.encode("ascii"))
    return buf.getvalue()


def generate(package_dir, out_dir, verb):
    version_file = package_dir / "__init__.py"
    if f"__version__ = '{BOTOCORE_VERSION}'" not in version_file.read_text(encoding="utf-8"):
        raise DataError(f"botocore at {package_dir} is not version {BOTOCORE_VERSION}")
    models = latest_models(package_dir)
    text, stats = build(models, read_catalog(), read_overrides())
    files = {
        OUTPUT: gzip_bytes(text),
        NOTICE: notice_with(notice_section(package_dir)).encode("utf-8"),
    }
    summary = [f"botocore {BOTOCORE_VERSION}: {len(models)} service models",
               ", ".join(f"{n} {k}" for k, n in stats.items()),
               f"map text {len(text.encode())} bytes before compression"]
    for rel, content in files.items():
        path = Path(out_dir) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        digest = hashlib.sha256(content).hexdigest()[:16]
        summary.append(f"{verb} {rel}: {len(content)} bytes, sha256 {digest}…")
    return summary


def check(out_dir):
    """Compare the regenerated files with the committed ones; True when identical."""
    same = True
    for rel in (OUTPUT, NOTICE):
        new = (Path(out_dir) / rel).read_bytes()
        path = REPO / rel
        old = path.read_bytes() if path.exists() else None
        if old == new:
            print(f"identical: {rel}")
            continue
        same = False
        if old is None:
            print(f"MISSING:   {rel}")
        elif rel.endswith(".gz") and gzip.decompress(old) == gzip.decompress(new):
            print(f"DIFFERS:   {rel} (same content, different compression: this "
                  f"Python's zlib is {__import__('zlib').ZLIB_RUNTIME_VERSION})")
        else:
            print(f"DIFFERS:   {rel}")
    return same


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate into a temporary folder and compare with the "
                             "committed files; exit 1 when they differ")
    parser.add_argument("--botocore", metavar="DIR", type=Path,
                        help="an installed botocore package folder to use instead of "
                             "installing the pinned version into a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="iamtrace-ctmap-") as tmp:
        try:
            package_dir = args.botocore.resolve() if args.botocore else install_botocore(tmp)
        except (OSError, subprocess.CalledProcessError) as e:
            # Not a difference: the pinned package could not be fetched (no network).
            print(f"gen-cloudtrail-map: cannot install botocore=={BOTOCORE_VERSION}: {e}",
                  file=sys.stderr)
            return 3
        out_dir = Path(tmp) / "out" if args.check else REPO
        try:
            verb = "generated (in a temporary folder)" if args.check else "wrote"
            summary = generate(package_dir, out_dir, verb)
        except (DataError, OSError, KeyError, ValueError) as e:
            print(f"gen-cloudtrail-map: {e}", file=sys.stderr)
            return 2
        for line in summary:
            print(line)
        if args.check:
            if check(out_dir):
                print("check: the committed files are what this botocore version generates")
                return 0
            print("check: the committed files differ from what this botocore version "
                  "generates", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
