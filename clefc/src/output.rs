//! Where the driver writes: the output executable and temporary files.
//!
//! Invariants:
//! - clefc never writes over its input, nor over an existing file that is
//!   not an executable: [`check_output`] refuses such a path before
//!   anything is compiled.
//! - The executable is written atomically: linked to a temporary file in
//!   the target directory, then renamed over the output, so a failed or
//!   interrupted build leaves the previous executable or nothing.
//! - Every temporary file and directory is removed on every path: by its
//!   guard's `Drop` on normal and error returns, and by the Ctrl-C handler
//!   ([`install_interrupt_cleanup`]) when the user interrupts.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary paths alive now, removed if the user interrupts clefc.
static LIVE_TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// On SIGINT, SIGTERM or SIGHUP: remove every live temporary path and exit
/// with 130 (the shell's code for an interrupted command).
pub fn install_interrupt_cleanup() {
    let _ = ctrlc::set_handler(|| {
        let temps = LIVE_TEMPS.lock().unwrap_or_else(|e| e.into_inner());
        for path in temps.iter() {
            if path.is_dir() {
                let _ = std::fs::remove_dir_all(path);
            } else {
                let _ = std::fs::remove_file(path);
            }
        }
        std::process::exit(130);
    });
}

/// A temporary directory that is removed when dropped or on interrupt.
pub struct TempDir {
    dir: Option<tempfile::TempDir>,
}

impl TempDir {
    pub fn new() -> std::io::Result<TempDir> {
        let dir = tempfile::Builder::new().prefix("clefc-").tempdir()?;
        register(dir.path());
        Ok(TempDir { dir: Some(dir) })
    }

    pub fn path(&self) -> &Path {
        self.dir.as_ref().expect("present until dropped").path()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            unregister(dir.path());
            let _ = dir.close();
        }
    }
}

fn register(path: &Path) {
    LIVE_TEMPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path.to_path_buf());
}

fn unregister(path: &Path) {
    LIVE_TEMPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|p| p != path);
}

/// Why an output path was refused (a usage error: exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("refusing to write the executable over the source file {0}")]
    IsSource(String),
    #[error("{0} is a directory; give a file name for the executable")]
    IsDirectory(String),
    #[error("{0} exists and is not an executable; clefc will not replace it")]
    NotExecutable(String),
    #[error("cannot write the executable to {path}: {reason}")]
    Unwritable { path: String, reason: String },
}

/// The output file, reserved: a temporary file in the target directory
/// that [`PendingOutput::commit`] renames over the output path.
pub struct PendingOutput {
    temp: Option<tempfile::TempPath>,
    target: PathBuf,
}

/// Check that `output` may be written for a build of `source`, and reserve
/// a temporary file beside it. Done before compiling, so a bad path costs
/// nothing and is reported in clefc's words.
pub fn check_output(source: &Path, output: &Path) -> Result<PendingOutput, OutputError> {
    let shown = output.display().to_string();
    if let Ok(meta) = std::fs::metadata(output) {
        if meta.is_dir() {
            return Err(OutputError::IsDirectory(shown));
        }
        // The same file, however it is named (`./x`, a symlink, a hard link).
        if let Ok(src) = std::fs::metadata(source) {
            if src.dev() == meta.dev() && src.ino() == meta.ino() {
                return Err(OutputError::IsSource(shown));
            }
        }
        if !meta.is_file() || !is_executable(output, &meta) {
            return Err(OutputError::NotExecutable(shown));
        }
    }
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let unwritable = |reason: String| OutputError::Unwritable {
        path: shown.clone(),
        reason,
    };
    if !parent.is_dir() {
        return Err(unwritable(format!(
            "the directory {} does not exist",
            parent.display()
        )));
    }
    let temp = tempfile::Builder::new()
        .prefix(".clefc-out-")
        .tempfile_in(&parent)
        .map_err(|e| unwritable(e.to_string()))?
        .into_temp_path();
    register(&temp);
    Ok(PendingOutput {
        temp: Some(temp),
        target: output.to_path_buf(),
    })
}

/// An existing file clefc may replace: an ELF file with an execute bit,
/// i.e. an earlier build's output.
fn is_executable(path: &Path, meta: &std::fs::Metadata) -> bool {
    use std::io::Read;
    if meta.permissions().mode() & 0o111 == 0 {
        return false;
    }
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == b"\x7fELF"
}

impl PendingOutput {
    /// The temporary path to link to.
    pub fn temp_path(&self) -> &Path {
        self.temp.as_deref().expect("present until committed")
    }

    /// Rename the linked temporary file over the output.
    pub fn commit(mut self) -> std::io::Result<()> {
        let temp = self.temp.take().expect("committed once");
        unregister(&temp);
        // The reservation was made private (0600); an executable is rwxr-xr-x
        // as `cc -o` makes it under the usual umask.
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o755))?;
        temp.persist(&self.target).map_err(|e| e.error)
    }
}

impl Drop for PendingOutput {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            unregister(&temp);
            // TempPath's Drop removes the file.
        }
    }
}
