//! `barewire-probe`: detect this machine, allocate as asked, prove where
//! the memory landed. The placement tests run it on this machine and
//! inside emulated NUMA and CXL guests.
//!
//! ```text
//! barewire-probe [--platform] [--limit-as BYTES] SPEC...
//! SPEC = RESIDENCY:SIZE[:strict]     e.g. cxl_mem:4M  node2:8M:strict
//! ```
//! For each spec it allocates, writes a pattern over the whole buffer,
//! reads it back, asks the kernel where every page is (`move_pages`), and
//! prints one line:
//! `ALLOC <spec> -> <actual> on <target> pages=<node>:<count>,… verify=ok`
//! or `ALLOC <spec> -> FAILED: <why>`. `--platform` first prints the
//! detected platform's JSON between `PLATFORM-BEGIN`/`PLATFORM-END` lines.
//! The exit status is 0 when every allocation succeeded and verified.
//!
//! `barewire-probe --fault KIND` instead prints a line through the
//! runtime's buffered stdout and then faults for real, to show how the
//! runtime's fault handlers end a program: `segv-in-buffer` (a read from a
//! BAREWire allocation made inaccessible), `segv-wild` (a read of an
//! unmapped address), `bus-truncated` (a read past the end of a file
//! mapping whose file shrank, as a DAX mapping that goes away), `stack`
//! (endless recursion), `stack-thread` (the same on a second thread).

use barewire::alloc::{numa, Allocator, Request, Residency};
use barewire::fault::parse_size;
use barewire::platform::render::bytes;
use std::process::ExitCode;

fn parse_spec(spec: &str) -> Result<Request, String> {
    let mut parts = spec.split(':');
    let residency: Residency = parts.next().unwrap_or("").parse()?;
    let size = parts
        .next()
        .and_then(parse_size)
        .ok_or_else(|| format!("{spec}: expected RESIDENCY:SIZE[:strict]"))?;
    let mut request = Request::new(size, residency).label(spec.to_string());
    match parts.next() {
        None => {}
        Some("strict") => request = request.strict(),
        Some(other) => return Err(format!("{spec}: unknown option {other:?}")),
    }
    Ok(request)
}

fn limit_address_space(bytes: u64) {
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: bytes,
    };
    // SAFETY: setrlimit with a valid struct.
    if unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) } != 0 {
        eprintln!(
            "warning: setrlimit failed: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// Make the fault `kind` happen after printing a line (never returns
/// normally unless `kind` is unknown).
fn fault(kind: &str) -> ExitCode {
    barewire::fault::install();
    barewire::io::print(b"printed before the fault\n");
    match kind {
        "segv-in-buffer" => {
            let request = Request::new(1 << 20, Residency::CpuLocal).label("probe buffer");
            let allocation = Allocator::global()
                .allocate(&request)
                .expect("1 MiB of cpu_mem");
            let p = allocation.as_ptr();
            // SAFETY: deliberately made inaccessible, then read: the fault
            // under test.
            unsafe {
                libc::mprotect(p.cast(), allocation.len(), libc::PROT_NONE);
                std::ptr::read_volatile(p.add(4096));
            }
        }
        "segv-wild" => unsafe {
            // SAFETY: deliberately invalid; the fault under test.
            std::ptr::read_volatile(16 as *const u8);
        },
        "bus-truncated" => {
            let path = std::env::temp_dir().join(format!("barewire-probe-{}", std::process::id()));
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&path)
                .expect("temporary file");
            let _ = std::fs::remove_file(&path);
            file.set_len(1 << 16).expect("size");
            // SAFETY: a shared file mapping, read after the file shrank:
            // SIGBUS, the fault under test.
            unsafe {
                let map = memmap2::Mmap::map(&file).expect("map");
                file.set_len(0).expect("truncate");
                std::ptr::read_volatile(map.as_ptr().add(8192));
            }
        }
        "stack" => return ExitCode::from(endless_recursion(0) as u8),
        "stack-thread" => {
            let worker = std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(|| {
                    barewire::fault::guard_this_thread();
                    endless_recursion(0)
                })
                .expect("spawn");
            return ExitCode::from(worker.join().unwrap_or(0) as u8);
        }
        _ => {
            eprintln!("error: unknown fault {kind}");
            return ExitCode::from(2);
        }
    }
    eprintln!("error: the fault did not happen");
    ExitCode::from(3)
}

fn endless_recursion(n: u64) -> u64 {
    let frame = [n; 64];
    std::hint::black_box(&frame);
    if std::hint::black_box(n) == u64::MAX {
        return 0;
    }
    1 + endless_recursion(n + 1)
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--fault") {
        return fault(args.get(1).map_or("", |s| s.as_str()));
    }
    let show_platform = args.first().is_some_and(|a| a == "--platform");
    if show_platform {
        args.remove(0);
    }
    if args.first().is_some_and(|a| a == "--limit-as") {
        let Some(limit) = args.get(1).and_then(|s| parse_size(s)) else {
            eprintln!("error: --limit-as needs a size");
            return ExitCode::from(2);
        };
        args.drain(..2);
        limit_address_space(limit as u64);
    }
    let allocator = Allocator::global();
    if show_platform {
        println!(
            "PLATFORM-BEGIN\n{}\nPLATFORM-END",
            allocator.platform().to_json()
        );
    }
    let mut ok = true;
    let mut keep = Vec::new();
    for spec in &args {
        let request = match parse_spec(spec) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let mut allocation = match allocator.allocate(&request) {
            Ok(a) => a,
            Err(e) => {
                println!("ALLOC {spec} -> FAILED: {e}");
                ok = false;
                continue;
            }
        };
        let (actual, target) = (allocation.actual(), allocation.target().clone());
        let verify = match allocation.as_mut_slice() {
            Some(bytes) => {
                for (i, b) in bytes.iter_mut().enumerate() {
                    *b = (i % 251) as u8;
                }
                let good = bytes.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8);
                if good {
                    "ok"
                } else {
                    "MISMATCH"
                }
            }
            None => "not-host-memory",
        };
        ok &= verify != "MISMATCH";
        // Every page, not a sample: the tests compare exact counts.
        let pages = numa::placement(allocation.as_ptr(), allocation.len(), usize::MAX);
        let pages: Vec<String> = pages
            .iter()
            .map(|(node, n)| match node {
                Some(node) => format!("{node}:{n}"),
                None => format!("none:{n}"),
            })
            .collect();
        println!(
            "ALLOC {spec} -> {actual} on {target} size={} pages={} verify={verify}",
            bytes(allocation.len() as u64),
            if pages.is_empty() {
                "-".into()
            } else {
                pages.join(",")
            }
        );
        keep.push(allocation);
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
