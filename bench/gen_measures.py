#!/usr/bin/env python3
"""Write a measure-heavy Clef program of about N lines (deterministic).

    gen_measures.py N OUT.clef

It declares base measures and abbreviations, two measure-generic helpers,
then functions over pairs of measures whose bodies multiply, divide, add
and compare measured floats and call the generic helpers and each other,
plus measure-generic functions in two variables. Every function is
well-typed, so the program type-checks, builds and runs (a `main` calls a
sample and prints). Used by bench.py's `measures` part: how type checking
with units of measure scales.
"""

import sys

BASES = ["m", "s", "kg", "A", "K", "mol", "cd", "px"]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    lines = ["module Measures", ""]
    for b in BASES:
        lines.append("[<Measure>] type %s" % b)
    lines += [
        "[<Measure>] type N = kg m / s^2",
        "[<Measure>] type J = N m",
        "[<Measure>] type W = J / s",
        "",
        "let sq (x: float<'u>) = x * x",
        "let half (x: float<'u>) = x / 2.0",
        "",
    ]
    i = 0
    while len(lines) < n - 12:
        p = BASES[i % len(BASES)]
        q = BASES[(i * 3 + 1) % len(BASES)]
        if q == p:
            q = BASES[(i + 1) % len(BASES)]
        lines += [
            "let f%d (a: float<%s>) (b: float<%s>) : float<%s/%s> =" % (i, p, q, p, q),
            "    let r = a / b",
            "    let s2 = sq r",
            "    let back = s2 / r",
            "    let t = half (back + r) * (b / b)",
            "    if a > 0.0<%s> then t + r else t - r" % p,
            "let g%d (x: float<'u>) (y: float<'v>) = (x * y) / y + half x" % i,
            "let h%d (a: float<%s>) = g%d (f%d a 2.0<%s>) 3.0<W>" % (i, p, i, i, q),
            "",
        ]
        i += 1
    lines += ["[<EntryPoint>]", "let main argv ="]
    for k in range(min(i, 8)):
        p = BASES[k % len(BASES)]
        lines.append('    printfn "%%.3f" (float (h%d 4.0<%s>))' % (k, p))
    lines.append("    0")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
