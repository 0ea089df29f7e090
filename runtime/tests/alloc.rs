//! Placed allocation on this machine: memory lands where it was asked (the
//! kernel's `move_pages` says so), absent hardware falls back as
//! documented, strict requests that cannot be met are errors, and failures
//! of the system (a refused mapping, a missing CUDA driver) are handled.

use barewire::alloc::pool::Pool;
use barewire::alloc::{Allocator, Request, Residency, Target};
use std::process::Command;

fn probe(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_barewire-probe"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run barewire-probe");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn first_node() -> u32 {
    Allocator::global().platform().numa_nodes[0].id
}

#[test]
fn node_memory_lands_on_the_node() {
    let node = first_node();
    let mut a = Allocator::global()
        .allocate(&Request::new(3 << 20, Residency::Node(node)).strict())
        .unwrap();
    assert_eq!(a.actual(), Residency::Node(node));
    assert_eq!(a.target(), &Target::Node(node));
    a.as_mut_slice().unwrap().fill(7);
    // Strict requests are faulted in up front: every page is placed.
    assert_eq!(a.placement(), vec![(Some(node), 768)]);
}

#[test]
fn a_node_that_does_not_exist() {
    let strict = Allocator::global().allocate(&Request::new(4096, Residency::Node(4000)).strict());
    let err = strict
        .err()
        .expect("strict request on a missing node fails");
    assert_eq!(
        err.reasons,
        ["node 4000: node 4000 does not exist on this machine"]
    );
    // Preferred: the documented fallback, with the reason kept.
    let a = Allocator::global()
        .allocate(&Request::new(4096, Residency::Node(4000)))
        .unwrap();
    assert_eq!(a.actual(), Residency::CpuLocal);
}

#[test]
fn an_explicit_fallback_chain_is_followed_in_order() {
    let node = first_node();
    let a = Allocator::global()
        .allocate(
            &Request::new(4096, Residency::GpuMem)
                .fallback(vec![Residency::Node(4001), Residency::Node(node)]),
        )
        .unwrap();
    assert_eq!(a.actual(), Residency::Node(node));
    let none =
        Allocator::global().allocate(&Request::new(4096, Residency::Node(4001)).fallback(vec![]));
    assert!(none.is_err());
}

#[test]
fn a_strict_request_larger_than_the_node_is_an_error() {
    let node = first_node();
    let err = Allocator::global()
        .allocate(&Request::new(1 << 50, Residency::Node(node)).strict())
        .err()
        .expect("a petabyte does not fit");
    assert!(err.reasons[0].contains("free"), "{:?}", err.reasons);
}

#[test]
fn refused_mappings_fail_cleanly() {
    // The kernel really refuses: the address space is capped at 256 MiB.
    let (code, out, _) = probe(&["--limit-as", "256M", "cpu_mem:512M", "cpu_mem:1M"], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("ALLOC cpu_mem:512M -> FAILED: cannot allocate"),
        "{out}"
    );
    assert!(out.contains("Cannot allocate memory"), "{out}");
    assert!(out.contains("ALLOC cpu_mem:1M -> cpu_mem on node"), "{out}");
}

#[test]
fn no_cuda_driver_means_no_gpu_and_the_fallback() {
    let env = [
        ("BAREWIRE_CUDA_LIBRARY", "/nonexistent/libcuda.so.1"),
        ("BAREWIRE_REPORT", "1"),
    ];
    let (code, out, err) = probe(&["--platform", "gpu_mem:1M", "gpu_bar:1M:strict"], &env);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("\"gpus\": []"), "{out}");
    assert!(
        out.contains("no CUDA GPUs: /nonexistent/libcuda.so.1 not found"),
        "{out}"
    );
    assert!(out.contains("ALLOC gpu_mem:1M -> cpu_mem on node"), "{out}");
    assert!(out.contains("ALLOC gpu_bar:1M:strict -> FAILED"), "{out}");
    // The report agrees with what the program saw.
    assert!(
        err.contains("1 MiB requested gpu_mem -> cpu_mem on node"),
        "{err}"
    );
    assert!(err.contains("[fallback]"), "{err}");
    assert!(err.contains("passed over: gpu_mem: no CUDA GPUs"), "{err}");
    assert!(err.contains("1 MiB requested gpu_bar -> FAILED"), "{err}");
}

#[test]
fn cxl_without_cxl_falls_back_and_says_why() {
    let platform = Allocator::global().platform();
    if platform.cpuless_nodes().next().is_some() || !platform.dax_devices.is_empty() {
        return; // this machine has far memory: the QEMU tests cover it
    }
    let (code, out, err) = probe(
        &["cxl_mem:2M", "cxl_mem:2M:strict"],
        &[("BAREWIRE_REPORT", "1")],
    );
    assert_eq!(code, 1);
    assert!(out.contains("ALLOC cxl_mem:2M -> cpu_mem on node"), "{out}");
    assert!(out.contains("ALLOC cxl_mem:2M:strict -> FAILED: cannot allocate 2097152 bytes as cxl_mem: cxl_mem: no CXL or memory-only node and no devdax device"), "{out}");
    assert!(
        err.contains("passed over: cxl_mem: no CXL or memory-only node"),
        "{err}"
    );
}

#[test]
fn pools_reuse_freed_objects_and_count() {
    let node = first_node();
    let mut pool = Pool::new(
        Allocator::global(),
        &Request::new(1 << 16, Residency::Node(node)),
    )
    .unwrap();
    let a = pool.alloc(24).unwrap();
    let b = pool.alloc(24).unwrap();
    assert_ne!(a, b);
    assert_eq!(a.as_ptr() as usize % 32, 0, "aligned to its class");
    // SAFETY: from this pool, same size, freed once.
    unsafe { pool.free(a, 24) };
    assert_eq!(pool.alloc(20), Some(a), "the free list is reused first");
    assert_eq!(pool.alloc(5000), None, "too large for a pool object");
    let mut n = 0;
    while pool.alloc(4096).is_some() {
        n += 1;
    }
    assert!((14..=16).contains(&n), "{n} pages of 4 KiB fit in 64 KiB");
    let stats = pool.stats();
    assert_eq!(stats.capacity_bytes, 1 << 16);
    assert_eq!(stats.frees, 1);
    assert_eq!(stats.allocations, 3 + n);
    assert_eq!(stats.refused, 2);
    assert_eq!(pool.memory().target(), &Target::Node(node));
}
