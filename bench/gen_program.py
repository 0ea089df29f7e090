#!/usr/bin/env python3
"""Generate a synthetic, valid Clef program of about N lines for compile-time benchmarks.

Usage: bench/gen_program.py N OUT.clef [--seed S] [--c OUT.c]

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

With `--c OUT.c` it also writes a C twin of the program, for comparing compile
times with `gcc -O0`: the same functions, statements and control flow, printing
the same lines. Every generator makes each random choice once and returns both
texts, a (clef, c) pair, so the Clef output is the same with or without `--c`.
The twin mirrors what clefc does: int is `int`, int64 is `int64_t`, float is
`double` and bool is `bool`; integer arithmetic wraps, so the twin must be
compiled with `-fwrapv` (`gcc -O0 -fwrapv -w twin.c -o twin -lm`), and `<<<`
goes through an unsigned type; `abs` of an integer is a conditional negation
(at the minimum value clefc raises OverflowException, as .NET does, where
the twin wraps: a program that gets there stops with that error); float `min`/`max` propagate NaN
and order -0.0 below 0.0 (IEEE minimum/maximum, like Cranelift's fmin/fmax);
float-to-integer conversions truncate and saturate, NaN giving 0 (like
clefc's, where a C cast would be undefined). A local helper `hN`, which
captures parameters, becomes a top-level C function taking its argument and
then all the parameters of the enclosing function.

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

C_TYPES = {"int": "int", "int64": "int64_t", "float": "double", "bool": "bool"}
C_OPS = {"=": "==", "<>": "!=", "&&&": "&", "|||": "|", "^^^": "^", ">>>": ">>"}
C_PRELUDE = """\
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* clefc's semantics where plain C differs or is undefined. */
static int abs_i32(int x) { return x < 0 ? -x : x; }
static int64_t abs_i64(int64_t x) { return x < 0 ? -x : x; }
static double min_f64(double a, double b) {
    return a != a || b != b ? a + b : a == b ? (signbit(a) ? a : b) : a < b ? a : b;
}
static double max_f64(double a, double b) {
    return a != a || b != b ? a + b : a == b ? (signbit(a) ? b : a) : a > b ? a : b;
}
static int f64_to_i32(double x) {
    return x != x ? 0 : x <= -2147483648.0 ? INT32_MIN : x >= 2147483647.0 ? INT32_MAX : (int)x;
}
static int64_t f64_to_i64(double x) {
    return x != x ? 0 : x <= -9223372036854775808.0 ? INT64_MIN
        : x >= 9223372036854775807.0 ? INT64_MAX : (int64_t)x;
}"""


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


class Out:
    """The lines of one function in both languages (not one to one: C closes blocks with `}`)."""

    def __init__(self):
        self.clef = []
        self.c = []

    def add(self, clef=None, c=None):
        if clef is not None:
            self.clef.append(clef)
        if c is not None:
            self.c.append(c)


def binop(a, op, b):
    """`a op b` from two operands that paren() has made safe; C texts of compound expressions
    are always wrapped in parentheses, so they are safe operands as they are."""
    return "%s %s %s" % (a[0], op, b[0]), "(%s %s %s)" % (a[1], C_OPS.get(op, op), b[1])


def c_cond(c):
    """A C condition in parentheses (a C text starting with `(` is wrapped whole)."""
    return c if c.startswith("(") else "(" + c + ")"


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.funcs = []       # (name, [param types], ret type, cost)
        self.lines = []       # Clef
        self.clines = []      # C twin
        self.counter = 0

    # ---------- expressions: each returns (clef, c) ----------
    def lit(self, ty):
        r = self.r
        if ty == "int":
            v = str(r.randint(0, 99))
            return v, v
        if ty == "int64":
            v = r.randint(0, 9999)
            return "%dL" % v, "%dLL" % v
        if ty == "float":
            v = "%d.%d" % (r.randint(0, 20), r.randint(0, 99))
            return v, v
        v = r.choice(["true", "false"])
        return v, v

    def atom(self, ty, sc):
        vs = sc.of_type(ty)
        if vs and self.r.random() < 0.75:
            v = self.r.choice(vs)
            return v, v
        return self.lit(ty)

    def paren(self, e):
        if e[0].replace("_", "").replace(".", "").isalnum():
            return e
        return "(" + e[0] + ")", e[1]

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
                a = self.paren(self.expr(t, sc, d))
                return binop(a, op, self.paren(self.expr(t, sc, d)))
            if k < 0.85:
                op = r.choice(["&&", "||"])
                a = self.paren(self.expr("bool", sc, d))
                return binop(a, op, self.paren(self.expr("bool", sc, d)))
            a = self.paren(self.expr("bool", sc, d))
            return "not %s" % a[0], "(!%s)" % a[1]
        k = r.random()
        if ty == "float":
            if k < 0.6:
                op = r.choice(["+", "-", "*"])
                a = self.paren(self.expr(ty, sc, d))
                return binop(a, op, self.paren(self.expr(ty, sc, d)))
            if k < 0.7:
                a = self.paren(self.expr(ty, sc, d))
                lit = r.choice(["2.0", "3.5", "7.25", "10.0"])
                return binop(a, "/", (lit, lit))
            if k < 0.8:
                a = self.paren(self.expr(ty, sc, d))
                return "sqrt (abs %s)" % a[0], "sqrt(fabs(%s))" % a[1]
            if k < 0.9:
                f = r.choice(["min", "max"])
                a = self.expr(ty, sc, d)
                b = self.expr(ty, sc, d)
                return "%s (%s) (%s)" % (f, a[0], b[0]), "%s_f64(%s, %s)" % (f, a[1], b[1])
            a = self.paren(self.expr(r.choice(["int", "int64"]), sc, d))
            return "float %s" % a[0], "((double)%s)" % a[1]
        # int / int64
        suf, csuf = ("L", "LL") if ty == "int64" else ("", "")
        if k < 0.5:
            op = r.choice(["+", "-", "*", "+", "-"])
            a = self.paren(self.expr(ty, sc, d))
            return binop(a, op, self.paren(self.expr(ty, sc, d)))
        if k < 0.62:
            op = r.choice(["/", "%"])
            a = self.paren(self.expr(ty, sc, d))
            n = r.randint(1, 17)
            return binop(a, op, ("%d%s" % (n, suf), "%d%s" % (n, csuf)))
        if k < 0.74:
            op = r.choice(["&&&", "|||", "^^^"])
            a = self.paren(self.expr(ty, sc, d))
            return binop(a, op, self.paren(self.expr(ty, sc, d)))
        if k < 0.8:
            op = r.choice([">>>", "<<<"])
            a = self.paren(self.expr(ty, sc, d))
            n = r.randint(1, 7)
            clef = "%s %s %d" % (a[0], op, n)
            if op == ">>>":
                return clef, "(%s >> %d)" % (a[1], n)
            # through unsigned: a signed left shift that overflows is undefined in C
            if ty == "int64":
                return clef, "((int64_t)((uint64_t)%s << %d))" % (a[1], n)
            return clef, "((int)((unsigned)%s << %d))" % (a[1], n)
        if k < 0.86:
            f = r.choice(["abs", "abs"])
            a = self.paren(self.expr(ty, sc, d))
            return "%s %s" % (f, a[0]), "abs_%s(%s)" % ("i64" if ty == "int64" else "i32", a[1])
        if k < 0.92:
            c = self.expr("bool", sc, d)
            a = self.paren(self.expr(ty, sc, d))
            b = self.paren(self.expr(ty, sc, d))
            return "if %s then %s else %s" % (c[0], a[0], b[0]), "(%s ? %s : %s)" % (c[1], a[1], b[1])
        other = r.choice(["float", "int64" if ty == "int" else "int"])
        conv = "int" if ty == "int" else "int64"
        a = self.paren(self.expr(other, sc, d))
        if other == "float":
            c = "f64_to_%s(%s)" % ("i32" if ty == "int" else "i64", a[1])
        else:
            c = "((%s)%s)" % (C_TYPES[ty], a[1])
        return "%s %s" % (conv, a[0]), c

    def fresh(self, prefix):
        self.counter += 1
        return "%s%d" % (prefix, self.counter)

    def args(self, ptys, sc):
        """Arguments of a call to a function with parameter types ptys, as (clef, c)."""
        es = [self.paren(self.expr(t, sc, 1)) for t in ptys]
        return " ".join(e[0] for e in es), ", ".join(e[1] for e in es)

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
        args = self.args(ptys, sc)
        v = self.fresh("c")
        out.add("%slet %s = %s %s" % (ind, v, name, args[0]),
                "%s%s %s = %s(%s);" % (ind, C_TYPES[rty], v, name, args[1]))
        sc.add(v, rty)
        return cost

    def assign_text(self, sc):
        muts = [(n, t) for (n, t, m) in sc.all() if m]
        n, t = self.r.choice(muts)
        if t == "bool":
            e = self.expr("bool", sc, 2)
        else:
            op = self.r.choice(["+", "-", "+"] + (["*"] if t == "float" else ["^^^"]))
            e = binop((n, n), op, self.paren(self.expr(t, sc, 2)))
            if t == "float":
                # keep floats from running off to infinity
                e = "(%s) * 0.5" % e[0], "(%s * 0.5)" % e[1]
        return "%s <- %s" % (n, e[0]), "%s = %s;" % (n, e[1])

    def assign(self, ind, sc, out):
        a = self.assign_text(sc)
        out.add(ind + a[0], ind + a[1])

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
                e = self.expr(t, sc, 2)
                out.add("%slet %s = %s" % (ind, v, e[0]), "%s%s %s = %s;" % (ind, C_TYPES[t], v, e[1]))
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
        if out.clef[-1].startswith(ind + "let "):
            self.assign(ind, sc, out)
        return cost

    def if_stmt(self, ind, sc, out, loop_depth, budget, in_then):
        has_elif = self.r.random() < 0.5
        has_else = self.r.random() < 0.7
        if in_then and (has_elif or has_else):
            # clefc layout bug workaround (see module docstring): inside a
            # `then` block, an if with elif/else is written on one line.
            c, a = self.expr("bool", sc, 2), self.assign_text(sc)
            line = "%sif %s then %s" % (ind, c[0], a[0]), "%sif %s { %s }" % (ind, c_cond(c[1]), a[1])
            if has_elif:
                c, a = self.expr("bool", sc, 2), self.assign_text(sc)
                line = (line[0] + " elif %s then %s" % (c[0], a[0]),
                        line[1] + " else if %s { %s }" % (c_cond(c[1]), a[1]))
            if has_else:
                a = self.assign_text(sc)
                line = line[0] + " else %s" % a[0], line[1] + " else { %s }" % a[1]
            out.add(*line)
            return 0
        c = self.expr("bool", sc, 2)
        out.add("%sif %s then" % (ind, c[0]), "%sif %s {" % (ind, c_cond(c[1])))
        cost = self.block(ind + IND, Scope(sc), out, self.r.randint(1, 2), loop_depth, budget, True)
        if has_elif:
            c = self.expr("bool", sc, 2)
            out.add("%selif %s then" % (ind, c[0]), "%s} else if %s {" % (ind, c_cond(c[1])))
            cost = max(cost, self.block(ind + IND, Scope(sc), out, self.r.randint(1, 2), loop_depth, budget,
                                        True))
        if has_else:
            out.add("%selse" % ind, "%s} else {" % ind)
            cost = max(cost, self.block(ind + IND, Scope(sc), out, self.r.randint(1, 2), loop_depth, budget,
                                        in_then))
        out.add(c=ind + "}")
        return cost

    def loop(self, ind, sc, out, loop_depth, budget, in_then=False):
        n = self.r.randint(3, 20 if loop_depth == 0 else 6)
        inner = Scope(sc)
        if self.r.random() < 0.6:
            iv = self.fresh("i")
            lo = self.r.randint(0, 3)
            out.add("%sfor %s in %d .. %d do" % (ind, iv, lo, lo + n - 1),
                    "%sfor (int %s = %d; %s <= %d; %s++) {" % (ind, iv, lo, iv, lo + n - 1, iv))
            inner.add(iv, "int")
            body = self.block(ind + IND, inner, out, self.r.randint(1, 3), loop_depth + 1, budget, in_then)
        else:
            kv = self.fresh("k")
            out.add("%slet mutable %s = 0" % (ind, kv), "%sint %s = 0;" % (ind, kv))
            out.add("%swhile %s < %d do" % (ind, kv, n), "%swhile (%s < %d) {" % (ind, kv, n))
            inner.add(kv, "int")  # readable, not assigned by assign() (not marked mutable)
            body = self.block(ind + IND, inner, out, self.r.randint(1, 3), loop_depth + 1, budget, in_then)
            out.add("%s%s%s <- %s + 1" % (ind, IND, kv, kv), "%s%s%s = %s + 1;" % (ind, IND, kv, kv))
        out.add(c=ind + "}")
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
        cparams = ", ".join("%s p%d" % (C_TYPES[t], j) for j, t in enumerate(ptys))
        out = Out()
        out.add("", "")
        out.add("let %s %s : %s =" % (name, " ".join(params), rty),
                "static %s %s(%s) {" % (C_TYPES[rty], name, cparams))
        helper = []           # C: the local helper, a function of its own before this one
        ind = IND
        cost = 1
        # optional local helper capturing only parameters
        if r.random() < 0.15:
            hv = self.fresh("h")
            pt = r.choice(["int", "float"])
            hsc = Scope(sc)
            hsc.add("x", pt)
            body = self.expr(pt, hsc, 2)
            out.add("%slet %s (x: %s) : %s =" % (ind, hv, pt, pt))
            out.add("%s%s%s" % (ind, IND, body[0]))
            helper = ["", "static %s %s(%s x, %s) {" % (C_TYPES[pt], hv, C_TYPES[pt], cparams),
                      "%sreturn %s;" % (IND, body[1]), "}"]
            v = self.fresh("v")
            a = self.paren(self.expr(pt, sc, 1))
            out.add("%slet %s = %s %s" % (ind, v, hv, a[0]),
                    "%s%s %s = %s(%s, %s);" % (ind, C_TYPES[pt], v, hv, a[1],
                                               ", ".join("p%d" % j for j in range(nparams))))
            sc.add(v, pt)
        # mutable accumulators
        for t in r.sample(["int", "int64", "float", "bool"], r.randint(1, 3)):
            m = self.fresh("m")
            e = self.expr(t, sc, 1)
            out.add("%slet mutable %s = %s" % (ind, m, e[0]), "%s%s %s = %s;" % (ind, C_TYPES[t], m, e[1]))
            sc.add(m, t, mutable=True)
        if not sc.of_type(rty, mutable=True) and rty != "bool":
            m = self.fresh("m")
            e = self.lit(rty)
            out.add("%slet mutable %s = %s" % (ind, m, e[0]), "%s%s %s = %s;" % (ind, C_TYPES[rty], m, e[1]))
            sc.add(m, rty, mutable=True)
        cost += self.loop(ind, sc, out, 0, MAX_COST // 50)
        cost += self.block(ind, sc, out, r.randint(2, 5), 0, MAX_COST // 4)
        # result: sometimes a call in tail position (a `return_call`)
        tails = [f for f in self.funcs if f[2] == rty and f[3] <= MAX_COST // 4]
        if tails and r.random() < 0.2:
            fname, fptys, _, fcost = r.choice(tails[-30:])
            args = self.args(fptys, sc)
            res = "%s %s" % (fname, args[0]), "%s(%s)" % (fname, args[1])
            cost += fcost
        elif rty == "bool":
            res = self.expr("bool", sc, 2)
        else:
            m = r.choice(sc.of_type(rty, mutable=True))
            res = binop((m, m), "+", self.paren(self.expr(rty, sc, 1)))
        out.add("%s%s" % (ind, res[0]), "%sreturn %s;" % (ind, res[1]))
        out.add(c="}")
        self.funcs.append((name, ptys, rty, cost))
        self.lines.extend(out.clef)
        self.clines.extend(helper + out.c)

    def main(self):
        out = Out()
        out.add("", "")
        out.add("[<EntryPoint>]")
        out.add("let main argv =", "int main(void) {")
        out.add(IND + "let mutable total = 0L", IND + "int64_t total = 0LL;")
        chosen = self.funcs[-40:] + self.r.sample(self.funcs, min(20, len(self.funcs)))
        for (name, ptys, rty, cost) in chosen:
            args = [self.lit(t) for t in ptys]
            v = self.fresh("r")
            out.add("%slet %s = %s %s" % (IND, v, name, " ".join(a[0] for a in args)),
                    "%s%s %s = %s(%s);" % (IND, C_TYPES[rty], v, name, ", ".join(a[1] for a in args)))
            if rty == "int":
                out.add('%sprintfn "%%d" %s' % (IND, v), '%sprintf("%%d\\n", %s);' % (IND, v))
                out.add("%stotal <- total + int64 %s" % (IND, v), "%stotal = total + (int64_t)%s;" % (IND, v))
            elif rty == "int64":
                out.add('%sprintfn "%%d" %s' % (IND, v), '%sprintf("%%lld\\n", (long long)%s);' % (IND, v))
                out.add("%stotal <- total + %s" % (IND, v), "%stotal = total + %s;" % (IND, v))
            elif rty == "float":
                out.add('%sprintfn "%%d" (int64 (%s * 1000.0))' % (IND, v),
                        '%sprintf("%%lld\\n", (long long)f64_to_i64(%s * 1000.0));' % (IND, v))
            else:
                out.add('%sprintfn "%%d" (if %s then 1 else 0)' % (IND, v),
                        '%sprintf("%%d\\n", %s ? 1 : 0);' % (IND, v))
        out.add('%sprintfn "%%d" total' % IND, '%sprintf("%%lld\\n", (long long)total);' % IND)
        out.add(IND + "0", IND + "return 0;")
        out.add(c="}")
        self.lines.extend(out.clef)
        self.clines.extend(out.c)


def generate(n_lines, seed=1):
    """The Clef program and its C twin, as (clef, c)."""
    g = Gen(seed)
    header = "Generated by bench/gen_program.py %d (seed %d)" % (n_lines, seed)
    g.lines = ["module Bench", "", "// " + header]
    g.clines = ["// %s: the C twin of the Clef program." % header,
                "// F# integer arithmetic wraps: compile with -fwrapv, e.g.",
                "//   gcc -O0 -fwrapv -w twin.c -o twin -lm", "", C_PRELUDE]
    # main is ~2.5 lines per chosen function (<= 60) plus a few
    target = max(n_lines - 160, 20)
    idx = 0
    while len(g.lines) < target:
        g.function(idx)
        idx += 1
    g.main()
    return "\n".join(g.lines) + "\n", "\n".join(g.clines) + "\n"


def main():
    args = sys.argv[1:]
    seed = 1
    c_out = None
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    if "--c" in args:
        i = args.index("--c")
        c_out = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    clef, c = generate(int(args[0]), seed)
    with open(args[1], "w") as f:
        f.write(clef)
    if c_out is not None:
        with open(c_out, "w") as f:
            f.write(c)


if __name__ == "__main__":
    main()
