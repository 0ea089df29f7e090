//! The registry of diagnostic codes: `docs/errors.md`, one section per
//! code (`## E0536: title`), compiled in so that `clefc explain E0536`
//! prints the section. A test checks that every code the compiler emits
//! has a section and that each section's first example triggers its code.

/// The registry as written.
pub const REGISTRY: &str = include_str!("../../docs/errors.md");

/// One code's entry: its title and its explanation (the section's text
/// after the heading, examples included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    pub code: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

/// Every entry, in the registry's order.
pub fn entries() -> Vec<CodeEntry> {
    let mut out = Vec::new();
    let mut rest = REGISTRY;
    while let Some(at) = rest.find("\n## ") {
        let section = &rest[at + 4..];
        let end = section.find("\n## ").unwrap_or(section.len());
        let (heading, body) = section[..end]
            .split_once('\n')
            .unwrap_or((&section[..end], ""));
        if let Some((code, title)) = heading.split_once(": ") {
            out.push(CodeEntry {
                code: code.trim(),
                title: title.trim(),
                text: body.trim(),
            });
        }
        rest = &section[end..];
    }
    out
}

/// The entry for `code` (case-insensitive: `e0536` finds `E0536`).
pub fn explain(code: &str) -> Option<CodeEntry> {
    entries()
        .into_iter()
        .find(|e| e.code.eq_ignore_ascii_case(code.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_parse_in_order_with_unique_codes() {
        let entries = entries();
        assert!(entries.len() >= 70, "only {} entries", entries.len());
        let mut seen = std::collections::HashSet::new();
        for e in &entries {
            assert!(seen.insert(e.code), "{} twice", e.code);
            assert_eq!(e.code.len(), 5, "bad code {:?}", e.code);
            assert!(!e.text.is_empty(), "{} has no explanation", e.code);
        }
        assert_eq!(explain("e0534").map(|e| e.code), Some("E0534"));
        assert_eq!(explain(&format!("E{}", 9999)), None);
    }
}
