//! Counted loops: the shape `for i in s .. e` lowers to, recognised by
//! the passes that reason about a loop counter's range.
//!
//! A counter is a parameter `i` of a block `h` such that every edge into
//! `h` is either an entry, taken when `s <= e` and passing `s`, or a back
//! edge, taken when `i = e` is false and passing `i + 1`, with the same
//! `e` on every edge. Then `i` is in `[s, e]` wherever `h` dominates
//! (signed, 32- or 64-bit: `i + 1` cannot wrap, as `i < e`).

use crate::ir::*;
use std::collections::HashMap;

/// A counter of a loop headed by a block.
#[derive(Clone, Debug)]
pub(crate) struct Counter {
    /// The block parameter counting.
    pub param: Value,
    /// The start, for each entry edge (one value: every entry passes it).
    pub start: Value,
    /// The inclusive end.
    pub end: Value,
    /// The predecessors entering the loop, and those closing it.
    pub entries: Vec<Block>,
    pub latches: Vec<Block>,
}

/// The counters among `h`'s parameters (operands resolved through
/// `resolve`, for passes that number values as they go).
pub(crate) fn counters(
    f: &Function,
    h: Block,
    preds: &HashMap<Block, Vec<Block>>,
    resolve: &impl Fn(Value) -> Value,
) -> Vec<Counter> {
    let Some(from) = preds.get(&h) else {
        return Vec::new();
    };
    let def = |v: Value| super::def_inst(f, resolve(v));
    let mut out = Vec::new();
    'params: for (k, &p) in f.block(h).params.iter().enumerate() {
        let (mut end, mut start): (Option<Value>, Option<Value>) = (None, None);
        let (mut entries, mut latches) = (Vec::new(), Vec::new());
        for &pb in from {
            let Some(Terminator::Brif(c, t, ta, e, ea)) = &f.block(pb).term else {
                continue 'params;
            };
            if t == e {
                continue 'params;
            }
            let edge_end = if *t == h {
                // Entry: `s <= end`, passing `s`.
                match def(*c) {
                    Some(InstKind::Icmp(IntCC::SignedLessThanOrEqual, s, n))
                        if resolve(*s) == resolve(ta[k])
                            && start.is_none_or(|x| x == resolve(*s)) =>
                    {
                        start = Some(resolve(*s));
                        entries.push(pb);
                        resolve(*n)
                    }
                    _ => continue 'params,
                }
            } else {
                // Back edge: `i = end` is false, passing `i + 1`.
                match (def(*c), def(ea[k])) {
                    (
                        Some(InstKind::Icmp(IntCC::Equal, i, n)),
                        Some(InstKind::BinaryImm(ImmOp::IaddImm, j, 1)),
                    ) if resolve(*i) == p && resolve(*j) == p => {
                        latches.push(pb);
                        resolve(*n)
                    }
                    _ => continue 'params,
                }
            };
            if end.is_some_and(|x| x != edge_end) {
                continue 'params;
            }
            end = Some(edge_end);
        }
        if let (Some(start), Some(end)) = (start, end) {
            out.push(Counter {
                param: p,
                start,
                end,
                entries,
                latches,
            });
        }
    }
    out
}
