//! Buffered standard output with F#'s formatting of values.

use crate::abi::ClefStr;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

static STDOUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());
const FLUSH_AT: usize = 1 << 16;

/// Open `sprintf` captures, innermost last: while one is open, printing
/// appends to it instead of stdout.
static CAPTURES: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// Characters since the last newline written (for `%A` layout).
static COLUMN: AtomicUsize = AtomicUsize::new(0);

/// Print through the buffered stdout (as `printf` in compiled programs).
pub fn print(bytes: &[u8]) {
    write(bytes)
}

fn write(bytes: &[u8]) {
    match bytes.iter().rposition(|&b| b == b'\n') {
        Some(i) => COLUMN.store(bytes.len() - i - 1, Ordering::Relaxed),
        None => {
            COLUMN.fetch_add(bytes.len(), Ordering::Relaxed);
        }
    }
    {
        let mut captures = CAPTURES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(top) = captures.last_mut() {
            top.extend_from_slice(bytes);
            return;
        }
    }
    let mut buf = STDOUT.lock().unwrap_or_else(|e| e.into_inner());
    buf.extend_from_slice(bytes);
    if buf.len() >= FLUSH_AT {
        flush_buffer(&mut buf);
    }
}

fn flush_buffer(buf: &mut Vec<u8>) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (e.g. `| head`) must not crash the program.
    let _ = out.write_all(buf);
    let _ = out.flush();
    buf.clear();
}

/// From a fault handler: write out the buffered output with `write(2)`,
/// unless the fault interrupted a writer holding the buffer.
pub(crate) fn flush_for_fault() {
    if let Ok(mut buf) = STDOUT.try_lock() {
        crate::fault::write_fd(1, &buf);
        buf.clear();
    }
}

/// Write out everything buffered so far.
pub fn flush() {
    let mut buf = STDOUT.lock().unwrap_or_else(|e| e.into_inner());
    flush_buffer(&mut buf);
}

/// `%f` as F# prints it: fixed notation with `precision` decimals
/// (6 by default), and `Infinity`, `-Infinity`, `NaN`.
pub fn format_float(v: f64, precision: Option<usize>) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        format!("{:.*}", precision.unwrap_or(6), v)
    }
}

/// # Safety
/// `s` must be a valid Clef string.
#[no_mangle]
pub unsafe extern "C" fn barewire_print_str(s: *const ClefStr) {
    write(ClefStr::as_bytes(s));
}

#[no_mangle]
pub extern "C" fn barewire_print_i32(v: i32) {
    write(v.to_string().as_bytes());
}

#[no_mangle]
pub extern "C" fn barewire_print_i64(v: i64) {
    write(v.to_string().as_bytes());
}

#[no_mangle]
pub extern "C" fn barewire_print_u8(v: u8) {
    write(v.to_string().as_bytes());
}

/// `precision < 0` means the default (6).
#[no_mangle]
pub extern "C" fn barewire_print_f64(v: f64, precision: i32) {
    let p = usize::try_from(precision).ok();
    write(format_float(v, p).as_bytes());
}

#[no_mangle]
pub extern "C" fn barewire_print_bool(v: i8) {
    write(if v != 0 { b"true" } else { b"false" });
}

#[no_mangle]
pub extern "C" fn barewire_print_newline() {
    write(b"\n");
}

/// The current output column (0-based), for `%A`'s record layout.
#[no_mangle]
pub extern "C" fn barewire_column() -> i64 {
    COLUMN.load(Ordering::Relaxed) as i64
}

/// A newline, then spaces up to `column`.
#[no_mangle]
pub extern "C" fn barewire_print_newline_to(column: i64) {
    let mut text = vec![b'\n'];
    text.resize(1 + column.max(0) as usize, b' ');
    write(&text);
}

/// A string as `%A` shows it: quoted, with `"` and `\` escaped.
///
/// # Safety
/// `s` must be a valid Clef string.
#[no_mangle]
pub unsafe extern "C" fn barewire_print_quoted(s: *const ClefStr) {
    write(quoted(ClefStr::as_bytes(s)).as_bytes());
}

/// A string as `%A` shows it: quoted, with `"` and `\` escaped.
pub fn quoted(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    format!("{text:?}")
}

/// A float as `%A` shows it: shortest round-trip digits, always with a
/// fractional part or an exponent (`1.0`, `3.14`, `1e+20`); `f` marks
/// a `float32`.
pub fn structured_float(v: f64, single: bool) -> String {
    let suffix = if single { "f" } else { "" };
    if v.is_nan() {
        return format!("nan{suffix}");
    }
    if v.is_infinite() {
        return format!("{}infinity{suffix}", if v < 0.0 { "-" } else { "" });
    }
    let text = if single {
        format!("{}", v as f32)
    } else {
        format!("{v}")
    };
    let a = v.abs();
    let body = if a != 0.0 && !(1e-5..1e15).contains(&a) {
        let e = if single {
            format!("{:e}", v as f32)
        } else {
            format!("{v:e}")
        };
        let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let (sign, digits) = exp.strip_prefix('-').map_or(("+", exp), |d| ("-", d));
        format!("{mantissa}e{sign}{digits:0>2}")
    } else if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    };
    format!("{body}{suffix}")
}

#[no_mangle]
pub extern "C" fn barewire_print_float_structured(v: f64, single: i8) {
    write(structured_float(v, single != 0).as_bytes());
}

/// Start capturing printed text (`sprintf`).
#[no_mangle]
pub extern "C" fn barewire_capture_begin() {
    capture_begin()
}

/// Start capturing printed text (`sprintf`).
pub fn capture_begin() {
    CAPTURES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Vec::new());
}

/// Stop the innermost capture and return its text as a Clef string.
#[no_mangle]
pub extern "C" fn barewire_capture_end() -> *const ClefStr {
    ClefStr::alloc(&capture_end())
}

/// Stop the innermost capture and return its text.
pub fn capture_end() -> Vec<u8> {
    CAPTURES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop()
        .unwrap_or_default()
}

/// .NET's `Double.ToString()`: the shortest text that reads back the
/// same value, `E` notation from 1E+15 and below 1E-05.
pub fn dotnet_float(v: f64) -> String {
    if v.is_nan() || v.is_infinite() {
        return format_float(v, None);
    }
    let a = v.abs();
    if a != 0.0 && !(1e-5..1e15).contains(&a) {
        let s = format!("{v:E}");
        // Rust writes `1E15` / `1E-7`; .NET writes `1E+15` / `1E-07`.
        let (mantissa, exp) = s.split_once('E').unwrap_or((&s, "0"));
        let (sign, digits) = exp.strip_prefix('-').map_or(("+", exp), |d| ("-", d));
        return format!("{mantissa}E{sign}{digits:0>2}");
    }
    format!("{v}")
}

#[no_mangle]
pub extern "C" fn barewire_string_of_i64(v: i64) -> *const ClefStr {
    ClefStr::alloc(v.to_string().as_bytes())
}

#[no_mangle]
pub extern "C" fn barewire_string_of_f64(v: f64) -> *const ClefStr {
    ClefStr::alloc(dotnet_float(v).as_bytes())
}

/// `float32` values print with single precision's shortest digits.
#[no_mangle]
pub extern "C" fn barewire_string_of_f32(v: f64) -> *const ClefStr {
    ClefStr::alloc(dotnet_float32(v).as_bytes())
}

/// `string` of a `float32` (passed widened to `f64`).
pub fn dotnet_float32(v: f64) -> String {
    dotnet_float((v as f32).to_string().parse::<f64>().unwrap_or(v))
}

/// `string true` is `"True"` in F#.
#[no_mangle]
pub extern "C" fn barewire_string_of_bool(v: i8) -> *const ClefStr {
    ClefStr::alloc(string_of_bool(v != 0).as_bytes())
}

/// `string true` is `"True"` in F#.
pub fn string_of_bool(v: bool) -> &'static str {
    if v {
        "True"
    } else {
        "False"
    }
}

#[cfg(test)]
mod tests {
    use super::format_float;

    #[test]
    fn structured_floats_look_like_fsharp_percent_a() {
        use super::structured_float;
        assert_eq!(structured_float(1.0, false), "1.0");
        assert_eq!(structured_float(2.75, false), "2.75");
        assert_eq!(structured_float(1e20, false), "1e+20");
        assert_eq!(structured_float(1.5, true), "1.5f");
        assert_eq!(structured_float(f64::NAN, false), "nan");
    }

    #[test]
    fn string_of_floats_is_dotnet_tostring() {
        use super::dotnet_float;
        assert_eq!(dotnet_float(3.5), "3.5");
        assert_eq!(dotnet_float(1.0), "1");
        assert_eq!(dotnet_float(0.1), "0.1");
        assert_eq!(dotnet_float(1e15), "1E+15");
        assert_eq!(dotnet_float(1.5e-7), "1.5E-07");
        assert_eq!(dotnet_float(-2.0), "-2");
    }

    #[test]
    fn floats_print_like_fsharp() {
        assert_eq!(format_float(2.71, None), "2.710000");
        assert_eq!(format_float(2.5, Some(2)), "2.50");
        assert_eq!(format_float(1.0, Some(0)), "1");
        assert_eq!(format_float(f64::INFINITY, None), "Infinity");
        assert_eq!(format_float(f64::NEG_INFINITY, None), "-Infinity");
        assert_eq!(format_float(f64::NAN, Some(2)), "NaN");
    }
}

/// `%x`, `%X`, `%o` of an integer of `bits` bits: its two's-complement
/// bits in base 16 (lower or upper case) or 8, as F# prints them
/// (`%x` of `-1` is `ffffffff`).
pub fn format_radix(v: i64, bits: u32, conv: char) -> String {
    let mask = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let u = v as u64 & mask;
    match conv {
        'X' => format!("{u:X}"),
        'o' => format!("{u:o}"),
        _ => format!("{u:x}"),
    }
}

/// `%x`, `%X` (`conv` 1) or `%o` (`conv` 2) of an integer of `bits` bits.
#[no_mangle]
pub extern "C" fn barewire_print_radix(v: i64, bits: i32, conv: i32) {
    let c = match conv {
        1 => 'X',
        2 => 'o',
        _ => 'x',
    };
    write(format_radix(v, bits.clamp(1, 64) as u32, c).as_bytes());
}

/// A hole's text adjusted by its flags and width (see
/// `clef_psg::Padding::bits`: 1 `-`, 2 `0`, 4 `+`, 8 ` `). `numeric`
/// holes get the sign flags and zero padding after their sign; others
/// are padded with spaces.
pub fn pad(text: &str, width: usize, flags: i32, numeric: bool) -> String {
    let (left, zero, plus, space) = (
        flags & 1 != 0,
        flags & 2 != 0,
        flags & 4 != 0,
        flags & 8 != 0,
    );
    let mut body = text.to_string();
    if numeric && !body.starts_with('-') {
        if plus {
            body.insert(0, '+');
        } else if space {
            body.insert(0, ' ');
        }
    }
    let len = body.chars().count();
    if len >= width {
        return body;
    }
    let fill = width - len;
    if left {
        body.push_str(&" ".repeat(fill));
        body
    } else if zero && numeric {
        let sign = body.starts_with(['-', '+', ' ']) as usize;
        format!("{}{}{}", &body[..sign], "0".repeat(fill), &body[sign..])
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

/// End a hole started by `barewire_capture_begin`: its text, padded,
/// goes where the hole was printed.
#[no_mangle]
pub extern "C" fn barewire_pad_end(width: i32, flags: i32, numeric: i8) {
    let text = capture_end();
    let text = String::from_utf8_lossy(&text);
    write(pad(&text, width.max(0) as usize, flags, numeric != 0).as_bytes());
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn radix_is_two_s_complement_of_the_width() {
        assert_eq!(format_radix(255, 32, 'x'), "ff");
        assert_eq!(format_radix(255, 32, 'X'), "FF");
        assert_eq!(format_radix(8, 32, 'o'), "10");
        assert_eq!(format_radix(-1, 32, 'x'), "ffffffff");
        assert_eq!(format_radix(-1, 64, 'x'), "ffffffffffffffff");
        assert_eq!(format_radix(-1, 8, 'x'), "ff");
    }

    #[test]
    fn padding_follows_the_flags() {
        assert_eq!(pad("42", 5, 0, true), "   42");
        assert_eq!(pad("42", 5, 1, true), "42   ");
        assert_eq!(pad("-42", 6, 2, true), "-00042");
        assert_eq!(pad("42", 5, 2 | 1, true), "42   ");
        assert_eq!(pad("42", 0, 4, true), "+42");
        assert_eq!(pad("-42", 0, 4, true), "-42");
        assert_eq!(pad("42", 0, 8, true), " 42");
        assert_eq!(pad("3.50", 7, 4 | 2, true), "+003.50");
        assert_eq!(pad("ab", 5, 2, false), "   ab");
        assert_eq!(pad("abcdef", 3, 0, false), "abcdef");
    }
}

/// A `char` (a UTF-16 code) as UTF-8 text; a lone surrogate is U+FFFD.
pub fn char_text(code: u32) -> String {
    char::from_u32(code)
        .unwrap_or(char::REPLACEMENT_CHARACTER)
        .to_string()
}

/// A `char` as `%A` shows it: `'a'`, with `'\n'`, `'\t'`, `'\r'`, `'\\'`,
/// `'\''` and `'\0'` escaped, as F# prints them.
pub fn quoted_char(code: u32) -> String {
    match char::from_u32(code) {
        Some('\n') => "'\\n'".into(),
        Some('\t') => "'\\t'".into(),
        Some('\r') => "'\\r'".into(),
        Some('\0') => "'\\000'".into(),
        Some('\\') => "'\\\\'".into(),
        Some('\'') => "'\\''".into(),
        _ => format!("'{}'", char_text(code)),
    }
}

/// `%c`.
#[no_mangle]
pub extern "C" fn barewire_print_char(code: i32) {
    write(char_text(code as u32).as_bytes());
}

/// `%A` of a `char`.
#[no_mangle]
pub extern "C" fn barewire_print_char_quoted(code: i32) {
    write(quoted_char(code as u32).as_bytes());
}

/// `string c`.
#[no_mangle]
pub extern "C" fn barewire_string_of_char(code: i32) -> *const ClefStr {
    ClefStr::alloc(char_text(code as u32).as_bytes())
}
