//! `clefc`: the Clef compiler's command line.
//!
//! Exit codes: 0 success, 1 errors in the program (or a failed link),
//! 2 usage errors (bad arguments, unreadable file). A panic is a bug.

use clap::{Parser, Subcommand};
use clef_frontend::SourceFile;
use clefc::link;
use clefc::pipeline::{self, Compilation, Goal, Outcome, PlacementOptions, Stage};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "clefc",
    version,
    about = "The Clef compiler: heterogeneous memory, checked at compile time"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The machine a program is compiled for.
#[derive(clap::Args, Clone)]
struct TargetArgs {
    /// `auto` (decide on the machine that runs the program), a preset
    /// (workstation, datacenter-cxl2, datacenter-cxl3, edge), or a platform
    /// description file.
    #[arg(long, value_name = "auto|PRESET|FILE", default_value = "auto")]
    platform: String,
    /// Buffers larger than this many bytes prefer far (CXL) memory.
    #[arg(long, value_name = "BYTES", default_value_t = 512 << 20)]
    large_threshold: u64,
    /// Optimisation level: 0 turns the MIR optimisations off (inlining,
    /// devirtualisation, scalar replacement); 1, the default, runs them.
    #[arg(short = 'O', value_name = "LEVEL", default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=1))]
    opt_level: u8,
}

/// What the command line asks of the pipeline.
struct Options {
    placement: PlacementOptions,
    optimise: bool,
}

impl TargetArgs {
    /// The compilation options, or the usage error (exit code 2).
    fn options(&self) -> Result<Options, ExitCode> {
        match barewire::platform::Platform::from_argument(&self.platform) {
            Ok(platform) => Ok(Options {
                placement: PlacementOptions {
                    platform,
                    config: barewire::placement::PlacementConfig {
                        large_threshold: self.large_threshold,
                    },
                },
                optimise: self.opt_level > 0,
            }),
            Err(e) => {
                eprintln!("error: --platform: {e}");
                Err(ExitCode::from(2))
            }
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Compile a program to a native executable.
    Build {
        file: PathBuf,
        /// Where to write the executable (default: the file's name without
        /// extension, in the current directory).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Print a stage's output to stdout instead of building.
        #[arg(long, value_enum)]
        emit: Option<Stage>,
        /// Print the time each stage took to stderr.
        #[arg(long)]
        timings: bool,
        /// Print where each allocation goes, and why, to stderr.
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Compile and run a program; arguments after `--` go to the program.
    Run {
        file: PathBuf,
        #[command(flatten)]
        target: TargetArgs,
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Run a program in the reference interpreter (no code generation);
    /// arguments after `--` go to the program.
    Interp {
        file: PathBuf,
        #[command(flatten)]
        target: TargetArgs,
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Check a program for errors without generating code.
    Check {
        file: PathBuf,
        /// Print a stage's output to stdout.
        #[arg(long, value_enum)]
        emit: Option<Stage>,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Explain a diagnostic code (`clefc explain E0536`).
    Explain {
        /// The code, as in `error[E0536]`.
        code: String,
    },
    /// Show the machine's memory: NUMA nodes, DAX and CXL devices, GPUs.
    Platform {
        /// Print JSON for tools instead of a table.
        #[arg(long)]
        json: bool,
        /// Detect from a recorded tree: DIR holds `sys/` and `proc/`.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["platform", "hwloc_xml"])]
        root: Option<PathBuf>,
        /// Show a platform description file instead of detecting (`auto`
        /// detects this machine).
        #[arg(long, value_name = "auto|FILE", conflicts_with = "hwloc_xml")]
        platform: Option<String>,
        /// Show what an hwloc XML export describes.
        #[arg(long, value_name = "FILE")]
        hwloc_xml: Option<PathBuf>,
    },
}

/// Deeply nested programs recurse deeply in the compiler: run it on a
/// thread with a large stack (reserved address space, not memory).
const COMPILER_STACK: usize = 1 << 30;

fn main() -> ExitCode {
    let worker = std::thread::Builder::new()
        .stack_size(COMPILER_STACK)
        .spawn(real_main);
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(e) => {
            eprintln!("error: cannot start the compiler thread: {e}");
            ExitCode::from(1)
        }
    }
}

fn real_main() -> ExitCode {
    clefc::output::install_interrupt_cleanup();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Build {
            file,
            output,
            emit,
            timings,
            explain,
            target,
        } => {
            let options = match target.options() {
                Ok(o) => o,
                Err(code) => return code,
            };
            if explain {
                if let Ok((src, c)) = compile_file(&file, Goal::Emit(Stage::Placement), &options) {
                    if let Some(Outcome::Emitted(report)) = &c.outcome {
                        eprint!("{report}");
                    } else {
                        return status(&src, &c);
                    }
                }
            }
            let goal = emit.map_or(Goal::Object, Goal::Emit);
            // The output is checked (and reserved) before compiling.
            let pending = if emit.is_none() {
                let out = output.unwrap_or_else(|| default_output(&file));
                match clefc::output::check_output(&file, &out) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                }
            } else {
                None
            };
            let (src, c) = match compile_file(&file, goal, &options) {
                Ok(r) => r,
                Err(code) => return code,
            };
            if timings {
                for (stage, d) in &c.timings {
                    eprintln!("{stage:>12}: {:.3} ms", d.as_secs_f64() * 1e3);
                }
            }
            match (&c.outcome, pending) {
                // An object is only made when building, with the output
                // reserved.
                (Some(Outcome::Object(obj)), Some(pending)) => {
                    let t = std::time::Instant::now();
                    let result = link::link(obj, pending.temp_path())
                        .and_then(|()| pending.commit().map_err(link::LinkError::Io));
                    if timings {
                        eprintln!("{:>12}: {:.3} ms", "link", t.elapsed().as_secs_f64() * 1e3);
                    }
                    match result {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(e) => {
                            eprintln!("error: {e}");
                            ExitCode::from(1)
                        }
                    }
                }
                (Some(Outcome::Emitted(text)), _) => {
                    write_stdout(text);
                    status(&src, &c)
                }
                _ => status(&src, &c),
            }
        }
        Command::Check { file, emit, target } => {
            let options = match target.options() {
                Ok(o) => o,
                Err(code) => return code,
            };
            let goal = emit.map_or(Goal::Check, Goal::Emit);
            let (src, c) = match compile_file(&file, goal, &options) {
                Ok(r) => r,
                Err(code) => return code,
            };
            if let Some(Outcome::Emitted(text)) = &c.outcome {
                write_stdout(text);
            }
            status(&src, &c)
        }
        Command::Run { file, target, args } => match target.options() {
            Ok(options) => run(&file, &args, &options),
            Err(code) => code,
        },
        Command::Interp { file, target, args } => match target.options() {
            Ok(options) => interpret(&file, &args, &options),
            Err(code) => code,
        },
        Command::Platform {
            json,
            root,
            platform,
            hwloc_xml,
        } => show_platform(json, root, platform, hwloc_xml),
        Command::Explain { code } => explain(&code),
    }
}

/// `clefc explain CODE`: the code's section of docs/errors.md.
fn explain(code: &str) -> ExitCode {
    match clef_frontend::codes::explain(code) {
        Some(entry) => {
            write_stdout(&format!(
                "{}: {}\n\n{}\n",
                entry.code, entry.title, entry.text
            ));
            ExitCode::SUCCESS
        }
        None => {
            eprintln!(
                "error: `{code}` is not a diagnostic code of clefc (they look like E0536 or W0020; see docs/errors.md)"
            );
            ExitCode::from(2)
        }
    }
}

/// `clefc platform`: detect (or load) a platform and print it.
fn show_platform(
    json: bool,
    root: Option<PathBuf>,
    file: Option<String>,
    hwloc_xml: Option<PathBuf>,
) -> ExitCode {
    use barewire::platform::{Detect, DetectOptions, HwlocSource, Platform};
    let result = match (root, file, hwloc_xml) {
        (Some(root), _, _) => {
            if !root.join("sys").is_dir() {
                eprintln!(
                    "error: {} has no sys/ directory to detect from",
                    root.display()
                );
                return ExitCode::from(2);
            }
            // hwloc reads the same tree. Setting the variable is sound here:
            // this is the only thread that runs, the main thread only waits.
            std::env::set_var("HWLOC_FSROOT", &root);
            Platform::detect(&DetectOptions {
                hwloc: HwlocSource::Live,
                ..DetectOptions::recorded(&root)
            })
        }
        (None, Some(file), _) if file != "auto" => match Platform::from_argument(&file) {
            Ok(Some(p)) => Ok(p),
            Ok(None) => Platform::detect(&DetectOptions::this_machine()),
            Err(e) => Err(e),
        },
        (None, _, Some(xml)) => Platform::from_hwloc_xml(&xml),
        _ => Platform::detect(&DetectOptions::this_machine()),
    };
    match result {
        Ok(p) if json => {
            write_stdout(&format!("{}\n", p.to_json()));
            ExitCode::SUCCESS
        }
        Ok(p) => {
            write_stdout(&barewire::platform::render::render(&p));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Write to stdout; a reader that went away (`clefc … | head`) is not an
/// error worth more than stopping quietly.
fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}

/// Exit status after printing diagnostics.
fn status(_src: &SourceFile, c: &Compilation) -> ExitCode {
    if c.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn default_output(file: &Path) -> PathBuf {
    PathBuf::from(file.file_stem().unwrap_or(file.as_os_str()))
}

/// Read, compile, and print diagnostics. `Err` carries the exit code when
/// the file cannot be read.
fn compile_file(
    file: &Path,
    goal: Goal,
    options: &Options,
) -> Result<(SourceFile, Compilation), ExitCode> {
    if file.is_dir() {
        eprintln!(
            "error: {} is a directory; give a Clef source file",
            file.display()
        );
        return Err(ExitCode::from(2));
    }
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return Err(ExitCode::from(2));
        }
    };
    let name = file.display().to_string();
    let (src, not_utf8) = SourceFile::decode(name, bytes);
    if let Some(diag) = not_utf8 {
        eprint!("{}", src.render(&[diag]));
        return Err(ExitCode::from(1));
    }
    let module = file
        .file_stem()
        .map(|s| capitalize(&s.to_string_lossy()))
        .unwrap_or_else(|| "Program".into());
    let c = pipeline::compile_with(&src, &module, goal, &options.placement, options.optimise);
    eprint!("{}", src.render(&c.diagnostics));
    if let Some(bug) = &c.internal {
        eprintln!("{bug}");
    }
    Ok((src, c))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// `clefc interp`: check the program, then run its PSG in the
/// interpreter; the exit code is the program's.
fn interpret(file: &Path, args: &[String], options: &Options) -> ExitCode {
    let (src, c) = match compile_file(file, Goal::Analyse, options) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let Some(Outcome::Analysed(analysed)) = &c.outcome else {
        return status(&src, &c);
    };
    let (psg, facts) = &**analysed;
    let code = clefc::interp::run(psg, facts, &src, args);
    ExitCode::from(code as u8)
}

fn run(file: &Path, args: &[String], options: &Options) -> ExitCode {
    let (src, c) = match compile_file(file, Goal::Object, options) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let Some(Outcome::Object(obj)) = c.outcome else {
        return status(&src, &c);
    };
    let dir = match clefc::output::TempDir::new() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot create a temporary directory: {e}");
            return ExitCode::from(1);
        }
    };
    let exe = dir.path().join("program");
    if let Err(e) = link::link(&obj, &exe) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    match std::process::Command::new(&exe).args(args).status() {
        Ok(s) => {
            use std::os::unix::process::ExitStatusExt;
            let code = s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0));
            ExitCode::from(code as u8)
        }
        Err(e) => {
            eprintln!("error: cannot run the program: {e}");
            ExitCode::from(1)
        }
    }
}
