#!/usr/bin/env python3
"""Generate a valid Clef program of about N lines that uses classes,
members, unions with members, list expressions and exceptions, for the
compile-time benchmark (issue 14).

Usage: bench/gen_classes.py N OUT.clef

Each block declares an exception, a class with `let mutable` state, a
private `let` function, members and a static factory, a union with a
member, and a function that fills an object from a list expression inside
`try … with`. The program's last lines print a checksum of every block's
result; `bench/gen_classes.py` also prints the checksum F# would print, so
a run can be checked against it.
"""

import sys

BLOCK = """\
exception E{i} of int

type Acc{i}(start: int) =
    let mutable total = start
    let mutable items = []
    let bump k = total <- total + k
    member this.Add(x: int) =
        bump x
        items <- x :: items
    member this.Total = total
    member this.Count = List.length items
    static member Make(n) = Acc{i}(n)

type Shape{i} =
    | Circle{i} of float
    | Rect{i} of float * float
    member this.Area =
        match this with
        | Circle{i} r -> 3.0 * r * r
        | Rect{i} (w, h) -> w * h

let run{i} n =
    let a = Acc{i}.Make {start}
    for x in [ for k in 1 .. n do if k % 2 = 0 then yield k * {mult} ] do
        a.Add x
    let area = (Rect{i} (2.0, float n)).Area
    try
        if a.Total > {limit} then raise (E{i} a.Total)
        a.Total + a.Count + int area
    with
    | E{i} v -> v - 1
"""

BLOCK_LINES = BLOCK.count("\n") + 1


def expected(i: int, n: int) -> int:
    start, mult, limit = i % 7, i % 5 + 1, 40 + i % 50
    xs = [k * mult for k in range(1, n + 1) if k % 2 == 0]
    total = start + sum(xs)
    if total > limit:
        return total - 1
    return total + len(xs) + int(2.0 * n)


def main() -> None:
    lines, out = int(sys.argv[1]), sys.argv[2]
    blocks = max(1, lines // BLOCK_LINES)
    parts = ["module Generated\n"]
    for i in range(blocks):
        parts.append(BLOCK.format(i=i, start=i % 7, mult=i % 5 + 1, limit=40 + i % 50))
    parts.append("let mutable checksum = 0")
    for i in range(blocks):
        parts.append(f"checksum <- checksum + run{i} 10")
    parts.append('printfn "%d" checksum')
    with open(out, "w") as f:
        f.write("\n".join(parts) + "\n")
    print(sum(expected(i, 10) for i in range(blocks)))


if __name__ == "__main__":
    main()
