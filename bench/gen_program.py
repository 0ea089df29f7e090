#!/usr/bin/env python3
"""Generate a synthetic, valid Clef program of about N lines for compile-time benchmarks.

Usage: bench/gen_program.py N OUT.clef [--seed S]

The program is many top-level functions over int, int64, float and bool with
`let mutable` locals, `while` and `for i in a .. b do` loops, if/elif/else and
calls to earlier functions, followed by a `[<EntryPoint>] let main argv =` that
calls some of them and prints the results with printfn "%d".

It stays inside the subset clefc supports (F# semantics): every call passes all
arguments, no lambdas, partial application, match, arrays, lists, records or
tuples, and local functions only capture immutable values (parameters).

Runtime is kept small: integer division and remainder only by positive
literals, shifts by literals, loops run a bounded number of times, and each
function's estimated cost (including callees) is capped, so the generated
executable also runs quickly and deterministically.

Workaround (clefc layout bug, see docs/benchmarks.md): inside a `then` block,
an `if` that has `elif`/`else` branches and starts on its own line makes the
layout filter close the enclosing `then` block too, so valid code is rejected.
The generator writes such nested ifs on one line
(`if c then a <- x elif d then a <- y else a <- z`), which clefc handles.
"""

import random
import sys

TYPES = ["int", "int64", "float", "bool"]
IND = "    "
MAX_COST = 20000       # cap on estimated loop iterations per top-level call
CHEAP_IN_LOOP = 40     # callees cheaper than this may be called inside loops


class Scope:
    """Variables visible at a point, by type. Each entry: (name, mutable)."""

    def __init__(self, parent=None):
        self.parent = parent
        self.vars = []

    def add(self, name, ty, mutable=False):
        self.vars.append((name, ty, mutable))

    def all(self):
        out = list(self.parent.all()) if self.parent else []
        return out + self.vars

    def of_type(self, ty, mutable=None):
        return [n for (n, t, m) in self.all() if t == ty and (mutable is None or m == mutable)]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.funcs = []       # (name, [param types], ret type, cost)
        self.lines = []
        self.counter = 0

    # ---------- expressions ----------
    def lit(self, ty):
        r = self.r
        if ty == "int":
            return str(r.randint(0, 99))
        if ty == "int64":
            return "%dL" % r.randint(0, 9999)
        if ty == "float":
            return "%d.%d" % (r.randint(0, 20), r.randint(0, 99))
        return r.choice(["true", "false"])

    def atom(self, ty, sc):
        vs = sc.of_type(ty)
        if vs and self.r.random() < 0.75:
            return self.r.choice(vs)
        return self.lit(ty)

    def paren(self, e):
        if e.replace("_", "").replace(".", "").isalnum():
            return e
        return "(" + e + ")"

    def expr(self, ty, sc, depth=2):
        r = self.r
        if depth <= 0 or r.random() < 0.25:
            return self.atom(ty, sc)
        d = depth - 1
        if ty == "bool":
            k = r.random()
            if k < 0.55:
                t = r.choice(["int", "int64", "float"])
                op = r.choice(["<", ">", "<=", ">=", "=", "<>"])
                return "%s %s %s" % (self.paren(self.expr(t, sc, d)), op, self.paren(self.expr(t, sc, d)))
            if k < 0.85:
                op = r.choice(["&&", "||"])
                return "%s %s %s" % (self.paren(self.expr("bool", sc, d)), op, self.paren(self.expr("bool", sc, d)))
            return "not %s" % self.paren(self.expr("bool", sc, d))
        k = r.random()
        if ty == "float":
            if k < 0.6:
                op = r.choice(["+", "-", "*"])
                return "%s %s %s" % (self.paren(self.expr(ty, sc, d)), op, self.paren(self.expr(ty, sc, d)))
            if k < 0.7:
                return "%s / %s" % (self.paren(self.expr(ty, sc, d)), r.choice(["2.0", "3.5", "7.25", "10.0"]))
            if k < 0.8:
                return "sqrt (abs %s)" % self.paren(self.expr(ty, sc, d))
            if k < 0.9:
                return "%s (%s) (%s)" % (r.choice(["min", "max"]), self.expr(ty, sc, d), self.expr(ty, sc, d))
            return "float %s" % self.paren(self.expr(r.choice(["int", "int64"]), sc, d))
        # int / int64
        suf = "L" if ty == "int64" else ""
        if k < 0.5:
            op = r.choice(["+", "-", "*", "+", "-"])
            return "%s %s %s" % (self.paren(self.expr(ty, sc, d)), op, self.paren(self.expr(ty, sc, d)))
        if k < 0.62:
            op = r.choice(["/", "%"])
            return "%s %s %d%s" % (self.paren(self.expr(ty, sc, d)), op, r.randint(1, 17), suf)
        if k < 0.74:
            op = r.choice(["&&&", "|||", "^^^"])
            return "%s %s %s" % (self.paren(self.expr(ty, sc, d)), op, self.paren(self.expr(ty, sc, d)))
        if k < 0.8:
            op = r.choice([">>>", "<<<"])
            return "%s %s %d" % (self.paren(self.expr(ty, sc, d)), op, r.randint(1, 7))
        if k < 0.86:
            return "%s %s" % (r.choice(["abs", "abs"]), self.paren(self.expr(ty, sc, d)))
        if k < 0.92:
            return "if %s then %s else %s" % (self.expr("bool", sc, d), self.paren(self.expr(ty, sc, d)),
                                              self.paren(self.expr(ty, sc, d)))
        other = r.choice(["float", "int64" if ty == "int" else "int"])
        conv = "int" if ty == "int" else "int64"
        return "%s %s" % (conv, self.paren(self.expr(other, sc, d)))

    def fresh(self, prefix):
        self.counter += 1
        return "%s%d" % (prefix, self.counter)

    # ---------- statements ----------
    def call_stmt(self, ind, sc, out, budget):
        """`let cN = fJ args` for an earlier function within the cost budget. Returns cost."""
        cands = [f for f in self.funcs if f[3] <= budget]
        if not cands:
            self.assign(ind, sc, out)
            return 0
        # prefer recent functions so the call graph is deep, but reach back too
        if self.r.random() < 0.6:
            cands = cands[-30:]
        name, ptys, rty, cost = self.r.choice(cands)
        args = " ".join(self.paren(self.expr(t, sc, 1)) for t in ptys)
        v = self.fresh("c")
        out.append("%slet %s = %s %s" % (ind, v, name, args))
        sc.add(v, rty)
        return cost

    def assign_text(self, sc):
        muts = [(n, t) for (n, t, m) in sc.all() if m]
        n, t = self.r.choice(muts)
        if t == "bool":
            e = self.expr("bool", sc, 2)
        else:
            e = "%s %s %s" % (n, self.r.choice(["+", "-", "+"] + (["*"] if t == "float" else ["^^^"])),
                              self.paren(self.expr(t, sc, 2)))
            if t == "float":
                # keep floats from running off to infinity
                e = "(%s) * 0.5" % e
        return "%s <- %s" % (n, e)

    def assign(self, ind, sc, out):
        out.append(ind + self.assign_text(sc))

    def block(self, ind, sc, out, nstmts, loop_depth, budget, in_then=False):
        """Statements only (unit). Returns estimated cost."""
        cost = 0
        for _ in range(nstmts):
            k = self.r.random()
            if k < 0.35:
                self.assign(ind, sc, out)
            elif k < 0.5:
                v = self.fresh("v")
                t = self.r.choice(TYPES)
                out.append("%slet %s = %s" % (ind, v, self.expr(t, sc, 2)))
                sc.add(v, t)
            elif k < 0.7:
                cost += self.if_stmt(ind, sc, out, loop_depth, budget, in_then)
            elif k < 0.85 and loop_depth < 2:
                cost += self.loop(ind, sc, out, loop_depth, budget, in_then)
            elif loop_depth == 0 or self.r.random() < 0.3:
                b = budget if loop_depth == 0 else CHEAP_IN_LOOP
                cost += self.call_stmt(ind, sc, out, b)
            else:
                self.assign(ind, sc, out)
        # a block must end with an expression, not a `let`: finish with an assignment
        if out[-1].startswith(ind + "let "):
            self.assign(ind, sc, out)
        return cost

    def if_stmt(self, ind, sc, out, loop_depth, budget, in_then):
        has_elif = self.r.random() < 0.5
        has_else = self.r.random() < 0.7
        if in_then and (has_elif or has_else):
            # clefc layout bug workaround (see module docstring): inside a
            # `then` block, an if with elif/else is written on one line.
            line = "%sif %s then %s" % (ind, self.expr("bool", sc, 2), self.assign_text(sc))
            if has_elif:
                line += " elif %s then %s" % (self.expr("bool", sc, 2), self.assign_text(sc))
            if has_else:
                line += " else %s" % self.assign_text(sc)
            out.append(line)
            return 0
        out.append("%sif %s then" % (ind, self.expr("bool", sc, 2)))
        cost = self.block(ind + IND, Scope(sc), out, self.r.randint(1, 2), loop_depth, budget, True)
        if has_elif:
            out.append("%selif %s then" % (ind, self.expr("bool", sc, 2)))
            cost = max(cost, self.block(ind + IND, Scope(sc), out, self.r.randint(1, 2), loop_depth, budget,
                                        True))
        if has_else:
            out.append("%selse" % ind)
            cost = max(cost, self.block(ind + IND, Scope(sc), out, self.r.randint(1, 2), loop_depth, budget,
                                        in_then))
        return cost

    def loop(self, ind, sc, out, loop_depth, budget, in_then=False):
        n = self.r.randint(3, 20 if loop_depth == 0 else 6)
        inner = Scope(sc)
        if self.r.random() < 0.6:
            iv = self.fresh("i")
            lo = self.r.randint(0, 3)
            out.append("%sfor %s in %d .. %d do" % (ind, iv, lo, lo + n - 1))
            inner.add(iv, "int")
            body = self.block(ind + IND, inner, out, self.r.randint(1, 3), loop_depth + 1, budget, in_then)
        else:
            kv = self.fresh("k")
            out.append("%slet mutable %s = 0" % (ind, kv))
            out.append("%swhile %s < %d do" % (ind, kv, n))
            inner.add(kv, "int")  # readable, not assigned by assign() (not marked mutable)
            body = self.block(ind + IND, inner, out, self.r.randint(1, 3), loop_depth + 1, budget, in_then)
            out.append("%s%s%s <- %s + 1" % (ind, IND, kv, kv))
        return n * (1 + body)

    # ---------- functions ----------
    def function(self, idx):
        r = self.r
        name = "f%d" % idx
        nparams = r.randint(1, 4)
        ptys = [r.choice(["int", "int", "int64", "float", "bool"]) for _ in range(nparams)]
        rty = r.choice(["int", "int", "int64", "float", "bool"])
        sc = Scope()
        params = []
        for j, t in enumerate(ptys):
            params.append("(p%d: %s)" % (j, t))
            sc.add("p%d" % j, t)
        out = ["", "let %s %s : %s =" % (name, " ".join(params), rty)]
        ind = IND
        cost = 1
        # optional local helper capturing only parameters
        if r.random() < 0.15:
            hv = self.fresh("h")
            pt = r.choice(["int", "float"])
            hsc = Scope(sc)
            hsc.add("x", pt)
            out.append("%slet %s (x: %s) : %s =" % (ind, hv, pt, pt))
            out.append("%s%s%s" % (ind, IND, self.expr(pt, hsc, 2)))
            v = self.fresh("v")
            out.append("%slet %s = %s %s" % (ind, v, hv, self.paren(self.expr(pt, sc, 1))))
            sc.add(v, pt)
        # mutable accumulators
        for t in r.sample(["int", "int64", "float", "bool"], r.randint(1, 3)):
            m = self.fresh("m")
            out.append("%slet mutable %s = %s" % (ind, m, self.expr(t, sc, 1)))
            sc.add(m, t, mutable=True)
        if not sc.of_type(rty, mutable=True) and rty != "bool":
            m = self.fresh("m")
            out.append("%slet mutable %s = %s" % (ind, m, self.lit(rty)))
            sc.add(m, rty, mutable=True)
        cost += self.loop(ind, sc, out, 0, MAX_COST // 50)
        cost += self.block(ind, sc, out, r.randint(2, 5), 0, MAX_COST // 4)
        # result: sometimes a call in tail position (a `return_call`)
        tails = [f for f in self.funcs if f[2] == rty and f[3] <= MAX_COST // 4]
        if tails and r.random() < 0.2:
            fname, fptys, _, fcost = r.choice(tails[-30:])
            res = "%s %s" % (fname, " ".join(self.paren(self.expr(t, sc, 1)) for t in fptys))
            cost += fcost
        elif rty == "bool":
            res = self.expr("bool", sc, 2)
        else:
            res = "%s + %s" % (r.choice(sc.of_type(rty, mutable=True)), self.paren(self.expr(rty, sc, 1)))
        out.append("%s%s" % (ind, res))
        self.funcs.append((name, ptys, rty, cost))
        self.lines.extend(out)

    def main(self):
        out = ["", "[<EntryPoint>]", "let main argv ="]
        out.append(IND + "let mutable total = 0L")
        chosen = self.funcs[-40:] + self.r.sample(self.funcs, min(20, len(self.funcs)))
        sc = Scope()
        for (name, ptys, rty, cost) in chosen:
            args = " ".join(self.lit(t) for t in ptys)
            v = self.fresh("r")
            out.append("%slet %s = %s %s" % (IND, v, name, args))
            if rty == "int":
                out.append('%sprintfn "%%d" %s' % (IND, v))
                out.append("%stotal <- total + int64 %s" % (IND, v))
            elif rty == "int64":
                out.append('%sprintfn "%%d" %s' % (IND, v))
                out.append("%stotal <- total + %s" % (IND, v))
            elif rty == "float":
                out.append('%sprintfn "%%d" (int64 (%s * 1000.0))' % (IND, v))
            else:
                out.append('%sprintfn "%%d" (if %s then 1 else 0)' % (IND, v))
        out.append('%sprintfn "%%d" total' % IND)
        out.append(IND + "0")
        self.lines.extend(out)


def generate(n_lines, seed=1):
    g = Gen(seed)
    g.lines = ["module Bench", "", "// Generated by bench/gen_program.py %d (seed %d)" % (n_lines, seed)]
    # main is ~2.5 lines per chosen function (<= 60) plus a few
    target = max(n_lines - 160, 20)
    idx = 0
    while len(g.lines) < target:
        g.function(idx)
        idx += 1
    g.main()
    return "\n".join(g.lines) + "\n"


def main():
    args = sys.argv[1:]
    seed = 1
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    text = generate(int(args[0]), seed)
    with open(args[1], "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
