#!/usr/bin/env python3
"""Regenerates the typed API into a temporary directory and compares it with the committed files.

Exit 0: identical; 1: differences (listed); 77: skipped (the OpenAPI files are not available).
"""

import filecmp
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402


def main():
    shared = os.environ.get("INTERCOM_SHARED_DIR") or os.path.join(generate.REPO, "..", "shared")
    spec_dir = os.path.join(shared, "openapi")
    if not os.path.isfile(os.path.join(spec_dir, "intercom-2.11.yaml")):
        print("SKIPPED: OpenAPI descriptions not found under %s (set INTERCOM_SHARED_DIR)" % spec_dir)
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        _, files = generate.generate(spec_dir, tmp)
        bad = []
        for rel in files:
            mine = os.path.join(generate.REPO, rel)
            if not os.path.exists(mine) or not filecmp.cmp(mine, os.path.join(tmp, rel), shallow=False):
                bad.append(rel)
        listed = os.path.join(generate.REPO, "tools", "codegen", "generated_files.txt")
        with open(listed) as f:
            committed = sorted(l.strip() for l in f if l.strip())
        if committed != sorted(files):
            bad.append("tools/codegen/generated_files.txt (file list differs)")
    if bad:
        print("generated output differs from the committed files; run python3 tools/codegen/generate.py:")
        for b in bad:
            print("  " + b)
        return 1
    print("OK: %d generated files match" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
