//! Checking that a type is the one expected, and the diagnostics when it
//! is not: mismatches (E0501), infinite types (E0514), units of measure
//! (E0530) and memory spaces (E0536).

use super::*;

impl Infer<'_> {
    /// Unify `actual` (the type of node `at`) with `expected`, reporting
    /// F#'s "expected … but here has type …" on failure.
    pub(super) fn expect(
        &mut self,
        at: NodeId,
        actual: &Type,
        expected: &Type,
        because: Option<(Span, String)>,
    ) {
        if let Err(e) = self.unify(actual, expected) {
            self.report_mismatch(at, actual, expected, because, e);
        }
    }

    /// `expect`, with a secondary label from a template whose `{}` is the
    /// type `shown`, written only if the types do not match (type checking
    /// a large program formats no messages it does not show).
    pub(super) fn expect_because(
        &mut self,
        at: NodeId,
        actual: &Type,
        expected: &Type,
        why: (Span, &str, &Type),
    ) {
        if let Err(e) = self.unify(actual, expected) {
            let (span, template, shown) = why;
            let because = Some((span, template.replace("{}", &self.zonk(shown).to_string())));
            self.report_mismatch(at, actual, expected, because, e);
        }
    }

    pub(super) fn report_mismatch(
        &mut self,
        at: NodeId,
        actual: &Type,
        expected: &Type,
        because: Option<(Span, String)>,
        error: UnifyError,
    ) {
        let at = self.result_node(at);
        match error {
            UnifyError::Infinite => {
                let (exp, act) = (self.zonk(expected), self.zonk(actual));
                self.diags.push(
                    Diagnostic::error("E0514", "this expression would have an infinite type", self.psg.span(at))
                        .with_label(format!("`{act}` would have to equal `{exp}`, which contains it"))
                        .with_help("a function probably returns itself or is applied to itself; check the arguments"),
                );
            }
            UnifyError::Measure(_, _)
                if matches!(
                    (self.zonk(expected), self.zonk(actual)),
                    (Type::Buffer(..), Type::Buffer(..))
                ) =>
            {
                let (exp, act) = (self.zonk(expected), self.zonk(actual));
                let d = self.space_mismatch(at, &exp, &act, because);
                self.diags.push(d);
            }
            UnifyError::Measure(actual_m, expected_m) => {
                let (exp, act) = (self.zonk(expected), self.zonk(actual));
                let mut d =
                    self.measure_mismatch(&expected_m, &actual_m, self.psg.span(at), &exp, &act);
                if let Some((span, why)) = because {
                    d = d.with_secondary(span, why);
                }
                self.diags.push(d);
            }
            UnifyError::Mismatch => {
                let (exp, act) = (self.zonk(expected), self.zonk(actual));
                let mut d = Diagnostic::error(
                    "E0501",
                    format!("type mismatch: expected `{exp}` but here has type `{act}`"),
                    self.psg.span(at),
                )
                .with_label(format!("this has type `{act}`"));
                if let Some((span, why)) = because {
                    d = d.with_secondary(span, why);
                }
                d = d.with_help(conversion_help(&exp, &act));
                self.diags.push(d);
            }
        }
    }
}
