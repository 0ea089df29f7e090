#!/usr/bin/env python3
"""Write a buffer-heavy Clef program of about N lines (deterministic).

    gen_buffers.py N OUT.clef

Every 8 lines, a function allocates two buffers with `use`: one whose
space is left to inference (`allocateAuto`, sized by its argument) and one
in `cxl_mem` of a constant size, writes and reads them. So there are about
N/4 allocation sites for residency inference and the placement pass. A
`main` calls two of the functions and prints.
"""

import sys


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    lines = ["module Buffers", ""]
    i = 0
    while len(lines) < n - 6:
        lines += [
            "let f%d (n: int) =" % i,
            "    use b = BAREWire.allocateAuto<float> (n + %d)" % i,
            "    use c = BAREWire.allocate<int64, cxl_mem> %d" % (1024 * (i % 7 + 1)),
            "    b.[0] <- float n",
            "    c.[0] <- int64 n",
            "    b.[0] + float c.[0]",
            "",
            "",
        ]
        i += 1
    lines += ["[<EntryPoint>]", "let main argv =", '    printfn "%f" (f0 3 + f1 4)', "    0"]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
