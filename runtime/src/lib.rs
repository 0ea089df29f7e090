//! BAREWire: the runtime every compiled Clef program links.
//!
//! This crate is built twice: as an rlib (for Rust callers and tests) and
//! as a staticlib that `clefc` embeds and links into each executable. The
//! C ABI below is what generated code calls; see [`abi`] for the layout of
//! strings and arrays. Output to stdout is buffered and flushed at exit and
//! before any failure message, so the order of output is preserved.

pub mod abi;
pub mod alloc;
pub mod buffers;
pub mod config;
pub mod exceptions;
pub mod fault;
pub mod heap;
pub mod io;
pub mod parse;
pub mod platform;
pub mod symbols;

pub use abi::{ClefArray, ClefStr};
/// The placement rules and memory spaces, shared with the compiler.
pub use barewire_model::{placement, MemorySpace};
