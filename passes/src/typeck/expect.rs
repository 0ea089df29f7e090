//! Checking that a type is the one expected, and the errors when it
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
        because: Option<(Span, Reason)>,
    ) {
        if let Err(e) = self.unify(actual, expected) {
            self.report_mismatch(at, actual, expected, because, e);
        }
    }

    /// `expect`, with a secondary label made by `reason` from the type
    /// `shown`, resolved only if the types do not match (type checking a
    /// large program resolves no types for labels it does not show).
    pub(super) fn expect_because(
        &mut self,
        at: NodeId,
        actual: &Type,
        expected: &Type,
        why: (Span, fn(Type) -> Reason, &Type),
    ) {
        if let Err(e) = self.unify(actual, expected) {
            let (span, reason, shown) = why;
            let because = Some((span, reason(self.zonk(shown))));
            self.report_mismatch(at, actual, expected, because, e);
        }
    }

    pub(super) fn report_mismatch(
        &mut self,
        at: NodeId,
        actual: &Type,
        expected: &Type,
        because: Option<(Span, Reason)>,
        error: UnifyError,
    ) {
        let at = self.result_node(at);
        let (expected, actual) = (self.zonk(expected), self.zonk(actual));
        let error = match error {
            UnifyError::Infinite => TypeError::InfiniteType {
                expected,
                actual,
                at: self.psg.span(at),
            },
            UnifyError::Measure(_, _)
                if matches!((&expected, &actual), (Type::Buffer(..), Type::Buffer(..))) =>
            {
                TypeError::SpaceMismatch {
                    expected,
                    actual,
                    at: self.psg.span(at),
                    origin: self.space_origin(at),
                    because,
                }
            }
            UnifyError::Measure(actual_m, expected_m) => TypeError::MeasureMismatch {
                expected_measure: expected_m,
                actual_measure: actual_m,
                expected,
                actual,
                at: self.psg.span(at),
                because,
            },
            UnifyError::Mismatch => TypeError::Mismatch {
                expected,
                actual,
                at: self.psg.span(at),
                because,
            },
        };
        self.errors.push(error);
    }
}
