//! Linking: the object file from codegen plus the embedded BAREWire
//! runtime, by the system C compiler driver (`cc`), with the fastest
//! linker it can use: `mold` or `ld.lld` when installed (about a third of
//! the time of GNU ld for these programs, docs/benchmarks.md), else cc's
//! default. `CLEFC_LINKER=mold|lld|default` chooses one.

use std::path::Path;
use std::process::Command;

/// The runtime static library, built by build.rs.
static RUNTIME_LIB: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libbarewire.a"));

/// System libraries: the garbage collector (linked statically, so programs
/// do not need libgc installed to run), then what the Rust standard library
/// inside the runtime needs, and hwloc (the runtime's topology detection).
const SYSTEM_LIBS: &[&str] = &[
    "-Wl,-Bstatic",
    "-lgc",
    "-Wl,-Bdynamic",
    "-lhwloc",
    "-lgcc_s",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("could not write temporary files: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not run the linker `cc`: {0} (install gcc or clang)")]
    NoLinker(std::io::Error),
    #[error("linking failed:\n{0}")]
    Failed(String),
}

/// The `-fuse-ld=` linker to ask `cc` for, if any.
fn fast_linker() -> Option<&'static str> {
    let on_path = |program: &str| {
        std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join(program).is_file())
        })
    };
    match std::env::var("CLEFC_LINKER").as_deref() {
        Ok("default") | Ok("cc") => None,
        Ok("mold") => Some("mold"),
        Ok("lld") => Some("lld"),
        _ if on_path("mold") => Some("mold"),
        _ if on_path("ld.lld") => Some("lld"),
        _ => None,
    }
}

/// Link `object` into an executable at `output`.
pub fn link(object: &[u8], output: &Path) -> Result<(), LinkError> {
    let dir = crate::output::TempDir::new()?;
    let obj_path = dir.path().join("program.o");
    let lib_path = dir.path().join("libbarewire.a");
    std::fs::write(&obj_path, object)?;
    std::fs::write(&lib_path, RUNTIME_LIB)?;
    let mut cc = Command::new("cc");
    if let Some(linker) = fast_linker() {
        cc.arg(format!("-fuse-ld={linker}"));
    }
    let out = cc
        .arg("-o")
        .arg(output)
        .arg(&obj_path)
        .arg(&lib_path)
        .args(SYSTEM_LIBS)
        .output()
        .map_err(LinkError::NoLinker)?;
    if !out.status.success() {
        return Err(LinkError::Failed(
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }
    Ok(())
}
