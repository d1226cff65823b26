#!/usr/bin/env bash
# The OCDS merge routine (crates/ocds) against the standard's reference implementation, ocdsmerge (Python), on the
# same record in the same run: the Rust benchmark builds the record, writes its releases (and its compiled and
# versioned releases) to a folder and measures itself; then ocdsmerge merges the very same file for as long, its
# results are checked against Rust's, and both rates and their ratio are printed. Rust's compiled release is
# measured as the server makes it, as JSON bytes; ocdsmerge's only as Python objects, which favours Python.
#
#   bench/ocds-merge.sh
#
# Environment: OCDS_MERGE_SECONDS (5: how long each measurement runs), OCDS_MERGE_VENV (target/ocds-merge-venv:
# the virtualenv, created on first use and reused), CARGO_TARGET_DIR.
set -euo pipefail

OCDSMERGE_VERSION=0.8.0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=${OCDS_MERGE_VENV:-$TARGET/ocds-merge-venv}
SECONDS_EACH=${OCDS_MERGE_SECONDS:-5}
OUT=$TARGET/ocds-merge-bench
cd "$ROOT"

if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('ocdsmerge') != '$OCDSMERGE_VERSION')" 2>/dev/null; then
    echo "Installing ocdsmerge $OCDSMERGE_VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "ocdsmerge==$OCDSMERGE_VERSION"
fi

mkdir -p "$OUT"
OCDS_MERGE_BENCH_DIR=$OUT OCDS_MERGE_SECONDS=$SECONDS_EACH cargo bench -p shanzhi-ocds --bench merge | tee "$OUT/rust.txt"

# The vendored 1.1.5 schema, so that ocdsmerge reads its rules from the same file as Rust (with no schema,
# `ocdsmerge.Merger()` downloads the latest release schema, which is 1.1.5 too).
"$VENV/bin/python" - "$OUT" "$SECONDS_EACH" crates/ocds/schema/release-schema.json <<'PYTHON'
import json
import re
import sys
import time

import ocdsmerge

out, seconds, schema = sys.argv[1], float(sys.argv[2]), sys.argv[3]
with open(f"{out}/releases.json") as f:
    releases = json.load(f)
merger = ocdsmerge.Merger(schema)


def rate(merge):
    merge(releases)  # warm-up
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        merge(releases)
        count += 1
    return count, count / (time.perf_counter() - start)


rust = open(f"{out}/rust.txt").read()
for kind, merge, key in [
    ("compiled", merger.create_compiled_release, "rust_compiles_per_second"),
    ("versioned", merger.create_versioned_release, "rust_versioned_per_second"),
]:
    # The compiled release is Rust's JSON bytes (keys sorted); parsed, it compares with ocdsmerge's objects.
    with open(f"{out}/{kind}.json") as f:
        same = merge(releases) == json.load(f)
    count, python = rate(merge)
    rust_rate = float(re.search(rf"^{key}=(\d+)", rust, re.M).group(1))
    print(f"python {kind}: {count} merges in {seconds:g} s, {python:.0f}/s, {1e6 / python:.0f} µs each; "
          f"result identical to Rust's: {'yes' if same else 'NO'}")
    print(f"{kind}: Rust {rust_rate:.0f}/s, Python {python:.0f}/s, Rust is {rust_rate / python:.1f}x Python")
    if not same:
        sys.exit(1)
PYTHON
