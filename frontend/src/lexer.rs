//! The lexer: source text → raw tokens with byte spans (logos).
//!
//! Invariant: every byte of the input is either inside a token, whitespace,
//! a comment, or reported by a lexical diagnostic (E01xx). The lexer never
//! stops early: after an error it resumes at the next character, so one run
//! reports every lexical error. Layout (virtual tokens) is added later by
//! [`crate::layout`].

use crate::diagnostics::{Diagnostic, Span};
pub use crate::interpolation::InterpPart;
use crate::interpolation::{interp_lit, interpolation};
use logos::{FilterResult, Logos};
use std::fmt;

/// Integer literal suffixes, as in F#: none (int), `L` (int64), `uy` (byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntSuffix {
    None,
    L,
    Uy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LexError {
    #[default]
    UnexpectedChar,
    UnterminatedComment,
    UnterminatedString,
    BadEscape,
    /// `'😀'`: two UTF-16 units, not one `char`.
    WideChar,
    IntegerTooLarge,
    BadNumber,
    Tab,
    /// `{x:F2}` in an interpolated string: .NET format strings.
    InterpolationFormat,
}

fn tab(_: &mut logos::Lexer<Tok>) -> Result<(), LexError> {
    Err(LexError::Tab)
}

/// A `#` directive at the start of a line: `#light` (on, the default)
/// and `#nowarn` mean nothing to change and are skipped; any other
/// (`#light "off"`, `#r`, `#load`, `#if`) is a token the parser reports
/// as not supported. Elsewhere `#` is an unexpected character.
fn directive(lex: &mut logos::Lexer<Tok>) -> FilterResult<String, LexError> {
    let start = lex.span().start;
    if start > 0 && lex.source().as_bytes()[start - 1] != b'\n' {
        return FilterResult::Error(LexError::UnexpectedChar);
    }
    let text = lex.slice().trim_end();
    let word = text.split_whitespace().next().unwrap_or(text);
    let skipped = match word {
        "#light" => !text.contains("\"off\""),
        "#nowarn" => true,
        _ => false,
    };
    if skipped {
        FilterResult::Skip
    } else {
        FilterResult::Emit(word.to_string())
    }
}

fn block_comment(lex: &mut logos::Lexer<Tok>) -> FilterResult<(), LexError> {
    // `(*)` is the multiplication operator in parentheses, not a comment.
    let rest = lex.remainder();
    if rest.starts_with(')') {
        // Emitted as a BlockComment token spanning `(*)`; `lex` splits it.
        lex.bump(1);
        return FilterResult::Emit(());
    }
    let bytes = rest.as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"(*") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*)") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                lex.bump(i);
                return FilterResult::Skip;
            }
        } else {
            i += 1;
        }
    }
    lex.bump(bytes.len());
    FilterResult::Error(LexError::UnterminatedComment)
}

fn char_lit(lex: &mut logos::Lexer<Tok>) -> Result<u32, LexError> {
    let s = lex.slice();
    let inner = &s[1..s.len() - 1];
    let Some(escaped) = inner.strip_prefix('\\') else {
        let c = inner.chars().next().ok_or(LexError::BadEscape)?;
        // A character outside the BMP is two UTF-16 units, not one char.
        return u16::try_from(c as u32)
            .map(u32::from)
            .map_err(|_| LexError::WideChar);
    };
    if let Some(hex) = escaped.strip_prefix('u') {
        return u32::from_str_radix(hex, 16).map_err(|_| LexError::BadEscape);
    }
    escaped
        .chars()
        .next()
        .and_then(escape)
        .map(|c| c as u32)
        .ok_or(LexError::BadEscape)
}

/// `@"C:\temp"`: no escapes; `""` is one quote.
fn verbatim_lit(lex: &mut logos::Lexer<Tok>) -> Result<String, LexError> {
    let rest = lex.remainder();
    let mut out = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '"' {
            out.push(c);
        } else if chars.peek().is_some_and(|&(_, n)| n == '"') {
            chars.next();
            out.push('"');
        } else {
            lex.bump(i + 1);
            return Ok(out);
        }
    }
    lex.bump(rest.len());
    Err(LexError::UnterminatedString)
}

/// `"""say "hi" """`: no escapes, up to the next `"""`.
fn triple_quoted_lit(lex: &mut logos::Lexer<Tok>) -> Result<String, LexError> {
    let rest = lex.remainder();
    match rest.find("\"\"\"") {
        Some(end) => {
            lex.bump(end + 3);
            Ok(rest[..end].to_string())
        }
        None => {
            lex.bump(rest.len());
            Err(LexError::UnterminatedString)
        }
    }
}

fn string_lit(lex: &mut logos::Lexer<Tok>) -> Result<String, LexError> {
    let rest = lex.remainder();
    let mut out = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                lex.bump(i + 1);
                return Ok(out);
            }
            '\\' => match escaped(lex, rest, chars.next())? {
                Some(e) => out.push(e),
                None => break,
            },
            c => out.push(c),
        }
    }
    lex.bump(rest.len());
    Err(LexError::UnterminatedString)
}

/// After a `\` in a string of `rest`, given what follows it: the
/// character the escape stands for (`None` at the end of the input), or
/// `BadEscape` with the lexer moved past the string.
pub(crate) fn escaped(
    lex: &mut logos::Lexer<Tok>,
    rest: &str,
    next: Option<(usize, char)>,
) -> Result<Option<char>, LexError> {
    let Some((j, c)) = next else {
        return Ok(None);
    };
    match escape(c) {
        Some(e) => Ok(Some(e)),
        None => {
            lex.bump(skip_to_string_end(rest, j));
            Err(LexError::BadEscape)
        }
    }
}

/// What `\c` stands for in a string or character literal: `\n \t \r
/// \b \a \f \v \0 \\ \" \'`.
fn escape(c: char) -> Option<char> {
    Some(match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        'b' => '\u{8}',
        'a' => '\u{7}',
        'f' => '\u{c}',
        'v' => '\u{b}',
        '0' => '\0',
        '\\' => '\\',
        '"' => '"',
        '\'' => '\'',
        _ => return None,
    })
}

/// After a bad escape, skip to the closing quote so lexing resumes sensibly.
pub(crate) fn skip_to_string_end(rest: &str, from: usize) -> usize {
    rest[from..].find('"').map_or(rest.len(), |k| from + k + 1)
}

fn int_lit(lex: &mut logos::Lexer<Tok>) -> Result<(u64, IntSuffix), LexError> {
    let text = lex.slice();
    let (digits, suffix) = if let Some(d) = text.strip_suffix("uy") {
        (d, IntSuffix::Uy)
    } else if let Some(d) = text.strip_suffix('L') {
        (d, IntSuffix::L)
    } else {
        (text, IntSuffix::None)
    };
    let digits = digits.replace('_', "");
    let parsed = if let Some(hex) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16)
    } else if let Some(bin) = digits.strip_prefix("0b").or(digits.strip_prefix("0B")) {
        u64::from_str_radix(bin, 2)
    } else {
        digits.parse::<u64>()
    };
    parsed
        .map(|v| (v, suffix))
        .map_err(|_| LexError::IntegerTooLarge)
}

fn float_lit(lex: &mut logos::Lexer<Tok>) -> Result<(f64, bool), LexError> {
    let text = lex.slice().replace('_', "");
    let (digits, is_f32) = match text.strip_suffix(['f', 'F']) {
        Some(d) => (d.to_string(), true),
        None => (text, false),
    };
    digits
        .parse::<f64>()
        .map(|v| (v, is_f32))
        .map_err(|_| LexError::BadNumber)
}

#[derive(Logos, Debug, Clone, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \r\n\f\u{feff}]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
pub enum Tok {
    #[token("(*", block_comment)]
    BlockComment,
    #[token("\t", tab)]
    TabChar,

    // Keywords.
    #[token("let")]
    Let,
    #[token("rec")]
    Rec,
    #[token("and")]
    And,
    #[token("mutable")]
    Mutable,
    /// A compiler directive this version does not accept (`#r`, `#if`).
    #[regex(r"#[a-z]+[^\n]*", directive, allow_greedy = true)]
    Directive(String),
    /// `inline`: accepted and ignored (every call may be inlined anyway).
    #[token("inline")]
    Inline,
    /// `private`, `internal`, `public`: a program is one file, so every
    /// accessibility means the same.
    #[token("private", |l| l.slice().to_string())]
    #[token("internal", |l| l.slice().to_string())]
    #[token("public", |l| l.slice().to_string())]
    Access(String),
    #[token("in")]
    In,
    #[token("if")]
    If,
    #[token("then")]
    Then,
    #[token("elif")]
    Elif,
    #[token("else")]
    Else,
    #[token("while")]
    While,
    #[token("do")]
    Do,
    #[token("done")]
    Done,
    #[token("for")]
    For,
    #[token("yield")]
    Yield,
    /// Computation-expression keywords (`let!`, `do!`, `return`, …): parsed,
    /// then reported, as computation expressions are not supported yet.
    #[token("let!")]
    LetBang,
    #[token("use!")]
    UseBang,
    #[token("do!")]
    DoBang,
    #[token("match!")]
    MatchBang,
    #[token("return")]
    Return,
    #[token("return!")]
    ReturnBang,
    /// `name {` opening a computation expression (`async {`), as the
    /// parser's token pass tells it from a record argument (`f { X = 1 }`).
    CeOpen(String),
    /// `yield!` (one token, as F# lexes it)
    #[token("yield!")]
    YieldBang,
    #[token("to")]
    To,
    #[token("downto")]
    Downto,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("module")]
    Module,
    #[token("open")]
    Open,
    #[token("begin")]
    Begin,
    #[token("fun")]
    Fun,
    #[token("function")]
    Function,
    #[token("match")]
    Match,
    #[token("with")]
    With,
    #[token("when")]
    When,
    #[token("as")]
    As,
    #[token("type")]
    Type,
    #[token("use")]
    Use,
    #[token("of")]
    Of,
    #[token("end")]
    End,
    #[token("try")]
    Try,
    #[token("finally")]
    Finally,
    #[token("exception")]
    Exception,
    #[token("member")]
    Member,
    #[token("static")]
    Static,
    #[token("new")]
    New,
    #[token("interface")]
    Interface,
    /// Keywords of F# that this version of Clef does not accept yet; the
    /// parser reports them with a "not supported" diagnostic.
    #[token("lazy", |l| l.slice().to_string())]
    #[token("namespace", |l| l.slice().to_string())]
    #[token("struct", |l| l.slice().to_string())]
    #[token("null", |l| l.slice().to_string())]
    FutureKeyword(String),

    #[regex(r"[A-Za-z_][A-Za-z0-9_']*", |l| l.slice().to_string())]
    Ident(String),
    /// `(|Even|Odd|)`, `(|Int|_|)`: an active pattern's name, without the
    /// parentheses (`|Even|Odd|`).
    #[regex(r"\(\|[A-Za-z_][A-Za-z0-9_']*(\|[A-Za-z_][A-Za-z0-9_']*)*\|\)", |l| { let s = l.slice(); s[1..s.len() - 1].to_string() })]
    ActiveName(String),
    #[regex(r"'[A-Za-z_][A-Za-z0-9_]*", |l| l.slice()[1..].to_string())]
    TypeVar(String),
    /// `'a'`, `'\n'`, `'\u0041'`: the character's code (a UTF-16 unit, as
    /// .NET's `char`).
    #[regex(r"'([^'\\\n]|\\.)'", char_lit)]
    #[regex(r"'\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]'", char_lit)]
    CharLit(u32),

    #[regex(r"[0-9][0-9_]*(L|uy)?", int_lit)]
    #[regex(r"0[xX][0-9a-fA-F][0-9a-fA-F_]*(L|uy)?", int_lit)]
    #[regex(r"0[bB][01][01_]*(L|uy)?", int_lit)]
    Int((u64, IntSuffix)),
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9]+)?[fF]?", float_lit)]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9]+[fF]?", float_lit)]
    #[regex(r"[0-9][0-9_]*[fF]", float_lit)]
    Float((f64, bool)),
    #[token("\"", string_lit)]
    #[token("@\"", verbatim_lit)]
    #[token("\"\"\"", triple_quoted_lit)]
    Str(String),
    /// `$"…{x}…"`; `lex` turns it into the tokens of `("…" + string (x) + "…")`.
    #[token("$\"", interp_lit)]
    Interp(Vec<InterpPart>),

    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBrack,
    #[token("]")]
    RBrack,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[|")]
    LArrayBrack,
    #[token("|]")]
    RArrayBrack,
    #[token("[<")]
    LAttr,
    #[token(">]")]
    RAttr,
    #[token(".[")]
    DotLBrack,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token(":?")]
    ColonQuestion,
    #[token(":>")]
    Upcast,
    #[token("abstract")]
    Abstract,
    #[token(":")]
    Colon,
    #[token("::")]
    ColonColon,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("->")]
    Arrow,
    #[token("<-")]
    LArrow,
    #[token("=")]
    Eq,
    #[token("<>")]
    Ne,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("<=")]
    Le,
    #[token(">=")]
    Ge,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("**")]
    StarStar,
    /// `&x`: the address of a mutable, for .NET calls taking a `byref`.
    #[token("&")]
    Amp,
    #[token("&&")]
    AmpAmp,
    #[token("||")]
    BarBar,
    #[token("&&&")]
    AmpAmpAmp,
    #[token("|||")]
    BarBarBar,
    #[token("^^^")]
    HatHatHat,
    #[token("<<<")]
    LtLtLt,
    #[token(">>>")]
    GtGtGt,
    #[token("|>")]
    PipeRight,
    #[token("<|")]
    PipeLeft,
    #[token(">>")]
    Compose,
    #[token("<<")]
    ComposeBack,
    #[token("|")]
    Bar,
    #[token("@")]
    At,
    #[token("^")]
    Hat,
    #[token("_", priority = 10)]
    Underscore,

    // Virtual tokens inserted by the layout filter (never produced by logos).
    /// Start of an offside block (F#'s `$begin` / OBLOCKBEGIN).
    VBegin,
    /// Separator between items of the same block (OBLOCKSEP).
    VSep,
    /// End of an offside block (OBLOCKEND).
    VEnd,
    /// `<` opening explicit type arguments, glued to a name (`f<int>`).
    TypeAppOpen,
    /// The `>` that closes explicit type arguments.
    TypeAppClose,
    /// A `-` that is preceded by whitespace and glued to its operand, as in
    /// `f -1`: F#'s ADJACENT_PREFIX_OP, which makes it an argument.
    PrefixMinus,
    /// `[<Measure>]`, made one token by the parser's driver so the grammar
    /// can tell a measure declaration from a union.
    MeasureAttr,
    /// The `=` of a type abbreviation whose right side cannot be a union
    /// (`type P = int * int`), from the parser's token pass.
    AbbrevEq,
}

impl Tok {
    /// Binary operators that may start a continuation line at the block's
    /// column (F#'s infix exception to the offside rule).
    pub fn is_infix(&self) -> bool {
        use Tok::*;
        matches!(
            self,
            Eq | Ne
                | Lt
                | Gt
                | Le
                | Ge
                | Plus
                | Minus
                | Star
                | Slash
                | Percent
                | StarStar
                | AmpAmp
                | BarBar
                | AmpAmpAmp
                | BarBarBar
                | HatHatHat
                | LtLtLt
                | GtGtGt
                | PipeRight
                | PipeLeft
                | Compose
                | ComposeBack
                | ColonColon
                | At
                | Hat
        )
    }

    /// Length in characters of the token's text, for the infix offside rule.
    pub fn infix_len(&self) -> usize {
        use Tok::*;
        match self {
            Eq | Lt | Gt | Plus | Minus | Star | Slash | Percent | At | Hat => 1,
            AmpAmpAmp | BarBarBar | HatHatHat | LtLtLt | GtGtGt => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Tok::*;
        let s = match self {
            Ident(s) => return write!(f, "identifier `{s}`"),
            ActiveName(s) => return write!(f, "active pattern `({s})`"),
            TypeVar(s) => return write!(f, "type variable `'{s}`"),
            CharLit(_) => "character literal",
            Interp(_) => "interpolated string",
            FutureKeyword(s) => return write!(f, "keyword `{s}`"),
            Int((v, _)) => return write!(f, "integer literal `{v}`"),
            Float((v, _)) => return write!(f, "float literal `{v}`"),
            Str(_) => "string literal",
            BlockComment => "comment",
            TabChar => "tab",
            Let => "`let`",
            Rec => "`rec`",
            And => "`and`",
            Mutable => "`mutable`",
            Inline => "`inline`",
            Amp => "`&`",
            Directive(s) => return write!(f, "directive `{s}`"),
            Access(s) => return write!(f, "`{s}`"),
            In => "`in`",
            If => "`if`",
            Then => "`then`",
            Elif => "`elif`",
            Else => "`else`",
            While => "`while`",
            Do => "`do`",
            Done => "`done`",
            For => "`for`",
            Yield => "`yield`",
            LetBang => "`let!`",
            UseBang => "`use!`",
            DoBang => "`do!`",
            MatchBang => "`match!`",
            Return => "`return`",
            ReturnBang => "`return!`",
            CeOpen(s) => return write!(f, "`{s} {{`"),
            YieldBang => "`yield!`",
            To => "`to`",
            Downto => "`downto`",
            True => "`true`",
            False => "`false`",
            Module => "`module`",
            Open => "`open`",
            Begin => "`begin`",
            Fun => "`fun`",
            Function => "`function`",
            Match => "`match`",
            With => "`with`",
            When => "`when`",
            As => "`as`",
            Type => "`type`",
            Use => "`use`",
            Of => "`of`",
            LBrace => "`{`",
            RBrace => "`}`",
            End => "`end`",
            Try => "`try`",
            Finally => "`finally`",
            Exception => "`exception`",
            Member => "`member`",
            Static => "`static`",
            New => "`new`",
            Interface => "`interface`",
            ColonQuestion => "`:?`",
            Upcast => "`:>`",
            Abstract => "`abstract`",
            LParen => "`(`",
            RParen => "`)`",
            LBrack => "`[`",
            RBrack => "`]`",
            LArrayBrack => "`[|`",
            RArrayBrack => "`|]`",
            LAttr => "`[<`",
            RAttr => "`>]`",
            DotLBrack => "`.[`",
            Comma => "`,`",
            Semi => "`;`",
            Colon => "`:`",
            ColonColon => "`::`",
            Dot => "`.`",
            DotDot => "`..`",
            Arrow => "`->`",
            LArrow => "`<-`",
            Eq => "`=`",
            Ne => "`<>`",
            Lt => "`<`",
            Gt => "`>`",
            Le => "`<=`",
            Ge => "`>=`",
            Plus => "`+`",
            Minus | PrefixMinus => "`-`",
            MeasureAttr => "`[<Measure>]`",
            AbbrevEq => "`=`",
            Star => "`*`",
            Slash => "`/`",
            Percent => "`%`",
            StarStar => "`**`",
            AmpAmp => "`&&`",
            BarBar => "`||`",
            AmpAmpAmp => "`&&&`",
            BarBarBar => "`|||`",
            HatHatHat => "`^^^`",
            LtLtLt => "`<<<`",
            GtGtGt => "`>>>`",
            PipeRight => "`|>`",
            PipeLeft => "`<|`",
            Compose => "`>>`",
            ComposeBack => "`<<`",
            Bar => "`|`",
            At => "`@`",
            Hat => "`^`",
            Underscore => "`_`",
            TypeAppOpen => "`<`",
            TypeAppClose => "`>`",
            VBegin => "start of block",
            VSep => "new line in block",
            VEnd => "end of block",
        };
        f.write_str(s)
    }
}

/// A token with its byte span.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Lex a whole file. Returns every token and every lexical diagnostic.
pub fn lex(src: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut tokens = Vec::new();
    let mut diags = Vec::new();
    let mut lexer = Tok::lexer(src);
    while let Some(result) = lexer.next() {
        let range = lexer.span();
        let span = Span::new(range.start, range.end);
        match result {
            Ok(Tok::BlockComment) => {
                // Only `(*)` gets here: the operator `*` in parentheses.
                let s = span.start as usize;
                for (i, tok) in [Tok::LParen, Tok::Star, Tok::RParen]
                    .into_iter()
                    .enumerate()
                {
                    tokens.push(Token {
                        tok,
                        span: Span::new(s + i, s + i + 1),
                    });
                }
            }
            Ok(Tok::Interp(parts)) => interpolation(parts, span, &mut tokens, &mut diags),
            Ok(tok) => tokens.push(Token { tok, span }),
            Err(e) => {
                // A malformed literal still stands for a value, so the
                // parser does not report a second, misleading error.
                let placeholder = match e {
                    LexError::IntegerTooLarge | LexError::BadNumber => {
                        Some(Tok::Int((0, IntSuffix::None)))
                    }
                    LexError::WideChar => Some(Tok::CharLit(0)),
                    LexError::BadEscape if lexer.slice().starts_with('\'') => Some(Tok::CharLit(0)),
                    LexError::BadEscape
                    | LexError::UnterminatedString
                    | LexError::InterpolationFormat => Some(Tok::Str(String::new())),
                    _ => None,
                };
                if let Some(tok) = placeholder {
                    tokens.push(Token { tok, span });
                }
                diags.push(lex_error(e, span, lexer.slice()))
            }
        }
    }
    (tokens, diags)
}

fn lex_error(e: LexError, span: Span, text: &str) -> Diagnostic {
    match e {
        LexError::UnexpectedChar => {
            let c = text.chars().next().unwrap_or(' ');
            let help = if c.is_ascii() {
                format!("`{}` has no meaning in this version of Clef", c.escape_debug())
            } else {
                "Clef source uses ASCII operators and identifiers outside strings and comments".to_string()
            };
            Diagnostic::error("E0101", format!("unexpected character `{}`", c.escape_debug()), span)
                .with_label("not valid here")
                .with_help(help)
        }
        LexError::UnterminatedComment => Diagnostic::error(
            "E0102",
            "unterminated block comment",
            Span::new(span.start as usize, span.start as usize + 2),
        )
        .with_label("this `(*` is never closed")
        .with_help("close the comment with `*)`; block comments nest, so every `(*` inside needs its own `*)`"),
        LexError::UnterminatedString => Diagnostic::error(
            "E0103",
            "unterminated string literal",
            Span::new(span.start as usize, span.start as usize + 1),
        )
        .with_label("this string is never closed")
        .with_help("add a closing `\"`"),
        LexError::BadEscape => Diagnostic::error("E0104", "unknown escape sequence in string", span)
            .with_label("contains an unknown escape")
            .with_help("the escapes are \\n \\t \\r \\b \\a \\f \\v \\0 \\\\ \\\" \\' and \\uXXXX in a character"),
        LexError::WideChar => Diagnostic::error("E0104", "this character does not fit in a `char`", span)
            .with_label("outside the Basic Multilingual Plane")
            .with_help("a `char` is one UTF-16 unit, as in .NET; write the character in a string instead"),
        LexError::IntegerTooLarge => Diagnostic::error("E0105", "integer literal is too large", span)
            .with_label("does not fit in 64 bits")
            .with_help("use a smaller value"),
        LexError::BadNumber => Diagnostic::error("E0106", "malformed number literal", span)
            .with_label("not a valid number"),
        LexError::InterpolationFormat => Diagnostic::error(
            "E0303",
            "format specifiers in interpolated strings (`{x:F2}`) are not supported yet",
            span,
        )
        .with_label("a .NET format string after `:`")
        .with_help("format the value first: `{sprintf \"%.2f\" x}`"),
        LexError::Tab => Diagnostic::error("E0107", "tab characters are not allowed in Clef source", span)
            .with_label("tab here")
            .with_help("indentation is significant: use spaces, as F# requires"),
    }
}
