//! The runtime functions generated code calls (BAREWire's C ABI, see
//! `runtime/src/abi.rs`); a program declares each one it uses once, as an
//! import with the C convention (`Cx::runtime_fn`).

use crate::ir::{types, Ty};

/// A runtime entry point: name, parameter types, return type.
pub struct RuntimeFn {
    pub name: &'static str,
    pub params: &'static [Ty],
    pub ret: Option<Ty>,
}

const I8: Ty = types::I8;
const I32: Ty = types::I32;
const I64: Ty = types::I64;
const F64: Ty = types::F64;

macro_rules! runtime_fns {
    ($($id:ident = $name:literal ($($p:expr),*) $(-> $r:expr)?;)*) => {
        $(pub const $id: RuntimeFn = RuntimeFn { name: $name, params: &[$($p),*], ret: runtime_fns!(@ret $($r)?) };)*
        pub const ALL: &[RuntimeFn] = &[$($id),*];
    };
    (@ret) => { None };
    (@ret $r:expr) => { Some($r) };
}

runtime_fns! {
    RT_START = "barewire_rt_start"(I32, I64);
    RT_ARGS = "barewire_rt_args"() -> I64;
    RT_EXIT = "barewire_rt_exit"(I32);
    ALLOC = "barewire_alloc"(I64) -> I64;
    FAIL_DIV_BY_ZERO = "barewire_fail_div_by_zero"(I64);
    FAIL_OVERFLOW = "barewire_fail_overflow"(I64);
    FAIL_MATCH = "barewire_fail_match"(I64);
    FAIL_NONE = "barewire_fail_none"(I64);
    PARSE_INT = "barewire_parse_int"(I64, I32, I64) -> I64;
    PARSE_FLOAT = "barewire_parse_float"(I64, I64) -> F64;
    FAILWITH = "barewire_failwith"(I64);
    RAISE = "barewire_raise"(I64);
    TRY_ENTER = "barewire_try_enter"(I64);
    TRY_LEAVE = "barewire_try_leave"(I64);
    SETJMP = "barewire_setjmp"(I64) -> I32;
    SET_EXCEPTION_TEXT = "barewire_rt_set_exception_text"(I64);
    FAIL_NEGATIVE_SIZE = "barewire_fail_negative_size"(I64);
    FAIL_EMPTY = "barewire_fail_empty"(I64);
    FAIL_INDEX = "barewire_fail_index"(I64, I64, I64);
    STRING_CONCAT = "barewire_string_concat"(I64, I64) -> I64;
    STRING_SLICE = "barewire_string_slice"(I64, I32, I32) -> I64;
    ARRAY_SLICE = "barewire_array_slice"(I64, I64, I32, I32) -> I64;
    STRING_COMPARE = "barewire_string_compare"(I64, I64) -> I32;
    POW = "barewire_pow"(F64, F64) -> F64;
    FMOD = "barewire_fmod"(F64, F64) -> F64;
    PRINT_STR = "barewire_print_str"(I64);
    PRINT_I32 = "barewire_print_i32"(I32);
    PRINT_I64 = "barewire_print_i64"(I64);
    PRINT_U8 = "barewire_print_u8"(I8);
    PRINT_F64 = "barewire_print_f64"(F64, I32);
    PRINT_BOOL = "barewire_print_bool"(I8);
    PRINT_CHAR = "barewire_print_char"(I32);
    PRINT_CHAR_QUOTED = "barewire_print_char_quoted"(I32);
    STRING_OF_CHAR = "barewire_string_of_char"(I32) -> I64;
    PARSE_CHAR = "barewire_parse_char"(I64, I64) -> I32;
    PRINT_RADIX = "barewire_print_radix"(I64, I32, I32);
    PAD_END = "barewire_pad_end"(I32, I32, I8);
    PRINT_NEWLINE = "barewire_print_newline"();
    CAPTURE_BEGIN = "barewire_capture_begin"();
    COLUMN = "barewire_column"() -> I64;
    PRINT_NEWLINE_TO = "barewire_print_newline_to"(I64);
    PRINT_QUOTED = "barewire_print_quoted"(I64);
    PRINT_FLOAT_STRUCTURED = "barewire_print_float_structured"(F64, I8);
    CAPTURE_END = "barewire_capture_end"() -> I64;
    STRING_OF_I64 = "barewire_string_of_i64"(I64) -> I64;
    STRING_OF_F64 = "barewire_string_of_f64"(F64) -> I64;
    STRING_OF_F32 = "barewire_string_of_f32"(F64) -> I64;
    STRING_OF_BOOL = "barewire_string_of_bool"(I8) -> I64;
    BUFFER_NEW = "barewire_buffer_new"(I64, I64, I32, I64) -> I64;
    BUFFER_NEW_POLICY = "barewire_buffer_new_policy"(I64, I64, I32, I64, I64) -> I64;
    BUFFER_FREE = "barewire_buffer_free"(I64, I64);
    BUFFER_COPY = "barewire_buffer_copy"(I64, I64, I32, I64) -> I64;
    BUFFER_MIGRATE = "barewire_buffer_migrate"(I64, I64, I32, I64) -> I64;
    FAIL_DEVICE_MEMORY = "barewire_fail_device_memory"(I64);
    FAIL_BUFFER_INDEX = "barewire_fail_buffer_index"(I64, I64, I64, I64);
    FAIL_BUFFER_ENDED = "barewire_fail_buffer_ended"(I64, I64);
    SYNC_FENCE = "barewire_sync_fence"();
    DETECTED_CXL_VERSION = "barewire_detected_cxl_version"() -> I32;
    DETECTED_NUMA_NODES = "barewire_detected_numa_nodes"() -> I32;
    DETECTED_FAR_NODES = "barewire_detected_far_nodes"() -> I64;
    DETECTED_GPUS = "barewire_detected_gpus"() -> I32;
    DETECTED_RESIZABLE_BAR = "barewire_detected_resizable_bar"() -> I8;
    SYNC_DEVICE = "barewire_sync_device"();
}
