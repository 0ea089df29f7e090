//! Diagnostics shared by every stage: an error code, a primary span, optional
//! secondary labels and help, rendered by codespan-reporting as
//! `error[E0301]: … ┌─ file:line:col` with the source line underlined.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;

/// A byte range into the source file being compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A bug in the compiler, found while compiling: not a problem in the
/// program, so it has no code and no span in the user's file. It records
/// where in the compiler it was raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalError {
    /// The part of the compiler, e.g. "code generation".
    pub phase: &'static str,
    pub message: String,
    /// The compiler source line that raised it.
    pub location: &'static std::panic::Location<'static>,
}

impl InternalError {
    /// An internal error raised at the caller's location.
    #[track_caller]
    pub fn new(phase: &'static str, message: impl std::fmt::Display) -> InternalError {
        InternalError {
            phase,
            message: message.to_string(),
            location: std::panic::Location::caller(),
        }
    }
}

impl std::fmt::Display for InternalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "error: internal compiler error in {}: {}",
            self.phase, self.message
        )?;
        writeln!(
            f,
            "  --> clefc source {}:{}:{}",
            self.location.file(),
            self.location.line(),
            self.location.column()
        )?;
        write!(
            f,
            "  = note: this is a bug in clefc, not in the program; please report it with the program, the command line and `clefc --version`"
        )
    }
}

/// One problem in a user's program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code, e.g. `E0301`; see docs/language.md for the list.
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub secondary: Vec<(Span, String)>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            label: String::new(),
            secondary: Vec::new(),
            help: None,
        }
    }
    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span)
        }
    }
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Where each line of a text starts, computed once: the one line index
/// of the compiler (dumps, reports, diagnostics and the locations compiled
/// programs print).
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    /// 0-based line and byte column.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = offset as usize;
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        (line, offset - self.line_starts[line])
    }

    /// 1-based line and character column of `offset` in `text` (the text
    /// this index was made from), as editors and messages count them.
    pub fn position(&self, text: &str, offset: u32) -> (usize, usize) {
        let offset = floor_char_boundary(text, (offset as usize).min(text.len()));
        let (line, _) = self.line_col(offset as u32);
        let start = self.line_starts[line];
        (line + 1, text[start..offset].chars().count() + 1)
    }
}

/// A source file with its display name, as diagnostics need it.
pub struct SourceFile {
    pub name: String,
    pub text: String,
    lines: LineIndex,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        SourceFile {
            name: name.into(),
            lines: LineIndex::new(&text),
            text,
        }
    }

    /// The file's line index.
    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// Source bytes as text; when they are not UTF-8, the file with the
    /// invalid bytes replaced (for showing) and the E0109 diagnostic that
    /// points at the first of them.
    pub fn decode(name: impl Into<String>, bytes: Vec<u8>) -> (SourceFile, Option<Diagnostic>) {
        match String::from_utf8(bytes) {
            Ok(text) => (SourceFile::new(name, text), None),
            Err(e) => {
                let start = e.utf8_error().valid_up_to();
                let byte = e.as_bytes()[start];
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                // The first invalid sequence is now one U+FFFD (3 bytes).
                let span = Span::new(start, start + '\u{FFFD}'.len_utf8());
                let diag = Diagnostic::error(
                    "E0109",
                    format!("the file is not valid UTF-8: byte 0x{byte:02x} here starts no character"),
                    span,
                )
                .with_label("not UTF-8")
                .with_help("clefc reads UTF-8 source text; is this a source file? If so, convert it, e.g. with `iconv -t UTF-8`");
                (SourceFile::new(name, text), Some(diag))
            }
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        self.lines.position(&self.text, offset)
    }

    /// Render diagnostics as plain text, the way `clefc` prints them.
    pub fn render(&self, diags: &[Diagnostic]) -> String {
        let file = SimpleFile::new(self.name.as_str(), self.text.as_str());
        let config = term::Config::default();
        let mut out = String::new();
        for d in diags {
            // Rendering only fails when a span lies outside the file, which
            // `to_codespan` prevents by clamping.
            if let Ok(text) = term::emit_into_string(&config, &file, &self.to_codespan(d)) {
                out.push_str(&text);
            }
        }
        out
    }

    fn to_codespan(&self, d: &Diagnostic) -> CsDiagnostic<()> {
        let clamp = |s: Span| {
            let len = self.text.len();
            let start = floor_char_boundary(&self.text, (s.start as usize).min(len));
            let end = floor_char_boundary(&self.text, (s.end as usize).clamp(start, len));
            start..end
        };
        let mut labels = vec![Label::primary((), clamp(d.span)).with_message(d.label.clone())];
        for (span, msg) in &d.secondary {
            labels.push(Label::secondary((), clamp(*span)).with_message(msg.clone()));
        }
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let mut cs = CsDiagnostic::new(severity)
            .with_code(d.code)
            .with_message(d.message.clone())
            .with_labels(labels);
        if let Some(help) = &d.help {
            cs = cs.with_notes(vec![format!("help: {help}")]);
        }
        cs
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_from_1_and_characters_not_bytes() {
        let f = SourceFile::new("t.clef", "let é = 1\n  x\n\nend");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(6), (1, 6)); // `é` is two bytes, one column
        assert_eq!(f.line_col(5), (1, 5)); // inside `é`: its start
        assert_eq!(f.line_col(13), (2, 3));
        assert_eq!(f.line_col(15), (3, 1));
        assert_eq!(f.line_col(99), (4, 4)); // past the end: clamped
        assert_eq!(f.lines().line_col(13), (1, 2));
    }

    #[test]
    fn internal_errors_name_the_compiler_line_not_the_program() {
        let bug = InternalError::new("code generation", "no storage for n12");
        assert_eq!(bug.location.file(), file!());
        assert_eq!(bug.location.line(), line!() - 2);
        let text = bug.to_string();
        assert!(text.starts_with(
            "error: internal compiler error in code generation: no storage for n12\n"
        ));
        assert!(text.contains(&format!("clefc source {}:", file!())));
        assert!(text.contains("please report it"));
        assert!(!text.contains("E09"), "{text}");
    }
}
