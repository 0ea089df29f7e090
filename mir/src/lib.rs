//! Clef MIR: the program after every semantic decision, before a machine
//! is chosen. See [`ir`] for what it is and the invariants it keeps.
//!
//! * [`lower()`]: typed PSG + `Facts` → [`ir::Program`] (monomorphisation,
//!   closure conversion, matches, structural relations, printers, syncs).
//! * [`print`]: the `--emit mir` text.
//! * [`verify`]: the verifier (run in debug builds and tests).

pub mod builder;
pub mod ir;
mod lower;
pub mod opt;
pub mod print;
pub mod runtime_abi;
pub mod values;
pub mod verify;

pub use lower::lower;
