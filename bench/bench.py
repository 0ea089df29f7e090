#!/usr/bin/env python3
"""clefc benchmark harness (run through bench/run.sh). Standard library only.

1. Compile time: for each size N, generate a program with gen_program.py,
   build it with `clefc build --timings` RUNS times and report the median time
   of every stage, of "to object" (all stages before link, summed per run), of
   link, and of the whole clefc process (wall clock).
2. Run time: build every kernel in kernels/ with clefc and with gcc -O2, check
   that both print the same thing, then run them alternately (clefc, gcc,
   clefc, gcc, ...) KERNEL_RUNS times each and report median seconds and the
   ratio clefc/gcc.

Prints markdown to stdout; progress goes to stderr.

Environment: CLEFC (default target/release/clefc), CC (default gcc),
SIZES (default "1000 10000 100000"), BUILD_RUNS (default 3),
KERNEL_RUNS (default 5), KEEP (a directory to keep build products in).
"""

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLEFC = os.environ.get("CLEFC", os.path.join(ROOT, "target", "release", "clefc"))
CC = os.environ.get("CC", "gcc")
SIZES = [int(s) for s in os.environ.get("SIZES", "1000 10000 100000").split()]
BUILD_RUNS = int(os.environ.get("BUILD_RUNS", "3"))
KERNEL_RUNS = int(os.environ.get("KERNEL_RUNS", "5"))
STAGES = ["lex+layout", "parse", "psg", "passes", "cranelift"]
TIMING_RE = re.compile(r"^\s*([\w+-]+):\s+([0-9.]+) ms\s*$")


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True).stdout.strip()
    except OSError:
        return ""


def machine():
    model = sh("lscpu | grep 'Model name' | sed 's/Model name: *//'") or platform.processor()
    gcc = sh("%s --version | head -1" % CC)
    clefc = sh("%s --version" % CLEFC)
    return [
        "- CPU: %s, `nproc` = %s" % (model, sh("nproc")),
        "- OS: %s %s" % (platform.system(), platform.release()),
        "- C compiler: %s" % gcc,
        "- clefc: %s (`%s`)" % (clefc, os.path.relpath(CLEFC, ROOT) if CLEFC.startswith(ROOT) else CLEFC),
    ]


def fmt_ms(x):
    return "%.1f" % x if x >= 10 else "%.2f" % x


# ---------------------------------------------------------------- compile time
def build_timings(src, exe):
    t0 = time.perf_counter()
    p = run([CLEFC, "build", src, "-o", exe, "--timings"])
    wall = (time.perf_counter() - t0) * 1e3
    if p.returncode != 0:
        raise RuntimeError("clefc build %s failed (exit %d):\n%s" % (src, p.returncode, p.stderr[-4000:]))
    stages = {}
    for line in p.stderr.splitlines():
        m = TIMING_RE.match(line)
        if m:
            stages[m.group(1)] = float(m.group(2))
    missing = [s for s in STAGES + ["link"] if s not in stages]
    if missing:
        raise RuntimeError("no timing for %s in clefc output:\n%s" % (missing, p.stderr))
    stages["to object"] = sum(stages[s] for s in STAGES)
    stages["total"] = stages["to object"] + stages["link"]
    stages["wall"] = wall
    return stages


def compile_time(work):
    rows = []
    for n in SIZES:
        src = os.path.join(work, "gen%d.clef" % n)
        exe = os.path.join(work, "gen%d" % n)
        p = run([sys.executable, os.path.join(HERE, "gen_program.py"), str(n), src])
        if p.returncode != 0:
            raise RuntimeError("gen_program.py failed:\n" + p.stderr)
        with open(src) as f:
            lines = sum(1 for _ in f)
        log("compile time: %d lines (%d runs)" % (lines, BUILD_RUNS))
        runs = [build_timings(src, exe) for _ in range(BUILD_RUNS)]
        # sanity: the generated program runs
        p = run([exe], timeout=60)
        if p.returncode != 0:
            log("warning: generated program %s exited with %d" % (exe, p.returncode))
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        rows.append((lines, med))
    out = ["| lines | " + " | ".join(STAGES) + " | **to object** | link | total (stages) | clefc wall |"
           + " µs/line to object |",
           "|" + "---:|" * (len(STAGES) + 6)]
    for lines, med in rows:
        cells = [str(lines)] + [fmt_ms(med[s]) for s in STAGES]
        cells += ["**%s**" % fmt_ms(med["to object"]), fmt_ms(med["link"]), fmt_ms(med["total"]),
                  fmt_ms(med["wall"]), "%.1f" % (med["to object"] * 1e3 / lines)]
        out.append("| " + " | ".join(cells) + " |")
    if len(rows) >= 2:
        keys = STAGES + ["to object"]
        out += ["", "Scaling: time ratio divided by line ratio between consecutive sizes "
                "(1.00 = linear, above 1 = superlinear).", "",
                "| sizes | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
        for (l0, m0), (l1, m1) in zip(rows, rows[1:]):
            cells = ["%.2f" % ((m1[k] / m0[k]) / (l1 / l0)) for k in keys]
            out.append("| %d → %d | %s |" % (l0, l1, " | ".join(cells)))
    return out, rows


# ---------------------------------------------------------------- run time
def timed(exe):
    t0 = time.perf_counter()
    p = run([exe])
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError("%s exited with %d: %s" % (exe, p.returncode, p.stderr[-2000:]))
    return dt, p.stdout


def kernels(work):
    kdir = os.path.join(HERE, "kernels")
    names = sorted(f[:-5] for f in os.listdir(kdir) if f.endswith(".clef")
                   and os.path.exists(os.path.join(kdir, f[:-5] + ".c")))
    rows = []
    for name in names:
        clef_exe = os.path.join(work, name + ".clef.exe")
        gcc_exe = os.path.join(work, name + ".gcc.exe")
        p = run([CLEFC, "build", os.path.join(kdir, name + ".clef"), "-o", clef_exe])
        if p.returncode != 0:
            raise RuntimeError("clefc build %s failed:\n%s" % (name, p.stderr[-4000:]))
        p = run([CC, "-O2", "-o", gcc_exe, os.path.join(kdir, name + ".c"), "-lm"])
        if p.returncode != 0:
            raise RuntimeError("%s -O2 %s failed:\n%s" % (CC, name, p.stderr[-4000:]))
        log("kernel %s: %d interleaved runs each" % (name, KERNEL_RUNS))
        tc, tg = [], []
        outs = set()
        for _ in range(KERNEL_RUNS):
            dt, o1 = timed(clef_exe)
            tc.append(dt)
            dt, o2 = timed(gcc_exe)
            tg.append(dt)
            if o1 != o2:
                raise RuntimeError("kernel %s: outputs differ\nclefc: %sgcc:   %s" % (name, o1, o2))
            outs.add(o1.strip())
        mc, mg = statistics.median(tc), statistics.median(tg)
        rows.append((name, " / ".join(sorted(outs)), mc, mg, mc / mg, min(tc), min(tg)))
    out = ["| kernel | output (identical) | clefc s | gcc -O2 s | **clefc/gcc** | fastest clefc s | fastest gcc s |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for name, o, mc, mg, ratio, fc, fg in rows:
        out.append("| %s | `%s` | %.3f | %.3f | **%.2f** | %.3f | %.3f |" % (name, o, mc, mg, ratio, fc, fg))
    return out, rows


def main():
    if not os.access(CLEFC, os.X_OK):
        sys.exit("clefc not found at %s (set CLEFC)" % CLEFC)
    if shutil.which(CC) is None:
        sys.exit("C compiler %s not found (set CC)" % CC)
    keep = os.environ.get("KEEP")
    work = keep or tempfile.mkdtemp(prefix="clef-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        ct, ct_rows = compile_time(work)
        kt, k_rows = kernels(work)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

    print("## Machine\n")
    print("\n".join(machine()))
    print()
    print("## Compile time (`clefc build --timings`, median of %d runs, milliseconds)\n" % BUILD_RUNS)
    print("\n".join(ct))
    print()
    print("## Run time (median of %d interleaved runs, seconds)\n" % KERNEL_RUNS)
    print("\n".join(kt))
    print()
    print("## Aims\n")
    ten_k = [med for lines, med in ct_rows if 5000 <= lines <= 20000]
    if ten_k:
        t = ten_k[0]["to object"]
        print("- 10k lines to an object file in under 500 ms: %.1f ms, %s" % (t, "met" if t < 500 else "NOT met"))
    if len(ct_rows) >= 2:
        per = ["%d lines: %.1f µs/line" % (lines, med["to object"] * 1e3 / lines) for lines, med in ct_rows]
        (l0, m0), (l1, m1) = ct_rows[-2], ct_rows[-1]
        growth = (m1["to object"] / m0["to object"]) / (l1 / l0)
        print("- linear growth of time to object: %s; from %d to %d lines the cost per line changes %.2fx"
              % ("; ".join(per), l0, l1, growth))
    per_k = ", ".join("%s %.2f" % (r[0], r[4]) for r in k_rows)
    worst = max((r[4] for r in k_rows), default=0)
    print("- kernels within 1.25x of gcc -O2 (clefc/gcc: %s): %s" % (per_k, "met" if worst <= 1.25 else "NOT met"))


if __name__ == "__main__":
    main()
