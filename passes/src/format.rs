//! `printf`-style format strings: `%d %i %f %.Nf %s %b %A %%`, as F# reads
//! them (type-checked against the arguments at compile time).

use clef_psg::FormatPiece;

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
        match chars.next() {
            Some((_, '%')) if precision.is_none() => text.push('%'),
            Some((_, conv @ ('d' | 'i' | 's' | 'b' | 'A'))) if precision.is_none() => {
                flush(&mut text, &mut pieces);
                pieces.push(FormatPiece::Hole {
                    conv,
                    precision: None,
                });
            }
            Some((_, 'f')) => {
                flush(&mut text, &mut pieces);
                pieces.push(FormatPiece::Hole {
                    conv: 'f',
                    precision,
                });
            }
            Some((_, other)) => {
                return Err((
                    at,
                    format!("`%{other}` is not a supported format specifier"),
                ));
            }
            None => return Err((at, "the format string ends with a lone `%`".to_string())),
        }
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

    #[test]
    fn parses_holes_and_text() {
        let p = parse_format("x=%d y=%.2f %s%%").unwrap();
        assert_eq!(
            p,
            vec![
                FormatPiece::Text("x=".into()),
                FormatPiece::Hole {
                    conv: 'd',
                    precision: None
                },
                FormatPiece::Text(" y=".into()),
                FormatPiece::Hole {
                    conv: 'f',
                    precision: Some(2)
                },
                FormatPiece::Text(" ".into()),
                FormatPiece::Hole {
                    conv: 's',
                    precision: None
                },
                FormatPiece::Text("%".into()),
            ]
        );
    }

    #[test]
    fn rejects_unknown_specifiers() {
        assert!(parse_format("%q").is_err());
        assert!(parse_format("50%").is_err());
        assert!(parse_format("%.d").is_err());
    }
}
