//! Interfaces, their implementations, upcasts and object expressions,
//! desugared before the PSG is built:
//!
//! * `type IShape = abstract Area : float; abstract Scale : float -> IShape`
//!   is a record of functions, one field per slot (`Area@ : unit -> float`:
//!   a property is computed when read; `Scale@ : float -> IShape`), with
//!   members that call them (`s.Area`, `s.Scale(2.0)`) and `as@IShape`,
//!   the object itself.
//! * `interface IShape with member this.Area = …` in a class defines the
//!   members `Area@IShape`, … (explicit, as in F#: `c.Area` is not the
//!   interface's) and the member `as@IShape`, the record of functions
//!   that call them on the object.
//! * `e :> IShape` is `e.as@IShape`; `{ new IShape with member _.Area =
//!   1.0 }` is the record of functions made from the members' bodies.
//!
//! Invariant: an interface is an ordinary record type by the time the PSG
//! holds it; dispatch is a call of a closure held by the value.

use clef_frontend::ast::{self, ExprKind as A};
use clef_frontend::Span;

use super::desugar::{app_expr as app, expr, ident, var_expr as var};

/// An interface's slots: name, and whether it is a property.
pub(super) type Slots = Vec<(String, bool)>;

const ARG: &str = "arg@";

pub(super) fn slots(decl: &ast::TypeDecl) -> Slots {
    match &decl.repr {
        ast::TypeRepr::Interface(slots) => slots
            .iter()
            .map(|s| (s.name.name.clone(), is_property(&s.ty)))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_property(t: &ast::TypeExpr) -> bool {
    !matches!(t.kind, ast::TypeExprKind::Fun(..))
}

/// The name of the member that views an object as `interface`.
pub(super) fn view_member(interface: &str) -> String {
    format!("as@{}", interface.rsplit('.').next().unwrap_or(interface))
}

/// The member implementing `slot` of `interface` in a class.
pub(super) fn implementation_name(slot: &str, interface: &str) -> String {
    format!(
        "{slot}@{}",
        interface.rsplit('.').next().unwrap_or(interface)
    )
}

/// `type IShape = abstract …` as a record of functions with its members.
pub(super) fn desugar(decl: &ast::TypeDecl) -> ast::TypeDecl {
    let ast::TypeRepr::Interface(slots) = &decl.repr else {
        unreachable!("desugar is called on interfaces")
    };
    let this = "this@";
    let mut fields = Vec::new();
    let mut members = Vec::new();
    for slot in slots {
        let span = slot.name.span;
        let field = format!("{}@", slot.name.name);
        let property = is_property(&slot.ty);
        let ty = if property {
            ast::TypeExpr {
                kind: ast::TypeExprKind::Fun(
                    Box::new(named("unit", span)),
                    Box::new(slot.ty.clone()),
                ),
                span,
            }
        } else {
            slot.ty.clone()
        };
        fields.push(ast::FieldDecl {
            name: ident(&field, span),
            ty,
            is_mutable: false,
        });
        let read = expr(A::Dot(Box::new(var(this, span)), ident(&field, span)), span);
        let (params, body) = if property {
            (Vec::new(), app(read, expr(A::Unit, span)))
        } else {
            let param = ast::Param::Named {
                name: ident(ARG, span),
                ty: None,
            };
            (vec![param], app(read, var(ARG, span)))
        };
        members.push(ast::MemberDecl {
            self_name: Some(ident(this, span)),
            name: slot.name.clone(),
            params,
            return_type: None,
            body,
            interface: None,
            span,
        });
    }
    members.push(ast::MemberDecl {
        self_name: Some(ident(this, decl.name.span)),
        name: ident(&view_member(&decl.name.name), decl.name.span),
        params: Vec::new(),
        return_type: None,
        body: var(this, decl.name.span),
        interface: None,
        span: decl.span,
    });
    ast::TypeDecl {
        repr: ast::TypeRepr::Record(fields),
        members,
        ..decl.clone()
    }
}

/// The record of functions that is `obj` seen as `interface`: each slot
/// calls what `implement` gives for it.
fn record_of(
    interface: &ast::Ident,
    slots: &Slots,
    span: Span,
    mut implement: impl FnMut(&str, bool) -> ast::Expr,
) -> ast::Expr {
    let fields = slots
        .iter()
        .map(|(slot, property)| {
            let body = implement(slot, *property);
            (ident(&format!("{slot}@"), span), body)
        })
        .collect();
    let ty = named(&interface.name, interface.span);
    expr(A::Typed(Box::new(expr(A::Record(fields), span)), ty), span)
}

/// `member this.as@IShape = { Area@ = fun () -> this.Area@IShape; … }`
/// for a class implementing `interface` with `slots`.
pub(super) fn view_of_class(interface: &ast::Ident, slots: &Slots, span: Span) -> ast::MemberDecl {
    let this = "this@";
    let body = record_of(interface, slots, span, |slot, property| {
        let member = expr(
            A::Dot(
                Box::new(var(this, span)),
                ident(&implementation_name(slot, &interface.name), span),
            ),
            span,
        );
        if property {
            lambda(vec![ast::Param::Unit(span)], member, span)
        } else {
            let arg = ast::Param::Named {
                name: ident(ARG, span),
                ty: None,
            };
            lambda(vec![arg], app(member, var(ARG, span)), span)
        }
    });
    ast::MemberDecl {
        self_name: Some(ident(this, span)),
        name: ident(&view_member(&interface.name), span),
        params: Vec::new(),
        return_type: None,
        body,
        interface: None,
        span,
    }
}

/// `{ new IShape with member _.Area = e … }`: the record of functions
/// made from the members (a slot no member defines is left out, so the
/// record is incomplete and the type checker says which field is missing).
pub(super) fn object_expression(
    interface: &ast::Ident,
    slots: &Slots,
    members: &[ast::MemberDecl],
    span: Span,
) -> ast::Expr {
    let present: Slots = slots
        .iter()
        .filter(|(s, _)| members.iter().any(|m| m.name.name == *s))
        .cloned()
        .collect();
    record_of(interface, &present, span, |slot, property| {
        let m = members
            .iter()
            .find(|m| m.name.name == slot)
            .expect("only slots with a member");
        let params = if property || m.params.is_empty() {
            vec![ast::Param::Unit(m.span)]
        } else {
            m.params.clone()
        };
        lambda(params, m.body.clone(), m.span)
    })
}

fn named(name: &str, span: Span) -> ast::TypeExpr {
    ast::TypeExpr {
        kind: ast::TypeExprKind::Named {
            name: ident(name, span),
            args: Vec::new(),
        },
        span,
    }
}

fn lambda(params: Vec<ast::Param>, body: ast::Expr, span: Span) -> ast::Expr {
    expr(A::Lambda(params, Box::new(body)), span)
}
