//! Exhaustiveness of `match`: warns, as F# does, when some value of the
//! matched type reaches no arm (W0025), with an example of such a value.
//!
//! Input: the PSG and its types. Output: the table of incomplete matches
//! (`Match` → an example value no arm takes; codegen makes reaching it a
//! clean run-time failure) and one warning per incomplete match. Arms with a `when` guard do not count
//! toward completeness.
//!
//! The algorithm is the usual one for pattern matrices (Maranget's
//! "usefulness"), asking for a missing value rather than a yes/no:
//! `missing(rows, types)` returns, column by column, a value that no row
//! matches. Tuples have one constructor, `bool` two; numbers and strings
//! have infinitely many, so only a wildcard completes them.

use clef_frontend::Diagnostic;
use clef_psg::*;
use std::collections::HashMap;

pub fn check_matches(psg: &Psg, types: &TypeTable) -> (HashMap<NodeId, String>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut incomplete = HashMap::new();
    let matches: Vec<NodeId> = psg
        .graph
        .node_indices()
        .filter(|&n| psg.expr(n) == Some(&ExprKind::Match))
        .collect();
    for m in matches {
        let kids = psg.children(m);
        let scrutinee_ty = types.ty(kids[0]).cloned().unwrap_or(Type::Error);
        let rows: Vec<Vec<Pat>> = kids[1..]
            .iter()
            .filter(|&&arm| matches!(psg.kind(arm), NodeKind::Arm { guarded: false }))
            .map(|&arm| vec![Pat::from_psg(psg, psg.children(arm)[0])])
            .collect();
        if let Some(witness) = missing(psg, types, rows, &[scrutinee_ty]) {
            let example = witness.join(", ");
            diags.push(
                Diagnostic::warning(
                    "W0025",
                    format!("incomplete matches on this expression: for example, the value `{example}` is not matched"),
                    psg.span(kids[0]),
                )
                .with_label("not every value of this is matched")
                .with_help("add an arm for it, or a final `| _ -> …`; reaching no arm stops the program"),
            );
            incomplete.insert(m, example);
        }
    }
    (incomplete, diags)
}

/// A pattern as the algorithm sees it.
#[derive(Debug, Clone, PartialEq)]
enum Pat {
    Wild,
    Lit(Literal),
    Tuple(Vec<Pat>),
    /// Some of a record's fields, by name.
    Record(Vec<(String, Pat)>),
    /// A union case (by index) and its argument pattern.
    Case(usize, Option<Box<Pat>>),
    Or(Box<Pat>, Box<Pat>),
}

impl Pat {
    fn from_psg(psg: &Psg, id: NodeId) -> Pat {
        let kids = psg.children(id);
        match psg.kind(id) {
            NodeKind::Pattern(PatternKind::Lit(Literal::Unit)) => Pat::Wild,
            NodeKind::Pattern(PatternKind::Lit(l)) => Pat::Lit(l.clone()),
            NodeKind::Pattern(PatternKind::Tuple) => {
                Pat::Tuple(kids.iter().map(|&k| Pat::from_psg(psg, k)).collect())
            }
            NodeKind::Pattern(PatternKind::Or) => Pat::Or(
                Box::new(Pat::from_psg(psg, kids[0])),
                Box::new(Pat::from_psg(psg, kids[1])),
            ),
            NodeKind::Pattern(PatternKind::As | PatternKind::Typed(_)) => {
                Pat::from_psg(psg, kids[0])
            }
            NodeKind::Pattern(PatternKind::Case(_)) => match psg.case(id) {
                Some((_, index)) => Pat::Case(
                    index,
                    kids.first().map(|&k| Box::new(Pat::from_psg(psg, k))),
                ),
                None => Pat::Wild,
            },
            NodeKind::Pattern(PatternKind::Record(names)) => Pat::Record(
                names
                    .iter()
                    .cloned()
                    .zip(kids.iter().map(|&k| Pat::from_psg(psg, k)))
                    .collect(),
            ),
            _ => Pat::Wild,
        }
    }
}

/// Rows whose first pattern is an or-pattern become one row per side.
fn expand_or(rows: Vec<Vec<Pat>>) -> Vec<Vec<Pat>> {
    let mut out = Vec::new();
    for row in rows {
        match row.first() {
            Some(Pat::Or(a, b)) => {
                let rest = &row[1..];
                let left: Vec<Pat> = std::iter::once((**a).clone())
                    .chain(rest.iter().cloned())
                    .collect();
                let right: Vec<Pat> = std::iter::once((**b).clone())
                    .chain(rest.iter().cloned())
                    .collect();
                out.extend(expand_or(vec![left, right]));
            }
            _ => out.push(row),
        }
    }
    out
}

/// A value (one text per column) that no row matches, if there is one.
fn missing(psg: &Psg, types: &TypeTable, rows: Vec<Vec<Pat>>, tys: &[Type]) -> Option<Vec<String>> {
    let Some((ty, rest_tys)) = tys.split_first() else {
        return rows.is_empty().then(Vec::new);
    };
    let rows = expand_or(rows);
    // A column of wildcards needs no splitting by constructor (which would
    // never end on recursive types): any value will do there.
    if rows.iter().all(|row| matches!(row[0], Pat::Wild)) {
        let default = rows.into_iter().map(|row| row[1..].to_vec()).collect();
        let w = missing(psg, types, default, rest_tys)?;
        return Some(std::iter::once("_".to_string()).chain(w).collect());
    }
    match ty {
        Type::Tuple(items) => {
            let n = items.len();
            let specialised = rows
                .into_iter()
                .map(|row| {
                    let mut head = match &row[0] {
                        Pat::Tuple(ps) => ps.clone(),
                        _ => vec![Pat::Wild; n],
                    };
                    head.extend(row[1..].iter().cloned());
                    head
                })
                .collect();
            let mut col_tys = items.clone();
            col_tys.extend(rest_tys.iter().cloned());
            let w = missing(psg, types, specialised, &col_tys)?;
            let (head, rest) = w.split_at(n);
            Some(
                std::iter::once(format!("({})", head.join(", ")))
                    .chain(rest.iter().cloned())
                    .collect(),
            )
        }
        Type::Named { .. } if types.union_cases(ty).is_some() => {
            for (index, (name, fields)) in types
                .union_cases(ty)
                .unwrap_or_default()
                .into_iter()
                .enumerate()
            {
                let n = fields.len();
                let specialised = rows
                    .iter()
                    .filter_map(|row| {
                        let mut head = match &row[0] {
                            Pat::Case(j, _) if *j != index => return None,
                            Pat::Case(_, Some(arg)) if n > 1 => match &**arg {
                                Pat::Tuple(ps) => ps.clone(),
                                _ => vec![Pat::Wild; n],
                            },
                            Pat::Case(_, Some(arg)) if n == 1 => vec![(**arg).clone()],
                            _ => vec![Pat::Wild; n],
                        };
                        head.extend(row[1..].iter().cloned());
                        Some(head)
                    })
                    .collect();
                let mut col_tys = fields.clone();
                col_tys.extend(rest_tys.iter().cloned());
                if let Some(w) = missing(psg, types, specialised, &col_tys) {
                    let (args, rest) = w.split_at(n);
                    let shown = match n {
                        0 => name,
                        1 => format!("{name} {}", args[0]),
                        _ if name == "::" => format!("{} :: {}", args[0], args[1]),
                        _ => format!("{name} ({})", args.join(", ")),
                    };
                    return Some(std::iter::once(shown).chain(rest.iter().cloned()).collect());
                }
            }
            None
        }
        Type::Named { .. } if types.record_fields(psg, ty).is_some() => {
            // A record is a tuple of its fields, in declaration order.
            let fields = types.record_fields(psg, ty).unwrap_or_default();
            let n = fields.len();
            let specialised = rows
                .into_iter()
                .map(|row| {
                    let mut head = vec![Pat::Wild; n];
                    if let Pat::Record(given) = &row[0] {
                        for (name, p) in given {
                            if let Some(i) = fields.iter().position(|(f, _)| f == name) {
                                head[i] = p.clone();
                            }
                        }
                    }
                    head.extend(row[1..].iter().cloned());
                    head
                })
                .collect();
            let mut col_tys: Vec<Type> = fields.iter().map(|(_, t)| t.clone()).collect();
            col_tys.extend(rest_tys.iter().cloned());
            let w = missing(psg, types, specialised, &col_tys)?;
            let (head, rest) = w.split_at(n);
            let shown: Vec<String> = fields
                .iter()
                .zip(head)
                .map(|((f, _), v)| format!("{f} = {v}"))
                .collect();
            Some(
                std::iter::once(format!("{{ {} }}", shown.join("; ")))
                    .chain(rest.iter().cloned())
                    .collect(),
            )
        }
        Type::Bool => {
            for v in [true, false] {
                let specialised = rows
                    .iter()
                    .filter(|row| {
                        matches!(&row[0], Pat::Wild) || row[0] == Pat::Lit(Literal::Bool(v))
                    })
                    .map(|row| row[1..].to_vec())
                    .collect();
                if let Some(w) = missing(psg, types, specialised, rest_tys) {
                    return Some(std::iter::once(v.to_string()).chain(w).collect());
                }
            }
            None
        }
        _ => {
            let literals: Vec<Literal> = rows
                .iter()
                .filter_map(|row| match &row[0] {
                    Pat::Lit(l) => Some(l.clone()),
                    _ => None,
                })
                .collect();
            let default = rows
                .iter()
                .filter(|row| matches!(row[0], Pat::Wild))
                .map(|row| row[1..].to_vec())
                .collect();
            let w = missing(psg, types, default, rest_tys)?;
            Some(
                std::iter::once(example_not_in(ty, &literals))
                    .chain(w)
                    .collect(),
            )
        }
    }
}

/// A value of `ty` that is none of `literals` (`_` when any value will do).
fn example_not_in(ty: &Type, literals: &[Literal]) -> String {
    if literals.is_empty() {
        return "_".into();
    }
    match ty {
        Type::Int | Type::Int64 | Type::Byte => {
            let used: Vec<i64> = literals
                .iter()
                .filter_map(|l| match l {
                    Literal::Int(v, _) => Some(*v),
                    _ => None,
                })
                .collect();
            let v = (0..).find(|v| !used.contains(v)).unwrap_or(0);
            match ty {
                Type::Int64 => format!("{v}L"),
                Type::Byte => format!("{v}uy"),
                _ => v.to_string(),
            }
        }
        Type::Char => {
            let used: Vec<u32> = literals
                .iter()
                .filter_map(|l| match l {
                    Literal::Char(c) => Some(*c),
                    _ => None,
                })
                .collect();
            let c = (u32::from(b'a')..).find(|c| !used.contains(c)).unwrap_or(0);
            clef_frontend::print::char_str(c)
        }
        Type::String => {
            let used: Vec<&str> = literals
                .iter()
                .filter_map(|l| match l {
                    Literal::Str(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            let candidates = ["", "a", "b", "c", "d"];
            let s = candidates
                .iter()
                .find(|c| !used.contains(c))
                .unwrap_or(&"z");
            format!("{s:?}")
        }
        _ => "_".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(v: i64) -> Pat {
        Pat::Lit(Literal::Int(v, IntTy::Int))
    }
    fn boolean(b: bool) -> Pat {
        Pat::Lit(Literal::Bool(b))
    }

    #[test]
    fn wildcard_completes_everything() {
        assert_eq!(
            missing(
                &Psg::default(),
                &TypeTable::default(),
                vec![vec![int(1)], vec![Pat::Wild]],
                &[Type::Int]
            ),
            None
        );
    }

    #[test]
    fn integers_need_a_wildcard_and_the_example_avoids_covered_values() {
        assert_eq!(
            missing(
                &Psg::default(),
                &TypeTable::default(),
                vec![vec![int(0)], vec![int(1)]],
                &[Type::Int]
            ),
            Some(vec!["2".to_string()])
        );
    }

    #[test]
    fn bool_tuples_report_the_missing_combination() {
        let t = Type::Tuple(vec![Type::Bool, Type::Bool]);
        let rows = vec![
            vec![Pat::Tuple(vec![boolean(true), Pat::Wild])],
            vec![Pat::Tuple(vec![boolean(false), boolean(true)])],
        ];
        assert_eq!(
            missing(
                &Psg::default(),
                &TypeTable::default(),
                rows.clone(),
                std::slice::from_ref(&t)
            ),
            Some(vec!["(false, false)".to_string()])
        );
        let mut complete = rows;
        complete.push(vec![Pat::Tuple(vec![Pat::Wild, boolean(false)])]);
        assert_eq!(
            missing(&Psg::default(), &TypeTable::default(), complete, &[t]),
            None
        );
    }

    #[test]
    fn or_patterns_count_both_sides() {
        let rows = vec![vec![Pat::Or(
            Box::new(boolean(true)),
            Box::new(boolean(false)),
        )]];
        assert_eq!(
            missing(&Psg::default(), &TypeTable::default(), rows, &[Type::Bool]),
            None
        );
    }
}
