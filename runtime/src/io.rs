//! Buffered standard output with F#'s formatting of values.

use crate::abi::ClefStr;
use std::io::Write;
use std::sync::Mutex;

static STDOUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());
const FLUSH_AT: usize = 1 << 16;

fn write(bytes: &[u8]) {
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

#[cfg(test)]
mod tests {
    use super::format_float;

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
