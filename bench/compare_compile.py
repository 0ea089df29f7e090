#!/usr/bin/env python3
"""Compile time and peak memory of two clefc binaries side by side.

    python3 bench/compare_compile.py BASE_CLEFC NEW_CLEFC [SIZES...]

Generates the plain program of the compile-time table (gen_program.py) at
each size (default 1000 10000 100000 lines), builds it with each compiler
RUNS times (default 3), interleaved (base, new, base, new, …) so that a
busy machine slows both alike, and prints per-stage medians, the new/base
ratio of each, and the peak RSS of the build (ru_maxrss from wait4, the
clefc process alone). Both builds must print the same program output."""
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TIMING_RE = re.compile(r"^\s*([\w+-]+):\s+([0-9.]+) ms\s*$")
STAGES = ["lex+layout", "parse", "psg", "passes", "placement", "coherency", "mir", "optimise", "cranelift", "link"]
RUNS = int(os.environ.get("RUNS", "3"))


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
    p = subprocess.Popen([clefc, "build", src, "-o", exe],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("%s build %s failed" % (clefc, src))
    return usage.ru_maxrss


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    base, new = sys.argv[1], sys.argv[2]
    sizes = [int(s) for s in sys.argv[3:]] or [1000, 10000, 100000]
    work = tempfile.mkdtemp(prefix="clefc-compare-")
    keys = STAGES + ["to object"]
    print("| lines | compiler | " + " | ".join(keys) + " | peak RSS (MiB) |")
    print("|---:|---|" + "---:|" * (len(keys) + 1))
    for n in sizes:
        src = os.path.join(work, "gen%d.clef" % n)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_program.py"), str(n), src], check=True)
        with open(src) as f:
            lines = sum(1 for _ in f)
        runs = {"base": [], "new": []}
        rss = {"base": [], "new": []}
        outputs = {}
        for _ in range(RUNS):
            for name, clefc in (("base", base), ("new", new)):
                exe = os.path.join(work, "%s%d" % (name, n))
                runs[name].append(build(clefc, src, exe))
                rss[name].append(peak_rss_kib(clefc, src, exe))
                outputs[name] = subprocess.run([exe], capture_output=True, timeout=120).stdout
        if outputs["base"] != outputs["new"]:
            sys.exit("the two compilers' programs print different output at %d lines" % lines)
        med = {name: {k: statistics.median(r.get(k, 0.0) for r in rs) for k in keys}
               for name, rs in runs.items()}
        for name in ("base", "new"):
            cells = ["%.1f" % med[name][k] for k in keys]
            print("| %d | %s | %s | %.0f |" % (lines, name, " | ".join(cells),
                                                 statistics.median(rss[name]) / 1024))
        ratios = ["%.2f" % (med["new"][k] / med["base"][k]) if med["base"][k] > 0 else "–" for k in keys]
        print("| %d | new/base | %s | %.2f |" % (lines, " | ".join(ratios),
                                                  statistics.median(rss["new"]) / statistics.median(rss["base"])))


if __name__ == "__main__":
    main()
