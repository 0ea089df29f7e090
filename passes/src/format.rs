//! `printf`-style format strings: `%d %i %x %X %o %f %.Nf %s %b %A %%`
//! with flags (`-`, `0`, `+`, space) and a width, as F# reads them
//! (type-checked against the arguments at compile time).

use clef_psg::{FormatPiece, Padding};

/// Parse a format string. On error, returns the byte offset (within the
/// string's contents) and a description.
pub fn parse_format(fmt: &str) -> Result<Vec<FormatPiece>, (usize, String)> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = fmt.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        let mut pad = Padding::default();
        while let Some(&(_, f)) = chars.peek() {
            match f {
                '-' => pad.left = true,
                '0' => pad.zero = true,
                '+' => pad.plus = true,
                ' ' => pad.space = true,
                _ => break,
            }
            chars.next();
        }
        let mut width = String::new();
        while let Some((_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
            width.push(*d);
            chars.next();
        }
        if !width.is_empty() {
            pad.width = width
                .parse::<u32>()
                .ok()
                .filter(|w| *w <= 1000)
                .ok_or((at, "a format width must be at most 1000".to_string()))?;
        }
        let mut precision = None;
        if let Some((_, '.')) = chars.peek() {
            chars.next();
            let mut digits = String::new();
            while let Some((_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            precision = Some(digits.parse::<u32>().ok().filter(|p| *p <= 30).ok_or((
                at,
                "`%.` must be followed by a precision from 0 to 30".to_string(),
            ))?);
        }
        let conv = match chars.next() {
            Some((_, '%')) if precision.is_none() && pad.is_none() => {
                text.push('%');
                continue;
            }
            Some((_, c)) if precision.is_some() && c != 'f' => {
                return Err((
                    at,
                    format!("a precision (`%.N`) applies only to `%f`, not `%{c}`"),
                ))
            }
            Some((_, conv @ ('d' | 'i' | 'x' | 'X' | 'o' | 's' | 'b' | 'c'))) => conv,
            Some((_, 'A')) if precision.is_none() && pad.is_none() => 'A',
            Some((_, 'A')) => {
                return Err((
                    at,
                    "`%A` takes no flags, width or precision here".to_string(),
                ))
            }
            Some((_, 'f')) => 'f',
            Some((_, other)) => {
                return Err((
                    at,
                    format!("`%{other}` is not a supported format specifier"),
                ));
            }
            None => return Err((at, "the format string ends with a lone `%`".to_string())),
        };
        flush(&mut text, &mut pieces);
        pieces.push(FormatPiece::Hole {
            conv,
            precision: if conv == 'f' { precision } else { None },
            pad,
        });
    }
    flush(&mut text, &mut pieces);
    Ok(pieces)
}

fn flush(text: &mut String, pieces: &mut Vec<FormatPiece>) {
    if !text.is_empty() {
        pieces.push(FormatPiece::Text(std::mem::take(text)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hole(conv: char, precision: Option<u32>) -> FormatPiece {
        FormatPiece::Hole {
            conv,
            precision,
            pad: Padding::default(),
        }
    }

    #[test]
    fn parses_holes_and_text() {
        let p = parse_format("x=%d y=%.2f %s%%").unwrap();
        assert_eq!(
            p,
            vec![
                FormatPiece::Text("x=".into()),
                hole('d', None),
                FormatPiece::Text(" y=".into()),
                hole('f', Some(2)),
                FormatPiece::Text(" ".into()),
                hole('s', None),
                FormatPiece::Text("%".into()),
            ]
        );
    }

    #[test]
    fn parses_flags_and_widths() {
        let p = parse_format("%-8s|%05d|%+.1f|% d|%x").unwrap();
        let pad = |width, left, zero, plus, space| Padding {
            width,
            left,
            zero,
            plus,
            space,
        };
        let holes: Vec<(char, Option<u32>, Padding)> = p
            .into_iter()
            .filter_map(|piece| match piece {
                FormatPiece::Hole {
                    conv,
                    precision,
                    pad,
                } => Some((conv, precision, pad)),
                FormatPiece::Text(_) => None,
            })
            .collect();
        assert_eq!(
            holes,
            vec![
                ('s', None, pad(8, true, false, false, false)),
                ('d', None, pad(5, false, true, false, false)),
                ('f', Some(1), pad(0, false, false, true, false)),
                ('d', None, pad(0, false, false, false, true)),
                ('x', None, Padding::default()),
            ]
        );
    }

    #[test]
    fn rejects_unknown_specifiers() {
        assert!(parse_format("%q").is_err());
        assert!(parse_format("50%").is_err());
        assert!(parse_format("%.2d").is_err());
        assert!(parse_format("%5A").is_err());
        assert!(parse_format("%5%").is_err());
    }
}
