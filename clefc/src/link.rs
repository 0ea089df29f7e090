//! Linking: the object file from codegen plus the embedded BAREWire
//! runtime (kept in the user's cache, written once per clefc build), by
//! the system C compiler driver (`cc`), with the fastest
//! linker it can use: `mold` or `ld.lld` when installed (about a third of
//! the time of GNU ld for these programs, docs/benchmarks.md), else cc's
//! default. `CLEFC_LINKER=mold|lld|default` chooses one.

use std::path::{Path, PathBuf};
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

/// The runtime archive on disk for the linker: a copy kept in the user's
/// cache (`$XDG_CACHE_HOME/clefc`, else `~/.cache/clefc`), written once per
/// clefc build (its name carries the archive's fingerprint) and atomically
/// (a temporary file renamed into place, so concurrent builds never see
/// half of it); without a usable cache, a copy in this link's temporary
/// directory.
fn runtime_archive(dir: &Path) -> std::io::Result<PathBuf> {
    let name = format!("libbarewire-{}.a", env!("CLEFC_RUNTIME_HASH"));
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
        .map(|c| c.join("clefc"));
    if let Some(cache) = cache {
        let cached = cache.join(&name);
        let complete =
            |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.len() == RUNTIME_LIB.len() as u64);
        if complete(&cached) {
            // Marked as in use, for the pruning of other builds' copies.
            let _ = std::fs::File::options()
                .append(true)
                .open(&cached)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
            return Ok(cached);
        }
        let staged = cache.join(format!("{name}.{}.tmp", std::process::id()));
        let written = std::fs::create_dir_all(&cache)
            .and_then(|()| std::fs::write(&staged, RUNTIME_LIB))
            .and_then(|()| std::fs::rename(&staged, &cached));
        if written.is_ok() && complete(&cached) {
            prune_other_archives(&cache, &name);
            return Ok(cached);
        }
        let _ = std::fs::remove_file(&staged);
    }
    let path = dir.join("libbarewire.a");
    std::fs::write(&path, RUNTIME_LIB)?;
    Ok(path)
}

/// Remove other clefc builds' runtime archives from the cache once no link
/// has used them for an hour (each use marks its archive's modification
/// time), so a clefc in use keeps its copy.
fn prune_other_archives(cache: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    let hour = std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with("libbarewire-") && name != keep;
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > hour));
        if ours && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Link `object` into an executable at `output`.
pub fn link(object: &[u8], output: &Path) -> Result<(), LinkError> {
    let dir = crate::output::TempDir::new()?;
    let obj_path = dir.path().join("program.o");
    std::fs::write(&obj_path, object)?;
    let lib_path = runtime_archive(dir.path())?;
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
