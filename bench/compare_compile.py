#!/usr/bin/env python3
"""Compile time and peak memory of two clefc binaries side by side.

    python3 bench/compare_compile.py BASE_CLEFC NEW_CLEFC [SIZES...]

Generates the plain program of the compile-time table (gen_program.py) at
each size (default 1000 10000 100000 lines), builds it with each compiler
RUNS times (default 3), interleaved (base, new, base, new, …) so that a
busy machine slows both alike, and prints per-stage medians, the new/base
ratio of each, and the peak RSS of the build (ru_maxrss from wait4, the
clefc process alone). Both builds must print the same program output.

With GCC_TWIN=1 in the environment it also writes the C twin of each
program (gen_program.py --c) and times gcc on it, RUNS times interleaved
with the clefc builds: `gcc -O0 -fwrapv -w -c twin.c -o twin.o` (to an
object, against clefc's "to object", the sum of the stages before link)
and `gcc -O0 -fwrapv -w twin.c -o twin -lm` (end to end, against the wall
time of a whole `clefc build`, which then gets a "build" column: the
timed run is the one without --timings that also measures the peak RSS).
gcc's times are wall times of the whole command, so they include process
start-up, which clefc's stage sums do not. It adds a `gcc -O0` row and
base/gcc and new/gcc ratio rows, and checks that the twin prints the same
output as the clefc programs. CC overrides the C compiler (default gcc)."""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TIMING_RE = re.compile(r"^\s*([\w+-]+):\s+([0-9.]+) ms\s*$")
STAGES = ["lex+layout", "parse", "psg", "passes", "placement", "coherency", "mir", "optimise", "cranelift", "link"]
RUNS = int(os.environ.get("RUNS", "3"))
GCC_TWIN = os.environ.get("GCC_TWIN", "") not in ("", "0")
CC = os.environ.get("CC", "gcc")


def build(clefc, src, exe):
    p = subprocess.Popen([clefc, "build", src, "-o", exe, "--timings"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate()
    if p.returncode != 0:
        sys.exit("%s build %s failed:\n%s" % (clefc, src, err[-3000:]))
    stages = {}
    for line in err.splitlines():
        m = TIMING_RE.match(line)
        if m:
            stages[m.group(1)] = float(m.group(2))
    stages["to object"] = sum(v for k, v in stages.items() if k != "link")
    return stages


def peak_rss_kib(clefc, src, exe):
    """Peak RSS (KiB) and wall time (ms) of a plain `clefc build`."""
    t0 = time.perf_counter()
    p = subprocess.Popen([clefc, "build", src, "-o", exe],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("%s build %s failed" % (clefc, src))
    return usage.ru_maxrss, wall


def gcc_ms(args):
    """Wall time (ms) of one C compiler command."""
    t0 = time.perf_counter()
    p = subprocess.run([CC, "-O0", "-fwrapv", "-w"] + args, capture_output=True, text=True)
    wall = (time.perf_counter() - t0) * 1000
    if p.returncode != 0:
        sys.exit("%s %s failed:\n%s" % (CC, " ".join(args), p.stderr[-3000:]))
    return wall


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    base, new = sys.argv[1], sys.argv[2]
    sizes = [int(s) for s in sys.argv[3:]] or [1000, 10000, 100000]
    work = tempfile.mkdtemp(prefix="clefc-compare-")
    keys = STAGES + ["to object"] + (["build"] if GCC_TWIN else [])
    print("| lines | compiler | " + " | ".join(keys) + " | peak RSS (MiB) |")
    print("|---:|---|" + "---:|" * (len(keys) + 1))
    for n in sizes:
        src = os.path.join(work, "gen%d.clef" % n)
        twin = os.path.join(work, "twin%d.c" % n)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_program.py"), str(n), src]
                       + (["--c", twin] if GCC_TWIN else []), check=True)
        with open(src) as f:
            lines = sum(1 for _ in f)
        runs = {"base": [], "new": []}
        rss = {"base": [], "new": []}
        gcc = []
        outputs = {}
        for _ in range(RUNS):
            for name, clefc in (("base", base), ("new", new)):
                exe = os.path.join(work, "%s%d" % (name, n))
                runs[name].append(build(clefc, src, exe))
                kib, wall = peak_rss_kib(clefc, src, exe)
                rss[name].append(kib)
                runs[name][-1]["build"] = wall
                outputs[name] = subprocess.run([exe], capture_output=True, timeout=120).stdout
            if GCC_TWIN:
                exe = os.path.join(work, "twin%d" % n)
                gcc.append({"to object": gcc_ms(["-c", twin, "-o", exe + ".o"]),
                            "build": gcc_ms([twin, "-o", exe, "-lm"])})
                outputs["gcc"] = subprocess.run([exe], capture_output=True, timeout=120).stdout
        if outputs["base"] != outputs["new"]:
            sys.exit("the two compilers' programs print different output at %d lines" % lines)
        if GCC_TWIN:
            if outputs["gcc"] != outputs["base"]:
                sys.exit("the C twin prints different output from the Clef program at %d lines" % lines)
            runs["gcc"] = gcc
        med = {name: {k: statistics.median(r.get(k, 0.0) for r in rs) for k in keys}
               for name, rs in runs.items()}
        for name in ("base", "new"):
            cells = ["%.1f" % med[name][k] for k in keys]
            print("| %d | %s | %s | %.0f |" % (lines, name, " | ".join(cells),
                                                 statistics.median(rss[name]) / 1024))
        ratios = ["%.2f" % (med["new"][k] / med["base"][k]) if med["base"][k] > 0 else "–" for k in keys]
        print("| %d | new/base | %s | %.2f |" % (lines, " | ".join(ratios),
                                                  statistics.median(rss["new"]) / statistics.median(rss["base"])))
        if GCC_TWIN:
            cells = ["%.1f" % med["gcc"][k] if k in gcc[0] else "–" for k in keys]
            print("| %d | %s -O0 | %s | – |" % (lines, CC, " | ".join(cells)))
            for name in ("base", "new"):
                ratios = ["%.2f" % (med[name][k] / med["gcc"][k]) if k in gcc[0] else "–" for k in keys]
                print("| %d | %s/%s | %s | – |" % (lines, name, CC, " | ".join(ratios)))


if __name__ == "__main__":
    main()
