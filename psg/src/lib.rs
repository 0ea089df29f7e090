//! The Program Semantic Graph (PSG): the compiler's one program
//! representation between the parser and Cranelift. Built from the AST by
//! [`build::build`], annotated in place by the passes, read by codegen.

pub mod build;
pub mod builtins;
pub mod dump;
pub mod graph;
pub mod measure;
pub mod types;

pub use builtins::Builtin;
pub use graph::*;
pub use types::{DeclRef, PreludeType, TyVar, Type};
