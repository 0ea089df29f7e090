//! The definition map: the first of resolution's two phases. Before any
//! body is resolved, every module's top-level values and union cases are
//! collected, by the module's full path, with where each name is written.
//!
//! F# scopes top to bottom, so the second phase still resolves a body
//! against only what is defined above it; the map is what it consults
//! when a name is not in scope, to tell a name defined further down (move
//! it, or make the two `let rec … and …`) from one defined nowhere.
//!
//! Invariant: the map reads the PSG and never changes it; its entries are
//! in source order within each module.

use clef_frontend::Span;
use clef_psg::*;
use std::collections::HashMap;

/// Every module's top-level values and union cases, by full path (`""`
/// for the file's module, `A.B` for a nested one): name and where it is
/// written, in source order.
#[derive(Debug, Default)]
pub struct Definitions {
    modules: HashMap<String, Vec<(String, Span)>>,
}

impl Definitions {
    /// Where the first top-level value or union case called `name` of the
    /// module at `path` is written.
    pub fn find(&self, path: &str, name: &str) -> Option<Span> {
        self.modules
            .get(path)?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, at)| *at)
    }
}

/// Collect the program's modules (the prelude is not a user module).
pub fn collect(psg: &Psg) -> Definitions {
    let mut defs = Definitions::default();
    if let Some(root) = psg.root {
        module(psg, root, String::new(), &mut defs);
    }
    defs
}

fn module(psg: &Psg, id: NodeId, path: String, defs: &mut Definitions) {
    let mut names = Vec::new();
    for &item in psg.kids(id) {
        match psg.kind(item) {
            NodeKind::Binding(info) => names.push((info.name.clone(), info.name_span)),
            NodeKind::TypeDecl(info) => {
                names.extend(info.cases.iter().map(|c| (c.name.clone(), c.span)));
            }
            NodeKind::Module(name) => {
                let short = name.rsplit('.').next().unwrap_or(name);
                let full = if path.is_empty() {
                    short.to_string()
                } else {
                    format!("{path}.{short}")
                };
                module(psg, item, full, defs);
            }
            _ => {}
        }
    }
    defs.modules.insert(path, names);
}
