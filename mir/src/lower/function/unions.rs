//! Union values: a collected block `[tag, fields…]` (the tag is the
//! case's index, an i64), built by case constructors and taken apart by
//! case patterns; structural equality and ordering of unions (one
//! generated function per union type and relation, since unions may be
//! recursive); `option`'s members and functions.

use super::{Lowering, Val, R};
use crate::ir::{types, Block, Function, IntCC, Value};
use crate::lower::internal;
use crate::runtime_abi as rt;
use clef_frontend::Span;
use clef_psg::*;

impl Lowering<'_, '_, '_> {
    /// A union value of case `index` with its fields' values.
    pub(super) fn make_case(&mut self, index: usize, fields: &[Val]) -> R<Value> {
        if fields.is_empty() {
            // A case without fields is immutable and all alike: one shared
            // static block per tag (`[]`, `None`), no allocation.
            let data = self.cx.case_constant(index);
            return Ok(self.b.ins().symbol_value(data));
        }
        let tag = self.b.ins().iconst(types::I64, index as i64);
        let mut values = vec![Some(tag)];
        values.extend_from_slice(fields);
        self.alloc_block(&values)
    }

    /// `Case arg`: `arg` is the field, or a tuple of the fields (built in
    /// place when written as a tuple expression).
    pub(super) fn construct_case(
        &mut self,
        apply: NodeId,
        index: usize,
        args: &[NodeId],
    ) -> R<Value> {
        let ty = self.type_of(apply);
        let fields = self.case_field_types(&ty, index)?;
        let &[arg] = args else {
            return Err(internal("a case applied to several arguments"));
        };
        let values = if fields.len() == 1 {
            vec![self.expr(arg, false)?]
        } else if self.cx.psg.expr(arg) == Some(&ExprKind::Tuple) {
            let mut v = Vec::new();
            for k in self.cx.psg.children(arg) {
                v.push(self.expr(k, false)?);
            }
            v
        } else {
            let tuple = self.value(arg, false)?;
            fields
                .iter()
                .enumerate()
                .map(|(i, t)| self.load_slot(tuple, i, t))
                .collect()
        };
        self.make_case(index, &values)
    }

    fn case_field_types(&self, ty: &Type, index: usize) -> R<Vec<Type>> {
        self.cx
            .union_cases(ty)
            .and_then(|cases| cases.into_iter().nth(index))
            .map(|(_, fields)| fields)
            .ok_or_else(|| internal("a case of a non-union type"))
    }

    /// The tag of a union value: written when the value is made, and
    /// every union value has one (a case without fields is a static
    /// one-word block), so the load may move and repeated loads merge.
    pub(super) fn tag(&mut self, v: Value) -> Value {
        self.b.ins().load_immutable(types::I64, v, 0)
    }

    /// Test a case pattern; fields are slots 1.. of the block. With
    /// `known`, earlier arms have taken every other case, so the value is
    /// of this one and only its fields are tested.
    pub(super) fn test_case(
        &mut self,
        pat: NodeId,
        v: Val,
        t: &Type,
        fail: Block,
        known: bool,
    ) -> R<()> {
        let (_, index) = self
            .cx
            .psg
            .case(pat)
            .ok_or_else(|| internal("unresolved case pattern"))?;
        let block = v.ok_or_else(|| internal("union without a value"))?;
        if !known {
            let tag = self.tag(block);
            let same = self.b.ins().icmp_imm_s(IntCC::Equal, tag, index as i64);
            let cont = self.b.create_block();
            self.b.ins().brif(same, cont, &[], fail, &[]);
            self.switch_to(cont);
        }
        let fields = self.case_field_types(t, index)?;
        let Some(&arg) = self.cx.psg.children(pat).first() else {
            return Ok(());
        };
        if fields.len() == 1 {
            let x = self.load_slot(block, 1, &fields[0]);
            return self.test_pattern(arg, x, &fields[0], fail);
        }
        if let Some(NodeKind::Pattern(PatternKind::Tuple)) = Some(self.cx.psg.kind(arg)) {
            for (i, (k, f)) in self
                .cx
                .psg
                .children(arg)
                .into_iter()
                .zip(&fields)
                .enumerate()
            {
                let x = self.load_slot(block, 1 + i, f);
                self.test_pattern(k, x, f, fail)?;
            }
        }
        Ok(())
    }

    /// Equality (an i8) or ordering (an i32) of two unions, by calling the
    /// type's generated relation function (unions may be recursive, so the
    /// comparison cannot be expanded inline).
    pub(super) fn union_relation(
        &mut self,
        t: &Type,
        a: Value,
        b: Value,
        equality: bool,
    ) -> R<Option<Value>> {
        if self.cx.union_cases(t).is_none() && !matches!(t, Type::Array(_)) {
            return Ok(None);
        }
        // Unions (which may be recursive) and arrays (a loop): one
        // generated function per type and relation.
        let f = self.cx.relation_fn(t, equality);
        Ok(self.call_func(f, &[a, b]))
    }

    /// The body of a union's relation function: tags first, then the
    /// fields of the shared case.
    pub(super) fn union_relation_body(
        &mut self,
        t: &Type,
        a: Value,
        b: Value,
        equality: bool,
    ) -> R<Option<Value>> {
        let Some(cases) = self.cx.union_cases(t) else {
            return Ok(None);
        };
        let result_ty = if equality { types::I8 } else { types::I32 };
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, result_ty);
        let (ta, tb) = (self.tag(a), self.tag(b));
        let same_case = self.b.create_block();
        let differ = if equality {
            self.b.ins().iconst(types::I8, 0)
        } else {
            let gt = self.b.ins().icmp(IntCC::SignedGreaterThan, ta, tb);
            let lt = self.b.ins().icmp(IntCC::SignedLessThan, ta, tb);
            let gt = self.b.ins().uextend(types::I32, gt);
            let lt = self.b.ins().uextend(types::I32, lt);
            self.b.ins().isub(gt, lt)
        };
        let eq_tags = self.b.ins().icmp(IntCC::Equal, ta, tb);
        self.b.ins().brif(eq_tags, same_case, &[], done, &[differ]);
        self.switch_to(same_case);
        for (index, (_, fields)) in cases.iter().enumerate() {
            if fields.is_empty() {
                continue;
            }
            let this_case = self.b.create_block();
            let next = self.b.create_block();
            let is = self.b.ins().icmp_imm_s(IntCC::Equal, ta, index as i64);
            self.b.ins().brif(is, this_case, &[], next, &[]);
            self.switch_to(this_case);
            // The tags (slot 0) are equal here: compare slots 1.. .
            let v = self.slots_relation(fields, a, b, 1, equality)?;
            self.b.ins().jump(done, &[v]);
            self.switch_to(next);
        }
        let same = self.b.ins().iconst(result_ty, if equality { 1 } else { 0 });
        self.b.ins().jump(done, &[same]);
        self.switch_to(done);
        Ok(Some(result))
    }

    /// `defaultArg` and the `Option` module's functions.
    pub(super) fn option_builtin(&mut self, apply: NodeId, b: Builtin, args: &[NodeId]) -> R<Val> {
        let span = self.cx.psg.span(apply);
        let (opt_node, other) = match b {
            Builtin::DefaultArg => (args[0], args.get(1).copied()),
            Builtin::OptionMap | Builtin::OptionDefaultValue => (args[1], Some(args[0])),
            _ => (args[0], None),
        };
        // Arguments are evaluated in the order they are written, as in F#
        // (`defaultArg o d`: `o` first; `Option.map f o`: `f` first).
        let other_first = other.is_some_and(|o| o == args[0]);
        let mut other_val = None;
        if other_first {
            other_val = self.expr(args[0], false)?;
        }
        let opt_ty = self.type_of(opt_node);
        let opt = self.value(opt_node, false)?;
        if let (Some(o), false) = (other, other_first) {
            other_val = self.expr(o, false)?;
        }
        let Type::Named { args: targs, .. } = &opt_ty else {
            return Err(internal("option of a non-option"));
        };
        let elem = targs[0].clone();
        Ok(match b {
            Builtin::OptionIsSome => self.option_member(Member::OptionIsSome, opt, &elem, span)?,
            Builtin::OptionIsNone => self.option_member(Member::OptionIsNone, opt, &elem, span)?,
            Builtin::OptionGet => self.option_member(Member::OptionValue, opt, &elem, span)?,
            Builtin::DefaultArg | Builtin::OptionDefaultValue => {
                let Some(default) = other_val else {
                    return Ok(None);
                };
                let tag = self.tag(opt);
                let is_some = self.b.ins().icmp_imm_s(IntCC::Equal, tag, 1);
                let some_b = self.b.create_block();
                let done = self.b.create_block();
                let result = self.b.append_block_param(done, self.b.value_type(default));
                self.b.ins().brif(is_some, some_b, &[], done, &[default]);
                self.switch_to(some_b);
                let v = self
                    .load_slot(opt, 1, &elem)
                    .ok_or_else(|| internal("option of unit"))?;
                self.b.ins().jump(done, &[v]);
                self.switch_to(done);
                Some(result)
            }
            _ => {
                // Option.map f o
                let f = other_val.ok_or_else(|| internal("Option.map without a function"))?;
                let Type::Named { args: rargs, .. } = self.type_of(apply) else {
                    return Err(internal("Option.map result"));
                };
                let tag = self.tag(opt);
                let is_some = self.b.ins().icmp_imm_s(IntCC::Equal, tag, 1);
                let some_b = self.b.create_block();
                let none_b = self.b.create_block();
                let done = self.b.create_block();
                let result = self.b.append_block_param(done, types::I64);
                self.b.ins().brif(is_some, some_b, &[], none_b, &[]);
                self.switch_to(some_b);
                let v = self.load_slot(opt, 1, &elem);
                let r = self.call_closure(f, &elem, &rargs[0], v);
                let mapped = self.make_case(1, &[r])?;
                self.b.ins().jump(done, &[mapped]);
                self.switch_to(none_b);
                let none = self.make_case(0, &[])?;
                self.b.ins().jump(done, &[none]);
                self.switch_to(done);
                Some(result)
            }
        })
    }

    /// `.IsSome`, `.IsNone`, `.Value` of an option (None is case 0).
    pub(super) fn option_member(
        &mut self,
        member: Member,
        obj: Value,
        value_ty: &Type,
        span: Span,
    ) -> R<Val> {
        let tag = self.tag(obj);
        Ok(match member {
            Member::OptionIsSome => Some(self.b.ins().icmp_imm_s(IntCC::Equal, tag, 1)),
            Member::OptionIsNone => Some(self.b.ins().icmp_imm_s(IntCC::Equal, tag, 0)),
            _ => {
                let none = self.b.ins().icmp_imm_s(IntCC::Equal, tag, 0);
                self.check(none, &rt::FAIL_NONE, &[], span)?;
                self.load_slot(obj, 1, value_ty)
            }
        })
    }
}

/// A union type's equality (`(a, b) -> i8`) or ordering (`(a, b) -> i32`)
/// function, generated once per type.
pub(crate) fn lower_relation(
    cx: &mut crate::lower::Cx,
    func: &mut Function,
    t: &Type,
    equality: bool,
) -> R<()> {
    super::lower_generated(cx, func, |l, params| {
        let r = match t {
            Type::Array(_) => l.array_relation_body(t, params[0], params[1], equality)?,
            _ => l.union_relation_body(t, params[0], params[1], equality)?,
        }
        .ok_or_else(|| internal("relation of a non-union"))?;
        Ok(Some(r))
    })
}
