//! Allocation benchmarks for BAREWire (see docs/benchmarks.md):
//!
//! 1. small objects: a pool's alloc+free fast path against glibc malloc
//!    and mimalloc, on the same workload (batches of 64 objects of 16–256
//!    bytes, allocated then freed);
//! 2. a 256 MiB node-bound allocation with first touch of every page,
//!    against plain mmap + mbind(2) with the same policy.
//!
//! The variants run interleaved, round after round, and the medians are
//! compared as ratios, so machine noise hits all of them alike.
//!
//! `cargo run --release -p barewire --example alloc_bench`

use barewire::alloc::numa;
use barewire::alloc::pool::Pool;
use barewire::alloc::{Allocator, Request, Residency};
use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;
use std::time::Instant;

const BATCH: usize = 64;
const BATCHES: usize = 50_000;
const ROUNDS: usize = 7;

fn size_of_object(i: usize) -> usize {
    16 + (i * 37) % 241
}

fn small_pool(pool: &mut Pool) -> f64 {
    let mut objects = [std::ptr::NonNull::dangling(); BATCH];
    let start = Instant::now();
    for _ in 0..BATCHES {
        for (i, slot) in objects.iter_mut().enumerate() {
            *slot = pool.alloc(size_of_object(i)).expect("pool has room");
            // SAFETY: a fresh object of at least 16 bytes.
            unsafe { slot.as_ptr().write(i as u8) };
        }
        for (i, slot) in objects.iter().enumerate() {
            // SAFETY: allocated above with this size, freed once.
            unsafe { pool.free(black_box(*slot), size_of_object(i)) };
        }
    }
    start.elapsed().as_nanos() as f64 / (BATCHES * BATCH) as f64
}

fn small_malloc(alloc: impl Fn(usize) -> *mut u8, free: impl Fn(*mut u8, usize)) -> f64 {
    let mut objects = [std::ptr::null_mut(); BATCH];
    let start = Instant::now();
    for _ in 0..BATCHES {
        for (i, slot) in objects.iter_mut().enumerate() {
            *slot = alloc(size_of_object(i));
            // SAFETY: a fresh object of at least 16 bytes.
            unsafe { slot.write(i as u8) };
        }
        for (i, slot) in objects.iter().enumerate() {
            free(black_box(*slot), size_of_object(i));
        }
    }
    start.elapsed().as_nanos() as f64 / (BATCHES * BATCH) as f64
}

const BIG: usize = 256 << 20;

fn touch(p: *mut u8, len: usize) {
    let page = numa::page_size();
    let mut off = 0;
    while off < len {
        // SAFETY: inside the mapping.
        unsafe { p.add(off).write_volatile(1) };
        off += page;
    }
}

fn big_barewire(node: u32) -> f64 {
    let start = Instant::now();
    let a = Allocator::global()
        .allocate(&Request::new(BIG, Residency::Node(node)))
        .expect("256 MiB on the node");
    touch(a.as_ptr(), BIG);
    drop(black_box(a));
    start.elapsed().as_secs_f64() * 1e3
}

fn big_mmap_mbind(node: u32) -> f64 {
    let start = Instant::now();
    let p = numa::map_anonymous(BIG).expect("mmap");
    numa::bind(p, BIG, node, false).expect("mbind");
    touch(p, BIG);
    // SAFETY: our mapping, unused from here.
    unsafe { numa::unmap(black_box(p), BIG) };
    start.elapsed().as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let node = Allocator::global().platform().numa_nodes[0].id;
    let mut pool = Pool::new(
        Allocator::global(),
        &Request::new(1 << 20, Residency::Node(node)),
    )
    .expect("a 1 MiB pool");
    let mi = mimalloc::MiMalloc;
    let (mut p, mut g, mut m) = (vec![], vec![], vec![]);
    for _ in 0..ROUNDS {
        p.push(small_pool(&mut pool));
        // SAFETY: malloc/free pairs of the same pointer.
        g.push(small_malloc(
            |n| unsafe { libc::malloc(n) as *mut u8 },
            |q, _| unsafe { libc::free(q as *mut libc::c_void) },
        ));
        // SAFETY: GlobalAlloc pairs with the same layout.
        m.push(small_malloc(
            |n| unsafe { mi.alloc(Layout::from_size_align_unchecked(n, 8)) },
            |q, n| unsafe { mi.dealloc(q, Layout::from_size_align_unchecked(n, 8)) },
        ));
    }
    let (p, g, m) = (median(p), median(g), median(m));
    println!("small objects (alloc+free, ns per object, median of {ROUNDS} interleaved rounds)");
    println!("| allocator | ns | vs mimalloc |");
    println!("|---|---:|---:|");
    println!("| BAREWire pool | {p:.2} | {:.2}× |", p / m);
    println!("| glibc malloc | {g:.2} | {:.2}× |", g / m);
    println!("| mimalloc | {m:.2} | 1.00× |");

    let (mut b, mut k) = (vec![], vec![]);
    for _ in 0..ROUNDS {
        b.push(big_barewire(node));
        k.push(big_mmap_mbind(node));
    }
    let (b, k) = (median(b), median(k));
    println!();
    println!("256 MiB bound to node {node}, first touch of every page, then free (ms, median of {ROUNDS} interleaved rounds)");
    println!("| allocation | ms | vs mmap+mbind |");
    println!("|---|---:|---:|");
    println!(
        "| BAREWire Allocator (node {node}, preferred) | {b:.1} | {:.3}× |",
        b / k
    );
    println!("| mmap + mbind(MPOL_PREFERRED) | {k:.1} | 1.000× |");
}
