//! The definition map: the first of resolution's two phases. Before any
//! body is resolved, every module's top-level names are collected (values,
//! types, union cases, nested modules), by the module's full path.
//!
//! F# scopes top to bottom, so the second phase still resolves a body
//! against only what is defined above it; the map is what it consults
//! when a name is not in scope, to tell a name defined further down (move
//! it, or make the two `let rec … and …`) from one defined nowhere.
//!
//! Invariant: the map reads the PSG and never changes it; its entries are
//! in source order within each module.

use clef_psg::*;
use std::collections::HashMap;

/// One module's top-level names, in source order.
#[derive(Debug, Default)]
pub struct ModuleDefinitions {
    pub values: Vec<(String, BindingId)>,
    pub types: Vec<(String, TypeDeclId)>,
    /// Each case by its name, with its union.
    pub cases: Vec<(String, TypeDeclId)>,
    /// Nested modules, by short name.
    pub modules: Vec<String>,
}

/// Every module's definitions, by full path (`""` for the file's module,
/// `A.B` for a nested one).
#[derive(Debug, Default)]
pub struct Definitions {
    modules: HashMap<String, ModuleDefinitions>,
}

impl Definitions {
    /// The module at `path`, if there is one.
    pub fn module(&self, path: &str) -> Option<&ModuleDefinitions> {
        self.modules.get(path)
    }

    /// The first top-level value called `name` in the module at `path`.
    pub fn value(&self, path: &str, name: &str) -> Option<BindingId> {
        self.module(path)?
            .values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| *b)
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
    let mut here = ModuleDefinitions::default();
    for &item in psg.kids(id) {
        match psg.kind(item) {
            NodeKind::Binding(info) => {
                if let Some(b) = psg.as_binding(item) {
                    here.values.push((info.name.clone(), b));
                }
            }
            NodeKind::TypeDecl(info) => {
                if let Some(d) = psg.as_type_decl(item) {
                    here.types.push((info.name.clone(), d));
                    here.cases
                        .extend(info.cases.iter().map(|c| (c.name.clone(), d)));
                }
            }
            NodeKind::Module(name) => {
                let short = name.rsplit('.').next().unwrap_or(name).to_string();
                let full = if path.is_empty() {
                    short.clone()
                } else {
                    format!("{path}.{short}")
                };
                here.modules.push(short);
                module(psg, item, full, defs);
            }
            _ => {}
        }
    }
    defs.modules.insert(path, here);
}
