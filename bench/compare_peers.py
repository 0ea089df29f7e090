#!/usr/bin/env python3
"""Run time and peak memory of the benchmark programs, side by side in one
run: clefc with the MIR optimisations off (-O0) and on (-O1, the default),
the C twin (gcc -O2) and the OCaml twin (ocamlopt -O3 where flambda has it,
else ocamlopt) where they exist. Runs are interleaved (each round runs every
build once), so a busy machine slows all alike; the figures are medians of
RUNS (default 5) wall-clock times and of peak RSS (ru_maxrss). Every build
of a program must print the same.

    python3 bench/compare_peers.py [CLEFC] [PROGRAM...]

PROGRAM is a path without extension (bench/game/nbody); default all of
bench/alloc, bench/kernels and bench/game."""
import glob, os, shutil, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]
clefc = args.pop(0) if args and not args[0].startswith("bench/") else os.path.join(root, "target/release/clefc")
runs = int(os.environ.get("RUNS", "5"))
programs = args or sorted(p[:-5] for d in ("alloc", "kernels", "game") for p in glob.glob(os.path.join(root, "bench", d, "*.clef")))


def stack_256m():
    # Clef programs run their main thread on a 256 MiB stack; the peers get
    # the same (OCaml 4's List.map is not tail-recursive).
    import resource
    resource.setrlimit(resource.RLIMIT_STACK, (256 << 20, 256 << 20))


def timed(cmd):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=stack_256m)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd[0]} failed")
    return time.perf_counter() - t, usage.ru_maxrss / 1024, out


def ocaml(src, exe):
    for flags in (["-O3", "-unboxed-types"], ["-O3"], []):
        r = subprocess.run(["ocamlopt", *flags, src, "-o", exe], capture_output=True, cwd=os.path.dirname(exe))
        if r.returncode == 0:
            return True
    return False


with tempfile.TemporaryDirectory() as tmp:
    print("| program | -O0 (s) | -O1 (s) | gcc -O2 (s) | ocamlopt (s) | -O1/-O0 | -O1/gcc | -O1/OCaml | peak RSS MiB (-O1 / gcc / OCaml) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for p in programs:
        p = os.path.join(root, p) if not os.path.isabs(p) else p
        name = os.path.basename(p)
        exes = {}
        for level in ("0", "1"):
            exe = os.path.join(tmp, f"{name}.O{level}")
            subprocess.run([clefc, "build", f"-O{level}", p + ".clef", "-o", exe], check=True)
            exes["O" + level] = exe
        if os.path.exists(p + ".c"):
            exes["gcc"] = os.path.join(tmp, f"{name}.gcc")
            subprocess.run(["gcc", "-O2", p + ".c", "-o", exes["gcc"], "-lm"], check=True)
        if os.path.exists(p + ".ml"):
            src = os.path.join(tmp, name + ".ml")
            shutil.copy(p + ".ml", src)
            if ocaml(src, os.path.join(tmp, f"{name}.ocaml")):
                exes["ocaml"] = os.path.join(tmp, f"{name}.ocaml")
        times = {k: [] for k in exes}
        rss = {k: [] for k in exes}
        outs = {}
        for _ in range(runs):
            for k, exe in exes.items():
                t, m, out = timed([exe])
                times[k].append(t)
                rss[k].append(m)
                outs[k] = out
        first = outs["O1"]
        for k, out in outs.items():
            if out != first:
                sys.exit(f"{name}: {k} prints differently from -O1:\n{out[:200]!r}\n{first[:200]!r}")
        med = {k: statistics.median(v) for k, v in times.items()}
        mem = {k: statistics.median(v) for k, v in rss.items()}
        cell = lambda k: f"{med[k]:.3f}" if k in med else "–"
        ratio = lambda k: f"{med['O1'] / med[k]:.2f}" if k in med else "–"
        mems = " / ".join(f"{mem[k]:.0f}" if k in mem else "–" for k in ("O1", "gcc", "ocaml"))
        print(f"| {name} | {cell('O0')} | {cell('O1')} | {cell('gcc')} | {cell('ocaml')} | {ratio('O0')} | {ratio('gcc')} | {ratio('ocaml')} | {mems} |", flush=True)
