//! How Clef values are represented in the MIR (and so in machine code).
//!
//! * `int` i32, `int64` i64, `byte` i8, `bool` i8 (0 or 1), `float` f64,
//!   `float32` f32.
//! * `string` and arrays: an i64 pointer to `{ len: i64, data }`.
//! * tuples, records and closures: an i64 pointer to a collected block of
//!   8-byte slots (a tuple's elements, a record's fields in declaration
//!   order; see `lib.rs` for closures).
//! * `unit` has no representation: unit-typed expressions produce no value
//!   and unit parameters are dropped from signatures.

use crate::ir::{types, Ty};
use clef_psg::Type;

pub fn machine_type(t: &Type) -> Option<Ty> {
    match t {
        Type::Int | Type::Char => Some(types::I32),
        Type::Int64 => Some(types::I64),
        Type::Byte | Type::Bool => Some(types::I8),
        Type::Float => Some(types::F64),
        Type::Float32 => Some(types::F32),
        Type::String
        | Type::Array(_)
        | Type::Buffer(..)
        | Type::Fun(..)
        | Type::Tuple(_)
        | Type::Named { .. } => Some(types::I64),
        // Measures are erased before code generation; a measured number
        // is its number.
        Type::Measured(b, _) => machine_type(b),
        Type::Unit | Type::Var(_) | Type::Measure(_) | Type::Error => None,
    }
}

/// Size in bytes of an array element of this type.
pub fn elem_size(t: &Type) -> u32 {
    machine_type(t).map_or(0, |c| c.bytes())
}
