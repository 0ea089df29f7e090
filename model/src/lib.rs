//! The BAREWire model: what the compiler's passes and the runtime agree on,
//! with no native dependencies (no hwloc, no libc, no CUDA).
//!
//! * [`space::MemorySpace`]: the memory spaces of `SharedBuffer`, typed.
//! * [`platform::Platform`]: a machine's memory, devices and GPUs, as
//!   detection (in the runtime), a description file ([`file`]) or a preset
//!   ([`presets`]) gives it; [`render`] prints it for people.
//! * [`placement`]: the placement rules, which the compiler applies at
//!   compile time and the runtime at start-up to the same facts.
//! * [`coherency`]: the coherency rules for a CPU → GPU hand-off.
//! * [`exceptions`]: the exceptions the runtime raises, as cases of `exn`.
//! * [`parse`]: `int "42"` and the other conversions of strings, as F#
//!   does them.
//!
//! Invariant: everything here is plain data and pure functions of it, so
//! both sides of a decision (compile time, run time) compute it the same
//! way.

pub mod coherency;
pub mod exceptions;
pub mod file;
pub mod parse;
pub mod placement;
pub mod platform;
pub mod presets;
pub mod render;
pub mod space;

pub use space::MemorySpace;
