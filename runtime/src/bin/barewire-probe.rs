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

use barewire::alloc::{numa, Allocator, Request, Residency};
use barewire::platform::render::bytes;
use std::process::ExitCode;

fn parse_size(s: &str) -> Option<usize> {
    let (digits, mult) = match s.chars().last()? {
        'K' | 'k' => (&s[..s.len() - 1], 1 << 10),
        'M' | 'm' => (&s[..s.len() - 1], 1 << 20),
        'G' | 'g' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    digits.parse::<usize>().ok().map(|n| n * mult)
}

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

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
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
