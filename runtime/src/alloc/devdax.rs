//! Device-DAX memory: `/dev/daxX.Y` mapped with memmap2 at the device's
//! alignment (2 MiB for most), handed out in aligned slices.
//!
//! Each device is mapped whole, once, on first use. Slices are carved from
//! it front to back; when every slice has been released the device is
//! reused from the start. (A long-running program that frees out of order
//! does not get holes back: a known limit.)

use crate::platform::DaxDevice;
use std::collections::HashMap;
use std::sync::Mutex;

struct Arena {
    map: memmap2::MmapRaw,
    align: usize,
    next: usize,
    live: usize,
}

// SAFETY: the mapping is plain shared memory; access goes through the mutex.
unsafe impl Send for Arena {}

static ARENAS: Mutex<Option<HashMap<String, Arena>>> = Mutex::new(None);

/// A piece of a device.
pub struct Slice {
    pub base: *mut u8,
    device: String,
}

/// `/dev/NAME` (`BAREWIRE_DEV_ROOT` replaces `/dev`, for tests).
fn device_path(name: &str) -> std::path::PathBuf {
    let root = std::env::var("BAREWIRE_DEV_ROOT").unwrap_or_else(|_| "/dev".into());
    std::path::Path::new(&root).join(name)
}

pub fn take(dax: &DaxDevice, len: usize) -> Result<Slice, String> {
    let mut guard = ARENAS.lock().unwrap_or_else(|e| e.into_inner());
    let arenas = guard.get_or_insert_with(HashMap::new);
    if !arenas.contains_key(&dax.name) {
        let path = device_path(&dax.name);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let align = dax.align_bytes.unwrap_or(2 << 20) as usize;
        let size = dax.size_bytes as usize / align * align;
        let map = memmap2::MmapOptions::new()
            .len(size)
            .map_raw(&file)
            .map_err(|e| format!("mapping {}: {e}", path.display()))?;
        arenas.insert(
            dax.name.clone(),
            Arena {
                map,
                align,
                next: 0,
                live: 0,
            },
        );
    }
    let arena = arenas.get_mut(&dax.name).expect("inserted above");
    let start = arena.next;
    let end = start + len.div_ceil(arena.align) * arena.align;
    if end > arena.map.len() {
        return Err(format!(
            "{} bytes wanted, {} left on the device",
            len,
            arena.map.len() - start
        ));
    }
    arena.next = end;
    arena.live += 1;
    Ok(Slice {
        // SAFETY: start < map length.
        base: unsafe { arena.map.as_mut_ptr().add(start) },
        device: dax.name.clone(),
    })
}

pub fn release(slice: &Slice) {
    let mut guard = ARENAS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(arena) = guard.as_mut().and_then(|a| a.get_mut(&slice.device)) {
        arena.live -= 1;
        if arena.live == 0 {
            arena.next = 0;
        }
    }
}
