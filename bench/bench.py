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

3. Allocation and closures: build every program in alloc/ with clefc and
   every Rust counterpart (alloc/NAME.rs, plus variants alloc/NAME.VARIANT.rs)
   with rustc -O, check that all print the same thing, run them alternately
   (clefc, rust, rust variant, clefc, ...) KERNEL_RUNS times each, and report
   median seconds, the ratio clefc/rust and the peak resident set size of
   each program.

4. Units of measure and buffers: for each size N, a measure-heavy program
   (gen_measures.py), a buffer-heavy one (gen_buffers.py, N/4 allocation
   sites) and a plain one (gen_program.py), each type-checked with
   `clefc build --emit types --timings` BUILD_RUNS times, interleaved, and
   the buffer-heavy one also built to an object (`--emit clif`) for
   `--platform datacenter-cxl2`; reports median `passes` times, their
   ratios to plain, and the placement pass's time and share of the build.

Prints markdown to stdout; progress goes to stderr.

Environment: CLEFC (default target/release/clefc), CC (default gcc),
RUSTC (default rustc), SIZES (default "1000 10000 100000"), BUILD_RUNS
(default 3), KERNEL_RUNS (default 5), KEEP (a directory to keep build
products in), ONLY (the parts to run, space- or comma-separated, from
"compile kernels alloc measures"; default all four).
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
RUSTC = os.environ.get("RUSTC", "rustc")
PARTS = ("compile", "kernels", "alloc", "measures")
ONLY = os.environ.get("ONLY", " ".join(PARTS)).replace(",", " ").split()
SIZES = [int(s) for s in os.environ.get("SIZES", "1000 10000 100000").split()]
MEASURE_SIZES = [int(s) for s in os.environ.get("MEASURE_SIZES", "1000 10000 20000").split()]
BUILD_RUNS = int(os.environ.get("BUILD_RUNS", "3"))
KERNEL_RUNS = int(os.environ.get("KERNEL_RUNS", "5"))
STAGES = ["lex+layout", "parse", "psg", "passes", "placement", "coherency", "cranelift"]
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
    clefc = sh("%s --version" % CLEFC)
    out = [
        "- CPU: %s, `nproc` = %s" % (model, sh("nproc")),
        "- OS: %s %s" % (platform.system(), platform.release()),
    ]
    if "kernels" in ONLY:
        out.append("- C compiler: %s" % sh("%s --version | head -1" % CC))
    if "alloc" in ONLY:
        out.append("- Rust compiler: %s" % sh("%s --version" % RUSTC))
    out.append("- clefc: %s (`%s`)" % (clefc, os.path.relpath(CLEFC, ROOT) if CLEFC.startswith(ROOT) else CLEFC))
    return out


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


# ---------------------------------------------------------------- allocation
GNU_TIME = "/usr/bin/time"


def peak_rss(exe):
    """(peak RSS of one run of exe in KiB, floor in KiB or None).

    With GNU time: `/usr/bin/time -f %M`, floor None. Otherwise ru_maxrss of the child
    from os.wait4 (resource usage of that one child). On Linux a child's
    ru_maxrss starts from the RSS of the process it was forked from and
    survives exec, so without GNU time (a small process) anything below this
    harness's own size (the "floor", measured on `true`) cannot be seen."""
    if os.access(GNU_TIME, os.X_OK):
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as f:
            p = run([GNU_TIME, "-f", "%M", "-o", f.name, exe])
            if p.returncode != 0:
                raise RuntimeError("%s exited with %d: %s" % (exe, p.returncode, p.stderr[-2000:]))
            return int(f.read().split()[-1]), None
    def wait4(cmd):
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("%s failed" % cmd[0])
        return usage.ru_maxrss
    return wait4([exe]), wait4([shutil.which("true") or "/bin/true"])


def fmt_rss(kib, floor):
    if floor is not None and kib <= floor * 1.05:
        return "≤ %.1f" % (floor / 1024)
    return "%.1f" % (kib / 1024)


def rust_variants(adir, name):
    """[(label, path)]: NAME.rs first (the idiomatic version), then NAME.VARIANT.rs."""
    found = [("rust", os.path.join(adir, name + ".rs"))] if os.path.exists(os.path.join(adir, name + ".rs")) else []
    for f in sorted(os.listdir(adir)):
        if f.startswith(name + ".") and f.endswith(".rs") and f.count(".") == 2:
            found.append(("rust " + f[len(name) + 1:-3], os.path.join(adir, f)))
    return found


def alloc(work):
    adir = os.path.join(HERE, "alloc")
    names = sorted(f[:-5] for f in os.listdir(adir) if f.endswith(".clef"))
    rows = []
    for name in names:
        variants = rust_variants(adir, name)
        if not variants:
            raise RuntimeError("alloc/%s.clef has no Rust counterpart alloc/%s.rs" % (name, name))
        clef_exe = os.path.join(work, name + ".alloc.clef.exe")
        p = run([CLEFC, "build", os.path.join(adir, name + ".clef"), "-o", clef_exe])
        if p.returncode != 0:
            raise RuntimeError("clefc build %s failed:\n%s" % (name, p.stderr[-4000:]))
        exes = []
        for label, src in variants:
            exe = os.path.join(work, os.path.basename(src)[:-3] + ".rust.exe")
            p = run([RUSTC, "-O", "--crate-name", "bench", "-o", exe, src])
            if p.returncode != 0:
                raise RuntimeError("%s -O %s failed:\n%s" % (RUSTC, src, p.stderr[-4000:]))
            exes.append((label, exe))
        log("alloc %s: %d interleaved runs each of clefc and %s" % (name, KERNEL_RUNS, ", ".join(l for l, _ in exes)))
        tc = []
        tr = {l: [] for l, _ in exes}
        outs = set()
        for _ in range(KERNEL_RUNS):
            dt, oc = timed(clef_exe)
            tc.append(dt)
            for label, exe in exes:
                dt, o = timed(exe)
                tr[label].append(dt)
                if o != oc:
                    raise RuntimeError("alloc %s: outputs differ\nclefc: %s%s: %s" % (name, oc, label, o))
            outs.add(oc.strip())
        # peak RSS: one more run of each, outside the timed runs (GNU time
        # would add a process start to every timing)
        mc = peak_rss(clef_exe)
        mr = {label: peak_rss(exe) for label, exe in exes}
        c = statistics.median(tc)
        for label, _ in exes:
            r = statistics.median(tr[label])
            rows.append(dict(name=name, label=label, out=" / ".join(sorted(outs)), clef=c, rust=r,
                             ratio=c / r, clef_min=min(tc), rust_min=min(tr[label]),
                             clef_rss=mc, rust_rss=mr[label]))
    out = ["| program | Rust version | output (identical) | clefc s | Rust s | **clefc/Rust** "
           "| clefc peak RSS MiB | Rust peak RSS MiB | fastest clefc s | fastest Rust s |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append("| %s | %s | `%s` | %.3f | %.3f | **%.2f** | %s | %s | %.3f | %.3f |"
                   % (r["name"], r["label"], r["out"], r["clef"], r["rust"], r["ratio"],
                      fmt_rss(*r["clef_rss"]), fmt_rss(*r["rust_rss"]), r["clef_min"], r["rust_min"]))
    return out, rows


# ---------------------------------------------------------------- measures
def stage_times(src, emit):
    p = run([CLEFC, "build", src, "--emit", emit, "--timings", "--platform", "datacenter-cxl2"])
    if p.returncode != 0:
        raise RuntimeError("clefc %s failed:\n%s" % (src, p.stderr[-4000:]))
    times = {}
    for line in p.stderr.splitlines():
        m = TIMING_RE.match(line)
        if m:
            times[m.group(1)] = float(m.group(2))
    return times


def measures(work):
    rows = []
    kinds = (("measures", "gen_measures.py"), ("buffers", "gen_buffers.py"), ("plain", "gen_program.py"))
    for n in MEASURE_SIZES:
        srcs = {}
        for kind, gen in kinds:
            src = os.path.join(work, "%s%d.clef" % (kind, n))
            p = run([sys.executable, os.path.join(HERE, gen), str(n), src])
            if p.returncode != 0:
                raise RuntimeError("%s failed:\n%s" % (gen, p.stderr))
            srcs[kind] = src
        log("measures and buffers: %d lines (%d runs)" % (n, BUILD_RUNS))
        check = {k: [] for k, _ in kinds}
        build = []
        for _ in range(BUILD_RUNS):
            for kind, _ in kinds:
                check[kind].append(stage_times(srcs[kind], "types")["passes"])
            build.append(stage_times(srcs["buffers"], "clif"))
        med = {k: statistics.median(v) for k, v in check.items()}
        to_object = statistics.median(sum(b[s] for s in STAGES) for b in build)
        placement = statistics.median(b["placement"] for b in build)
        rows.append((n, med, placement, to_object))
    out = ["| lines | type check: measure-heavy | buffer-heavy | plain | measure/plain | buffer/plain"
           " | buffer-heavy: placement pass | its share of the build to object |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, med, placement, to_object in rows:
        out.append("| %d | %s | %s | %s | %.2f | %.2f | %s | %.2f%% |" % (
            n, fmt_ms(med["measures"]), fmt_ms(med["buffers"]), fmt_ms(med["plain"]),
            med["measures"] / med["plain"], med["buffers"] / med["plain"],
            fmt_ms(placement), 100 * placement / to_object))
    return out, rows


def main():
    bad = [p for p in ONLY if p not in PARTS]
    if bad or not ONLY:
        sys.exit("ONLY=%r: expected some of %s" % (" ".join(ONLY), " ".join(PARTS)))
    if not os.access(CLEFC, os.X_OK):
        sys.exit("clefc not found at %s (set CLEFC)" % CLEFC)
    if "kernels" in ONLY and shutil.which(CC) is None:
        sys.exit("C compiler %s not found (set CC)" % CC)
    if "alloc" in ONLY and shutil.which(RUSTC) is None:
        sys.exit("Rust compiler %s not found (set RUSTC, or leave alloc out of ONLY)" % RUSTC)
    keep = os.environ.get("KEEP")
    work = keep or tempfile.mkdtemp(prefix="clef-bench-")
    os.makedirs(work, exist_ok=True)
    ct_rows = k_rows = a_rows = m_rows = None
    try:
        if "compile" in ONLY:
            ct, ct_rows = compile_time(work)
        if "kernels" in ONLY:
            kt, k_rows = kernels(work)
        if "alloc" in ONLY:
            at, a_rows = alloc(work)
        if "measures" in ONLY:
            mt, m_rows = measures(work)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

    print("## Machine\n")
    print("\n".join(machine()))
    print()
    if ct_rows is not None:
        print("## Compile time (`clefc build --timings`, median of %d runs, milliseconds)\n" % BUILD_RUNS)
        print("\n".join(ct))
        print()
    if m_rows is not None:
        print("## Type checking with units of measure and buffers, and the placement pass (median of %d interleaved runs, ms)\n" % BUILD_RUNS)
        print("\n".join(mt))
        print()
    if k_rows is not None:
        print("## Run time (median of %d interleaved runs, seconds)\n" % KERNEL_RUNS)
        print("\n".join(kt))
        print()
    if a_rows is not None:
        print("## Allocation and closures against Rust (median of %d interleaved runs, seconds; "
              "peak RSS from one more run of each)\n" % KERNEL_RUNS)
        print("\n".join(at))
        print()
    print("## Aims\n")
    if ct_rows:
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
    if k_rows:
        per_k = ", ".join("%s %.2f" % (r[0], r[4]) for r in k_rows)
        worst = max((r[4] for r in k_rows), default=0)
        print("- kernels within 1.25x of gcc -O2 (clefc/gcc: %s): %s" % (per_k, "met" if worst <= 1.25 else "NOT met"))
    if m_rows:
        ten_k = [med for n, med, _, _ in m_rows if n == 10000]
        if ten_k:
            t = ten_k[0]["measures"]
            print("- a 10k-line measure-heavy program type-checks in well under a second: %.1f ms, %s"
                  % (t, "met" if t < 500 else "NOT met"))
    if a_rows:
        idiomatic = [r for r in a_rows if r["label"] == "rust"]
        per_a = ", ".join("%s %.2f" % (r["name"], r["ratio"]) for r in idiomatic)
        worst = max((r["ratio"] for r in idiomatic), default=0)
        print("- allocation/closure programs within 2x of idiomatic Rust (clefc/rust: %s): %s"
              % (per_a, "met" if worst <= 2 else "NOT met"))
        others = [r for r in a_rows if r["label"] != "rust"]
        if others:
            print("  (other Rust versions, clefc/Rust: %s)"
                  % ", ".join("%s vs %s %.2f" % (r["name"], r["label"], r["ratio"]) for r in others))

if __name__ == "__main__":
    main()
