//! Run-time values of the interpreter, and the structural relations on
//! them.
//!
//! Invariants:
//! * A value's variant is its machine representation in compiled code:
//!   `int` is `Int(i32)`, `byte` is `Byte(u8)`, `float32` is `Float32(f32)`
//!   (every operation rounds to single precision, as codegen's f32
//!   instructions do), `unit` is `Unit`. Units of measure are erased.
//! * Tuples and records are slot vectors (records in declaration order,
//!   shared and mutable),
//!   unions a tag (the case's index) and fields, like codegen's blocks.
//!   Arrays and buffers are shared, mutable vectors.
//! * `Null` is what `Array.zeroCreate` leaves in a slot of a heap type
//!   (codegen's null pointer); touching it is an internal error here.
//! * Dropping a long list never recurses per cell (see `Case`'s `Drop`).

use clef_psg::{NodeId, TyVar, Type};
use std::cell::RefCell;
use std::cmp::Ordering;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub enum Value {
    Unit,
    Bool(bool),
    Int(i32),
    Int64(i64),
    Byte(u8),
    /// A `char`: its UTF-16 code.
    Char(u32),
    Float(f64),
    Float32(f32),
    Str(Rc<str>),
    Tuple(Rc<[Value]>),
    /// Shared and mutable, as an F# record is (`mutable` fields).
    Record(Rc<RefCell<Vec<Value>>>),
    Union(Rc<Case>),
    Array(Rc<RefCell<Vec<Value>>>),
    Buffer(Rc<Buffer>),
    Closure(Rc<Closure>),
    Null,
}

/// A `SharedBuffer`: host memory here, with the runtime's life cycle (a
/// buffer released at the end of its `use` scope, or migrated, is unusable
/// and every later use fails with the runtime's message).
#[derive(Debug)]
pub struct Buffer {
    pub cells: RefCell<Vec<Value>>,
    pub state: std::cell::Cell<BufferState>,
    /// `file:line:col` of the allocation, and of the release or migration.
    pub site: String,
    pub ended_at: RefCell<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BufferState {
    Live,
    Released,
    Migrated,
}

impl Buffer {
    pub fn new(cells: Vec<Value>, site: String) -> Rc<Buffer> {
        Rc::new(Buffer {
            cells: RefCell::new(cells),
            state: std::cell::Cell::new(BufferState::Live),
            site,
            ended_at: RefCell::new(String::new()),
        })
    }

    /// End its life at `loc`: the contents are gone.
    pub fn end(&self, state: BufferState, loc: String) {
        self.cells.borrow_mut().clear();
        self.state.set(state);
        *self.ended_at.borrow_mut() = loc;
    }
}

/// A union value: the case's index and its fields.
#[derive(Debug)]
pub struct Case {
    pub tag: usize,
    pub fields: Vec<Value>,
}

impl Drop for Case {
    /// Lists (and other unions recursive in their last field) are freed
    /// cell by cell in a loop, not by recursion.
    fn drop(&mut self) {
        let mut next = self.fields.pop();
        while let Some(Value::Union(rc)) = next {
            match Rc::try_unwrap(rc) {
                Ok(mut case) => next = case.fields.pop(),
                Err(_) => break,
            }
        }
    }
}

/// A function value: the function binding, the type substitution it runs
/// under, its captured locals' values and the arguments given so far.
#[derive(Debug)]
pub struct Closure {
    pub func: NodeId,
    pub subst: SubstId,
    pub captured: Rc<[Value]>,
    pub args: Vec<Value>,
}

/// An interned type substitution (see `call.rs`).
pub type SubstId = u32;
pub type Subst = Vec<(TyVar, Type)>;

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    pub fn case(tag: usize, fields: Vec<Value>) -> Value {
        Value::Union(Rc::new(Case { tag, fields }))
    }

    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Rc::new(RefCell::new(items)))
    }

    /// What a fresh slot of type `t` holds (`Array.zeroCreate`, buffers).
    pub fn zero(t: &Type) -> Value {
        match t.without_measure() {
            Type::Int => Value::Int(0),
            Type::Int64 => Value::Int64(0),
            Type::Byte => Value::Byte(0),
            Type::Float => Value::Float(0.0),
            Type::Float32 => Value::Float32(0.0),
            Type::Bool => Value::Bool(false),
            Type::Char => Value::Char(0),
            Type::Unit | Type::Var(_) | Type::Measure(_) | Type::Error => Value::Unit,
            _ => Value::Null,
        }
    }

    /// A short description, for internal error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Unit => "unit",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Byte(_) => "byte",
            Value::Char(_) => "char",
            Value::Float(_) => "float",
            Value::Float32(_) => "float32",
            Value::Str(_) => "string",
            Value::Tuple(_) => "tuple",
            Value::Record(_) => "record",
            Value::Union(_) => "union",
            Value::Array(_) => "array",
            Value::Buffer(_) => "buffer",
            Value::Closure(_) => "function",
            Value::Null => "null",
        }
    }
}

/// Structural equality, as codegen's `equal`: slot by slot, unions by tag
/// then fields, floats by IEEE `==`, strings by bytes. `None` for values
/// that cannot be compared (functions, nulls, mismatched shapes). The
/// last slot is followed in a loop, so long lists need no deep stack.
pub fn equal(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    let (mut a, mut b) = (a, b);
    loop {
        let (x, y): (&[Value], &[Value]) = match (a, b) {
            (Unit, Unit) => return Some(true),
            (Bool(x), Bool(y)) => return Some(x == y),
            (Int(x), Int(y)) => return Some(x == y),
            (Int64(x), Int64(y)) => return Some(x == y),
            (Byte(x), Byte(y)) => return Some(x == y),
            (Char(x), Char(y)) => return Some(x == y),
            (Float(x), Float(y)) => return Some(x == y),
            (Float32(x), Float32(y)) => return Some(x == y),
            (Str(x), Str(y)) => return Some(x.as_bytes() == y.as_bytes()),
            (Record(x), Record(y)) => {
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                for (p, q) in x.iter().zip(&y) {
                    if !equal(p, q)? {
                        return Some(false);
                    }
                }
                return Some(true);
            }
            (Array(x), Array(y)) => {
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                if x.len() != y.len() {
                    return Some(false);
                }
                for (p, q) in x.iter().zip(&y) {
                    if !equal(p, q)? {
                        return Some(false);
                    }
                }
                return Some(true);
            }
            (Tuple(x), Tuple(y)) => (x, y),
            (Union(x), Union(y)) if x.tag != y.tag => return Some(false),
            (Union(x), Union(y)) => (&x.fields, &y.fields),
            _ => return None,
        };
        let Some(((la, ra), (lb, rb))) = x.split_last().zip(y.split_last()) else {
            return Some(true);
        };
        for (p, q) in ra.iter().zip(rb) {
            if !equal(p, q)? {
                return Some(false);
            }
        }
        (a, b) = (la, lb);
    }
}

/// Structural ordering (-1, 0, 1), as codegen's `compare`: a float
/// comparison with NaN is 0 (`(a > b) - (a < b)`), bytes and bools are
/// unsigned, strings ordinal, unions by tag then fields.
pub fn compare(a: &Value, b: &Value) -> Option<i32> {
    use Value::*;
    fn ord<T: PartialOrd>(x: T, y: T) -> i32 {
        i32::from(x > y) - i32::from(x < y)
    }
    let (mut a, mut b) = (a, b);
    loop {
        let (x, y): (&[Value], &[Value]) = match (a, b) {
            (Unit, Unit) => return Some(0),
            (Bool(x), Bool(y)) => return Some(ord(x, y)),
            (Int(x), Int(y)) => return Some(ord(x, y)),
            (Int64(x), Int64(y)) => return Some(ord(x, y)),
            (Byte(x), Byte(y)) => return Some(ord(x, y)),
            (Char(x), Char(y)) => return Some(ord(x, y)),
            (Float(x), Float(y)) => return Some(ord(x, y)),
            (Float32(x), Float32(y)) => return Some(ord(x, y)),
            (Str(x), Str(y)) => {
                return Some(match x.as_bytes().cmp(y.as_bytes()) {
                    Ordering::Less => -1,
                    Ordering::Equal => 0,
                    Ordering::Greater => 1,
                })
            }
            (Record(x), Record(y)) => {
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                for (p, q) in x.iter().zip(&y) {
                    let c = compare(p, q)?;
                    if c != 0 {
                        return Some(c);
                    }
                }
                return Some(0);
            }
            (Array(x), Array(y)) => {
                // Lengths first, then elements (FSharp.Core's array order).
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                if x.len() != y.len() {
                    return Some(ord(x.len(), y.len()));
                }
                for (p, q) in x.iter().zip(&y) {
                    let c = compare(p, q)?;
                    if c != 0 {
                        return Some(c);
                    }
                }
                return Some(0);
            }
            (Tuple(x), Tuple(y)) => (x, y),
            (Union(x), Union(y)) if x.tag != y.tag => return Some(ord(x.tag, y.tag)),
            (Union(x), Union(y)) => (&x.fields, &y.fields),
            _ => return None,
        };
        let Some(((la, ra), (lb, rb))) = x.split_last().zip(y.split_last()) else {
            return Some(0);
        };
        for (p, q) in ra.iter().zip(rb) {
            let c = compare(p, q)?;
            if c != 0 {
                return Some(c);
            }
        }
        (a, b) = (la, lb);
    }
}
