//! The Program Semantic Graph (PSG): the compiler's one program
//! representation between the parser and Cranelift. Built from the AST by
//! [`build::build`] and name resolution, then read (never written) by the
//! passes, which keep what they find in [`facts::Facts`].

pub mod build;
pub mod builtins;
pub mod dump;
pub mod facts;
pub mod graph;
pub mod measure;
pub mod types;

pub use builtins::Builtin;
pub use facts::{Facts, Member, TypeTable};
pub use graph::*;
pub use types::{DeclRef, PreludeType, TyVar, Type, PRIMITIVE_TYPE_NAMES};
