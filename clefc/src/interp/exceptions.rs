//! Exceptions in the interpreter: a raise is `Stop::Raise` travelling up
//! through `?`, caught by the `try` that matches it. What an uncaught one
//! prints is the runtime's text (`barewire::exceptions`).

use super::call::Ret;
use super::value::Value;
use super::{Env, Interp, Stop, R};
use barewire::abi::messages;
use barewire::exceptions::BUILTIN;
use barewire::io;
use clef_frontend::Span;
use clef_psg::*;

impl Interp<'_> {
    /// A run-time failure at `span` that raises the built-in exception
    /// `(tag, .NET message)`; uncaught, it reads `what` at `span`.
    pub fn throw<T>(&self, exn: (usize, &str), what: &str, span: Span) -> R<T> {
        Err(Stop::Raise(
            Value::case(exn.0, vec![Value::str(exn.1)]),
            Some(messages::at(what, &self.location(span))),
        ))
    }

    /// `try body with arms`: an exception no arm matches goes on.
    pub fn try_with(&mut self, id: NodeId, env: &mut Env) -> R<Ret> {
        let kids = self.kids(id);
        let (exn, report) = match self.eval(kids[0], env) {
            Err(Stop::Raise(exn, report)) => (exn, report),
            other => return other.map(Ret::Val),
        };
        for &arm in &kids[1..] {
            let parts = self.kids(arm);
            if !self.test_pattern(parts[0], &exn, env)? {
                continue;
            }
            if parts.len() == 3 && !self.truth(parts[1], env)? {
                continue;
            }
            self.caught.push((exn.clone(), report.clone()));
            let result = self.eval(parts[parts.len() - 1], env);
            self.caught.pop();
            return result.map(Ret::Val);
        }
        Err(Stop::Raise(exn, report))
    }

    /// `try body finally cleanup`.
    pub fn try_finally(&mut self, id: NodeId, env: &mut Env) -> R<Ret> {
        let kids = self.kids(id);
        let result = self.eval(kids[0], env);
        if matches!(result, Ok(_) | Err(Stop::Raise(..))) {
            self.eval(kids[1], env)?;
        }
        result.map(Ret::Val)
    }

    /// `reraise ()`.
    pub fn reraise<T>(&self) -> R<T> {
        match self.caught.last() {
            Some((exn, report)) => Err(Stop::Raise(exn.clone(), report.clone())),
            None => super::internal("`reraise` outside a handler"),
        }
    }

    /// An uncaught exception as the runtime reports it: a failure's
    /// report, a built-in exception's message, or the `%A` of one the
    /// program declared.
    pub fn uncaught(&self, stop: Stop) -> Stop {
        let Stop::Raise(exn, report) = stop else {
            return stop;
        };
        if let Some(report) = report {
            return Stop::Fail(report);
        }
        let Value::Union(case) = &exn else {
            return Stop::Internal(format!("raised a {}", exn.kind()));
        };
        if case.tag < BUILTIN.len() {
            return match case.fields.first() {
                Some(Value::Str(m)) => Stop::Fail(messages::failwith(m)),
                _ => Stop::Internal("a built-in exception without its message".into()),
            };
        }
        let exn_ty = self.exn_type();
        io::capture_begin();
        let printed = self.structured_text(&exn_ty, &exn);
        let text = io::capture_end();
        match printed {
            Ok(()) => Stop::Fail(messages::uncaught(&String::from_utf8_lossy(&text))),
            Err(e) => e,
        }
    }

    pub fn exn_type(&self) -> Type {
        self.psg.exn_type()
    }
}
