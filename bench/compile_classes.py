#!/usr/bin/env python3
"""Compile time of programs that use classes, members, list expressions
and exceptions (bench/gen_classes.py), at several sizes, to an object file
(the sum of clefc's stages before linking, from `--timings`); each built
program is run and its output checked against the generator's own
computation of what F# prints.

Usage: bench/compile_classes.py        (SIZES="2500 5000 10000" by default)
"""

import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the shared build_timings, CLEFC and STAGES)

SIZES = [int(s) for s in os.environ.get("SIZES", "2500 5000 10000").split()]


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for n in SIZES:
            src = os.path.join(work, "classes%d.clef" % n)
            exe = os.path.join(work, "classes%d" % n)
            gen = subprocess.run(
                [sys.executable, os.path.join(bench.HERE, "gen_classes.py"), str(n), src],
                capture_output=True, text=True, check=True)
            want = gen.stdout.strip()
            with open(src) as f:
                lines = sum(1 for _ in f)
            runs = [bench.build_timings(src, exe) for _ in range(bench.BUILD_RUNS)]
            got = subprocess.run([exe], capture_output=True, text=True).stdout.strip()
            if got != want:
                raise SystemExit("classes%d printed %s, expected %s" % (n, got, want))
            med = statistics.median(r["to object"] for r in runs)
            rows.append((lines, med))
    print("| lines | to object (ms) | µs/line |")
    print("|---:|---:|---:|")
    for lines, ms in rows:
        print("| %d | %.1f | %.1f |" % (lines, ms, ms * 1e3 / lines))
    for (l0, m0), (l1, m1) in zip(rows, rows[1:]):
        print("scaling %d → %d: %.2f (1.00 = linear)" % (l0, l1, (m1 / m0) / (l1 / l0)))


if __name__ == "__main__":
    main()
