//! The record of every allocation: what was asked, what was given, why any
//! fallback happened, and (for host memory) which nodes the pages are on.
//!
//! With `BAREWIRE_REPORT=1` in the environment the report is printed to
//! stderr when the program exits.

use super::{AllocError, Allocation, Request, Residency, Target};
use crate::platform::render::bytes;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once};

/// One allocation (or failed request) as the report shows it.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: u64,
    pub label: Option<String>,
    pub len: usize,
    pub requested: Residency,
    pub actual: Option<(Residency, Target)>,
    /// Why earlier candidates were passed over (or, for a failure, all).
    pub reasons: Vec<String>,
    /// Pages per node (`None` = not touched), sampled when the report was
    /// made or when the memory was freed.
    pub pages: Vec<(Option<u32>, usize)>,
    pub freed: bool,
    /// Base and mapped length of host memory whose pages can be queried.
    host_range: Option<(usize, usize)>,
    /// Base and length of the memory, whatever backs it (for fault reports).
    span: (usize, usize),
}

static RECORDS: Mutex<Vec<Record>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub(super) fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

fn reporting() -> bool {
    std::env::var_os("BAREWIRE_REPORT").is_some_and(|v| v != "0" && !v.is_empty())
}

fn records() -> std::sync::MutexGuard<'static, Vec<Record>> {
    RECORDS.lock().unwrap_or_else(|e| e.into_inner())
}

fn push(record: Record) {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        if reporting() {
            extern "C" fn at_exit() {
                eprint!("{}", report());
            }
            // SAFETY: registering a plain extern "C" function.
            unsafe { libc::atexit(at_exit) };
        }
    });
    records().push(record);
}

/// For a fault report: the allocation `addr` falls in (live or freed),
/// written to `out`. Never waits: `false` if the records are busy or no
/// allocation holds the address.
pub(crate) fn describe_address(addr: usize, out: &mut impl Write) -> bool {
    let Ok(records) = RECORDS.try_lock() else {
        return false;
    };
    let Some(r) = records.iter().rev().find(|r| {
        let (base, len) = r.span;
        (base..base + len).contains(&addr)
    }) else {
        return false;
    };
    let _ = write!(
        out,
        " in BAREWire allocation #{} ({} bytes requested as {}",
        r.id, r.len, r.requested
    );
    if let Some(label) = &r.label {
        let _ = write!(out, ", {label}");
    }
    let _ = write!(out, "{})", if r.freed { ", already freed" } else { "" });
    true
}

pub(super) fn allocated(a: &Allocation, request: &Request, reasons: &[String]) {
    push(Record {
        id: a.id,
        label: request.label.clone(),
        len: request.len,
        requested: request.residency,
        actual: Some((a.actual, a.target.clone())),
        reasons: reasons.to_vec(),
        pages: Vec::new(),
        freed: false,
        host_range: a.mapped_range(),
        span: (a.base as usize, a.len),
    });
}

pub(super) fn failed(request: &Request, error: &AllocError) {
    push(Record {
        id: next_id(),
        label: request.label.clone(),
        len: request.len,
        requested: request.residency,
        actual: None,
        reasons: error.reasons.clone(),
        pages: Vec::new(),
        freed: false,
        host_range: None,
        span: (0, 0),
    });
}

pub(super) fn freed(a: &Allocation) {
    // Where the pages were is only knowable while they exist.
    let pages = if reporting() {
        a.placement()
    } else {
        Vec::new()
    };
    if let Some(r) = records().iter_mut().find(|r| r.id == a.id) {
        r.freed = true;
        r.pages = pages;
    }
}

/// The records so far, with the pages of live host allocations sampled now.
pub fn snapshot() -> Vec<Record> {
    let mut records = records().clone();
    for r in records.iter_mut().filter(|r| !r.freed) {
        if let Some((base, len)) = r.host_range {
            r.pages = super::numa::placement(base as *mut u8, len, 4096);
        }
    }
    records
}

/// The report `BAREWIRE_REPORT=1` prints.
pub fn report() -> String {
    let records = snapshot();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "BAREWire allocation report: {} request(s)",
        records.len()
    );
    for r in &records {
        let label = r
            .label
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        match &r.actual {
            Some((actual, target)) => {
                let how = if *actual == r.requested {
                    ""
                } else {
                    " [fallback]"
                };
                let _ = writeln!(
                    out,
                    "  #{}{label}: {} requested {} -> {actual} on {target}{how}",
                    r.id,
                    bytes(r.len as u64),
                    r.requested,
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  #{}{label}: {} requested {} -> FAILED",
                    r.id,
                    bytes(r.len as u64),
                    r.requested
                );
            }
        }
        if !r.pages.is_empty() {
            let pages: Vec<String> = r
                .pages
                .iter()
                .map(|(node, n)| match node {
                    Some(node) => format!("node {node}: {n}"),
                    None => format!("untouched: {n}"),
                })
                .collect();
            let _ = writeln!(out, "      sampled pages: {}", pages.join(", "));
        }
        for why in &r.reasons {
            let _ = writeln!(out, "      passed over: {why}");
        }
    }
    out
}
