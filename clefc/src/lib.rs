//! The clefc driver as a library: the pipeline from source text to each
//! stage's output, shared by the command line and the tests.

pub mod interp;
pub mod link;
pub mod output;
pub mod pipeline;
pub mod residency;
