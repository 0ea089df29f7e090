#!/usr/bin/env python3
"""Run time of the benchmark programs built by one clefc with the MIR
optimisations off (-O0) and on (-O1), side by side in one run, with the
C twins (gcc -O2) where they exist. Runs are interleaved; the figure is
the median of RUNS (default 5) wall-clock times.

    python3 bench/compare_opt.py [CLEFC]
"""
import os, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
clefc = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "target/release/clefc")
runs = int(os.environ.get("RUNS", "5"))
programs = [f"bench/alloc/{p}" for p in ("list_pipeline", "record_updates", "closures")]
programs += [f"bench/kernels/{p}" for p in ("collatz", "integrate", "lcg")]


def timed(cmd):
    t = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    return time.perf_counter() - t, out


with tempfile.TemporaryDirectory() as tmp:
    print("| program | -O0 (s) | -O1 (s) | -O1/-O0 | gcc -O2 (s) | -O1/gcc |")
    print("|---|---|---|---|---|---|")
    for p in programs:
        name = os.path.basename(p)
        exes = {}
        for level in ("0", "1"):
            exe = os.path.join(tmp, f"{name}.O{level}")
            subprocess.run([clefc, "build", f"-O{level}", os.path.join(root, p + ".clef"), "-o", exe], check=True)
            exes[level] = [exe]
        c = os.path.join(root, p + ".c")
        if os.path.exists(c):
            exe = os.path.join(tmp, f"{name}.gcc")
            subprocess.run(["gcc", "-O2", c, "-o", exe, "-lm"], check=True)
            exes["gcc"] = [exe]
        times = {k: [] for k in exes}
        outs = {}
        for _ in range(runs):
            for k, cmd in exes.items():
                t, out = timed(cmd)
                times[k].append(t)
                outs[k] = out
        assert outs["0"] == outs["1"], f"{name}: -O0 and -O1 print differently"
        med = {k: statistics.median(v) for k, v in times.items()}
        g = med.get("gcc")
        gcc = f"{g:.3f}" if g else "-"
        ratio = f"{med['1'] / g:.2f}" if g else "-"
        print(f"| {name} | {med['0']:.3f} | {med['1']:.3f} | {med['1'] / med['0']:.2f} | {gcc} | {ratio} |", flush=True)
