//! `int "42"`, `float "2.5"` and the other conversions of a string, as
//! FSharp.Core's `ParseInt32`/`ParseInt64`/`ParseByte` and
//! `Double.Parse(s, CultureInfo.InvariantCulture)` do them:
//!
//! * integers: surrounding white space is ignored; an optional sign; then
//!   either decimal digits, or a `0x`/`0o`/`0b` prefix (any case) and hex,
//!   octal or binary digits, whose bits are taken as the unsigned value of
//!   the type's width and then given the sign. Anything else is a format
//!   error; a value outside the type is an overflow, as .NET's messages
//!   say.
//! * floats: surrounding white space, an optional sign, digits with an
//!   optional `.` and exponent, or `Infinity`/`NaN` (any case, as .NET Core
//!   3.0 and later read them). Thousands separators, which .NET accepts,
//!   are not (docs/language.md).
//!
//! The runtime (for compiled programs) and the interpreter call these same
//! functions.

/// The integer types a string converts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntKind {
    Int32,
    Int64,
    Byte,
}

impl IntKind {
    /// The code generated code passes (`barewire_parse_int`).
    pub fn from_code(code: i32) -> IntKind {
        match code {
            1 => IntKind::Int64,
            2 => IntKind::Byte,
            _ => IntKind::Int32,
        }
    }
    pub fn code(self) -> i32 {
        match self {
            IntKind::Int32 => 0,
            IntKind::Int64 => 1,
            IntKind::Byte => 2,
        }
    }
    fn dotnet_name(self) -> &'static str {
        match self {
            IntKind::Int32 => "an Int32",
            IntKind::Int64 => "an Int64",
            IntKind::Byte => "an unsigned byte",
        }
    }
    fn bits(self) -> u32 {
        match self {
            IntKind::Int32 => 32,
            IntKind::Int64 => 64,
            IntKind::Byte => 8,
        }
    }
}

fn format_error(s: &str) -> String {
    format!("the input string '{s}' was not in a correct format")
}

/// .NET's white space, as `String.Trim()` removes it.
fn trim(s: &str) -> &str {
    s.trim_matches(char::is_whitespace)
}

/// The integer a string denotes, or the failure's message.
pub fn parse_int(s: &str, kind: IntKind) -> Result<i64, String> {
    let overflow = || {
        format!(
            "value was either too large or too small for {}",
            kind.dotnet_name()
        )
    };
    let t = trim(s);
    let (negative, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let radix = match rest.get(..2).map(|p| p.to_ascii_lowercase()) {
        Some(p) if p == "0x" => 16,
        Some(p) if p == "0o" => 8,
        Some(p) if p == "0b" => 2,
        _ => 10,
    };
    let digits = if radix == 10 { rest } else { &rest[2..] };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(format_error(s));
    }
    if radix == 10 {
        // Int32.Parse and friends: the value itself must fit the type.
        let magnitude: i128 = digits.parse().map_err(|_| overflow())?;
        let value = if negative { -magnitude } else { magnitude };
        let (min, max) = match kind {
            IntKind::Int32 => (i32::MIN as i128, i32::MAX as i128),
            IntKind::Int64 => (i64::MIN as i128, i64::MAX as i128),
            IntKind::Byte => (0, 255),
        };
        if value < min || value > max {
            return Err(overflow());
        }
        return Ok(value as i64);
    }
    // A prefixed literal is the type's bits, read as unsigned, then signed.
    let bits = u64::from_str_radix(digits, radix).map_err(|_| overflow())?;
    if kind.bits() < 64 && bits >> kind.bits() != 0 {
        return Err(overflow());
    }
    let value = match kind {
        IntKind::Int32 => bits as u32 as i32 as i64,
        IntKind::Int64 => bits as i64,
        IntKind::Byte => bits as i64,
    };
    Ok(match kind {
        // FSharp.Core's ParseByte takes no sign on prefixed literals.
        IntKind::Byte if negative && value != 0 => return Err(overflow()),
        _ if negative => value.wrapping_neg(),
        _ => value,
    })
}

/// The float a string denotes, or the failure's message.
pub fn parse_float(s: &str) -> Result<f64, String> {
    let t = trim(s);
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    if rest.eq_ignore_ascii_case("infinity") {
        return Ok(sign * f64::INFINITY);
    }
    if rest.eq_ignore_ascii_case("nan") {
        return Ok(f64::NAN);
    }
    // Rust's grammar without its `inf`/`nan` spellings and its own sign.
    let plain = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && rest.starts_with(|c: char| c.is_ascii_digit() || c == '.');
    match rest.parse::<f64>() {
        Ok(v) if plain => Ok(sign * v),
        _ => Err(format_error(s)),
    }
}

/// `char s`: the one UTF-16 unit of a one-character string, as .NET's
/// `Char.Parse` reads it.
pub fn parse_char(s: &str) -> Result<u32, &'static str> {
    let mut units = s.encode_utf16();
    match (units.next(), units.next()) {
        (Some(u), None) => Ok(u32::from(u)),
        _ => Err("String must be exactly one character long."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IntKind::*;

    // Expected values: Int32.Parse's documented examples (dotnet-api-docs,
    // system.Int32.Parse) for decimal input, and F#'s `int "0x…"` rules.
    #[test]
    fn int32_as_fsharp_parses_it() {
        assert_eq!(parse_int("+13230", Int32), Ok(13230));
        assert_eq!(parse_int("-0", Int32), Ok(0));
        assert_eq!(parse_int("007", Int32), Ok(7));
        assert_eq!(parse_int("  42\n", Int32), Ok(42));
        assert_eq!(parse_int("2147483647", Int32), Ok(2147483647));
        assert_eq!(parse_int("-2147483648", Int32), Ok(-2147483648));
        for bad in [
            "1,390,146",
            "$190,235,421,127",
            "16e07",
            "134985.0",
            "",
            "-",
            "1 2",
            "0x",
        ] {
            assert!(
                parse_int(bad, Int32)
                    .unwrap_err()
                    .contains("not in a correct format"),
                "{bad}"
            );
        }
        for big in ["2147483648", "-2147483649", "99999999999999999999999"] {
            assert!(
                parse_int(big, Int32)
                    .unwrap_err()
                    .contains("too large or too small"),
                "{big}"
            );
        }
        assert_eq!(parse_int("0xFA1B", Int32), Ok(0xFA1B));
        assert_eq!(parse_int("0XffffFFFF", Int32), Ok(-1));
        assert_eq!(parse_int("-0x10", Int32), Ok(-16));
        assert_eq!(parse_int("0o17", Int32), Ok(15));
        assert_eq!(parse_int("0b101", Int32), Ok(5));
        assert!(parse_int("0x100000000", Int32).is_err());
    }

    #[test]
    fn other_widths() {
        assert_eq!(parse_int("9223372036854775807", Int64), Ok(i64::MAX));
        assert!(parse_int("9223372036854775808", Int64).is_err());
        assert_eq!(parse_int("255", Byte), Ok(255));
        assert!(parse_int("256", Byte).is_err());
        assert!(parse_int("-1", Byte).is_err());
        assert_eq!(parse_int("0xff", Byte), Ok(255));
    }

    #[test]
    fn floats() {
        assert_eq!(parse_float("2.5"), Ok(2.5));
        assert_eq!(parse_float(" -1e3 "), Ok(-1000.0));
        assert_eq!(parse_float(".5"), Ok(0.5));
        assert_eq!(parse_float("Infinity"), Ok(f64::INFINITY));
        assert_eq!(parse_float("-infinity"), Ok(f64::NEG_INFINITY));
        assert!(parse_float("NaN").unwrap().is_nan());
        for bad in ["", "abc", "1.2.3", "inf", "--1", "1e"] {
            assert!(parse_float(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_char_is_one_utf16_unit_of_a_one_character_string() {
        assert_eq!(parse_char("a"), Ok(97));
        assert_eq!(parse_char("é"), Ok(0xE9));
        assert!(parse_char("").is_err());
        assert!(parse_char("ab").is_err());
        assert!(parse_char("😀").is_err());
    }
}
