//! Inlining: a direct call of a small function is replaced by a copy of
//! the function's blocks.
//!
//! * Candidates: functions defined in the program (not `main`), of at
//!   most [`MAX_CALLEE`] instructions, that do not call `setjmp`, without loops (a branch back to an
//!   earlier block: such a function's time is in its loop, not in the
//!   call), that do not call themselves.
//! * At a call instruction the block is split: the copy's returns jump to
//!   the continuation with the result, and a tail call in the copy becomes
//!   a call followed by that jump (the original call was not in tail
//!   position, so no frame is added). At a tail call the copy's returns
//!   stay returns and its tail calls stay tail calls.
//! * The copy's entry parameters are the call's arguments (the entry block
//!   has no predecessors), so values flow straight in.
//!
//! Each round inlines the callees as they were at its start, so a round
//! is one level deep; [`super::optimise`] runs a few rounds.

use crate::ir::*;
use std::collections::HashMap;

/// The largest function (in instructions and blocks) that is inlined.
pub const MAX_CALLEE: usize = 60;
/// A caller stops growing past this size.
const MAX_CALLER: usize = 4000;

/// Inline into every function; returns how many calls each had inlined.
pub fn run(program: &mut Program) -> Vec<usize> {
    let candidates: HashMap<FuncId, Function> = program
        .functions
        .iter()
        .filter(|f| is_candidate(program, f))
        .map(|f| (f.id, f.clone()))
        .collect();
    if candidates.is_empty() {
        return vec![0; program.functions.len()];
    }
    program
        .functions
        .iter_mut()
        .map(|f| inline_into(f, &candidates))
        .collect()
}

fn is_candidate(program: &Program, f: &Function) -> bool {
    if program.decl(f.id).linkage != Linkage::Local || f.size() > MAX_CALLEE {
        return false;
    }
    // A function that calls `setjmp` (a `try` body's) must keep its own
    // frame: `setjmp` returns into it a second time.
    let calls_setjmp = f.layout.iter().any(|&b| {
        f.block(b).insts.iter().any(|&i| {
            matches!(&f.inst(i).kind, InstKind::Call(Callee::Runtime(g), _)
                if program.decl(*g).name == crate::runtime_abi::SETJMP.name)
        })
    });
    if calls_setjmp {
        return false;
    }
    let Some(entry) = f.entry() else { return false };
    // A function with a loop spends its time in the loop, not in the
    // call; copying the loop into a caller only moves it (and can leave
    // it worse aligned).
    let position: HashMap<Block, usize> =
        f.layout.iter().enumerate().map(|(i, &b)| (b, i)).collect();
    let has_loop = f.layout.iter().any(|&b| {
        f.block(b).term.as_ref().is_some_and(|t| {
            t.successors()
                .iter()
                .any(|(s, _)| position.get(s).is_some_and(|&p| p <= position[&b]))
        })
    });
    if has_loop {
        return false;
    }
    let calls_self = |c: &Callee| matches!(c, Callee::Func(g) if *g == f.id);
    f.layout.iter().all(|&b| {
        let data = f.block(b);
        let insts_ok = data.insts.iter().all(|&i| match &f.inst(i).kind {
            InstKind::Call(c, _) => !calls_self(c),
            _ => true,
        });
        let term_ok = match &data.term {
            Some(Terminator::TailCall(c, _)) => !calls_self(c),
            Some(t) => t.successors().iter().all(|(s, _)| *s != entry),
            None => false,
        };
        insts_ok && term_ok
    })
}

/// Where a call is: an instruction of a block, or its terminator.
enum Site {
    Inst(Block, usize),
    Tail(Block),
}

fn inline_into(f: &mut Function, candidates: &HashMap<FuncId, Function>) -> usize {
    let mut n = 0;
    let mut work: Vec<Block> = f.layout.clone();
    work.reverse();
    let mut size = f.size();
    // Blocks to lay out after each block, in order (applied once at the
    // end: splicing at every call would be quadratic in a long function).
    let mut after: HashMap<Block, Vec<Block>> = HashMap::new();
    while let Some(b) = work.pop() {
        if size > MAX_CALLER {
            break;
        }
        let site = f
            .block(b)
            .insts
            .iter()
            .enumerate()
            .find_map(|(k, &i)| match &f.inst(i).kind {
                InstKind::Call(Callee::Func(g), _) if *g != f.id && candidates.contains_key(g) => {
                    Some((Site::Inst(b, k), *g))
                }
                _ => None,
            });
        let site = site.or_else(|| match &f.block(b).term {
            Some(Terminator::TailCall(Callee::Func(g), _))
                if *g != f.id && candidates.contains_key(g) =>
            {
                Some((Site::Tail(b), *g))
            }
            _ => None,
        });
        let Some((site, g)) = site else { continue };
        let callee = &candidates[&g];
        let (copied, cont) = inline_at(f, site, callee);
        size += callee.size();
        let list = after.entry(b).or_default();
        // The copy and the continuation come right after the call's block,
        // before what was placed after it earlier (the rest of the block
        // moved to the continuation, and with it what followed).
        let mut placed = copied;
        placed.extend(cont);
        let earlier = std::mem::take(list);
        *list = placed;
        if let Some(cont) = cont {
            after.entry(cont).or_default().extend(earlier);
            // The continuation may hold more calls; so may the copy, but
            // those are next round's.
            work.push(cont);
        } else {
            list.extend(earlier);
        }
        n += 1;
    }
    if !after.is_empty() {
        let mut layout = Vec::with_capacity(f.layout.len());
        fn place(b: Block, after: &HashMap<Block, Vec<Block>>, out: &mut Vec<Block>) {
            let mut stack = vec![b];
            while let Some(x) = stack.pop() {
                out.push(x);
                if let Some(next) = after.get(&x) {
                    stack.extend(next.iter().rev());
                }
            }
        }
        for &b in &f.layout {
            place(b, &after, &mut layout);
        }
        f.layout = layout;
    }
    n
}

/// Inline `callee` at `site`; returns the copied blocks (in the
/// callee's layout order) and the continuation block, if any. The caller
/// lays them out.
fn inline_at(f: &mut Function, site: Site, callee: &Function) -> (Vec<Block>, Option<Block>) {
    let (b, args, cont) = match site {
        Site::Inst(b, k) => {
            let call = f.block(b).insts[k];
            let InstKind::Call(_, args) = f.inst(call).kind.clone() else {
                unreachable!("a call site")
            };
            let result = f.inst(call).result;
            // Split: the rest of the block moves to the continuation.
            let cont = f.new_block();
            let rest = f.blocks[b.index()].insts.split_off(k + 1);
            f.blocks[b.index()].insts.pop();
            f.blocks[cont.index()].insts = rest;
            f.blocks[cont.index()].term = f.blocks[b.index()].term.take();
            if let Some(r) = result {
                f.blocks[cont.index()].params.push(r);
                f.values[r.index()].def = ValueDef::Param(cont, 0);
            }
            (b, args, Some(cont))
        }
        Site::Tail(b) => {
            let Some(Terminator::TailCall(_, args)) = f.blocks[b.index()].term.take() else {
                unreachable!("a tail call site")
            };
            (b, args, None)
        }
    };
    let entry = callee.entry().expect("a candidate has blocks");
    // Blocks, parameters and results first (a use may come before its
    // definition in layout order), then the instructions' operands.
    let mut blocks = HashMap::new();
    let mut values = HashMap::new();
    let mut insts = HashMap::new();
    // The callee's variables and stack slots follow the caller's.
    let (var_base, slot_base) = (f.vars.len() as u32, f.slots.len() as u32);
    f.vars.extend(&callee.vars);
    f.slots.extend(&callee.slots);
    for &cb in &callee.layout {
        let nb = f.new_block();
        blocks.insert(cb, nb);
        f.blocks[nb.index()].cold = callee.block(cb).cold;
        for (k, &p) in callee.block(cb).params.iter().enumerate() {
            let v = if cb == entry {
                args[k]
            } else {
                f.append_block_param(nb, callee.value_type(p))
            };
            values.insert(p, v);
        }
        for &ci in &callee.block(cb).insts {
            let data = callee.inst(ci);
            let ni = f.new_inst(
                data.kind.clone(),
                data.result.map(|r| callee.value_type(r)),
                data.span,
            );
            if let (Some(r), Some(nr)) = (data.result, f.inst(ni).result) {
                values.insert(r, nr);
            }
            insts.insert(ci, ni);
            f.blocks[nb.index()].insts.push(ni);
        }
    }
    let remap_kind = |kind: &mut InstKind| {
        kind.for_each_operand_mut(|v| *v = values[v]);
        match kind {
            InstKind::UseVar(var) | InstKind::DefVar(var, _) => var.0 += var_base,
            InstKind::StackAddr(s, _) => s.0 += slot_base,
            _ => {}
        }
    };
    for ni in insts.values() {
        remap_kind(&mut f.insts[ni.index()].kind);
    }
    for &cb in &callee.layout {
        let nb = blocks[&cb];
        let mut t = callee.block(cb).term.clone().expect("verified");
        for v in t.operands_mut() {
            *v = values[v];
        }
        for (target, _) in t.targets_mut() {
            *target = blocks[target];
        }
        let t = match (t, cont) {
            (Terminator::Return(vals), Some(cont)) => Terminator::Jump(cont, vals),
            (Terminator::TailCall(c, a), Some(cont)) => {
                let ret = callee.sig.returns.first().copied();
                let call = f.new_inst(InstKind::Call(c, a), ret, None);
                f.blocks[nb.index()].insts.push(call);
                Terminator::Jump(cont, f.inst(call).result.into_iter().collect())
            }
            (t, _) => t,
        };
        f.blocks[nb.index()].term = Some(t);
    }
    f.blocks[b.index()].term = Some(Terminator::Jump(blocks[&entry], Vec::new()));
    let copied = callee.layout.iter().map(|cb| blocks[cb]).collect();
    (copied, cont)
}
