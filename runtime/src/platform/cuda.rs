//! CUDA, loaded at run time with `dlopen("libcuda.so.1")`: no build-time
//! dependency, and a machine without the driver simply has no CUDA GPUs.
//!
//! `BAREWIRE_CUDA_LIBRARY` names another library to load instead (tests use
//! it to prove that a missing driver is handled).

use super::Gpu;
use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::sync::OnceLock;

type CuResult = c_int;
type CuDevice = c_int;
pub type CuDevicePtr = u64;
type CuContext = *mut c_void;

/// The driver entry points BAREWire uses.
pub struct Cuda {
    device_get_count: unsafe extern "C" fn(*mut c_int) -> CuResult,
    device_get: unsafe extern "C" fn(*mut CuDevice, c_int) -> CuResult,
    device_get_name: unsafe extern "C" fn(*mut c_char, c_int, CuDevice) -> CuResult,
    device_total_mem: unsafe extern "C" fn(*mut usize, CuDevice) -> CuResult,
    device_get_pci_bus_id: unsafe extern "C" fn(*mut c_char, c_int, CuDevice) -> CuResult,
    primary_ctx_retain: unsafe extern "C" fn(*mut CuContext, CuDevice) -> CuResult,
    ctx_set_current: unsafe extern "C" fn(CuContext) -> CuResult,
    mem_alloc: unsafe extern "C" fn(*mut CuDevicePtr, usize) -> CuResult,
    mem_free: unsafe extern "C" fn(CuDevicePtr) -> CuResult,
    mem_alloc_managed: unsafe extern "C" fn(*mut CuDevicePtr, usize, c_uint) -> CuResult,
    mem_host_alloc: unsafe extern "C" fn(*mut *mut c_void, usize, c_uint) -> CuResult,
    mem_free_host: unsafe extern "C" fn(*mut c_void) -> CuResult,
    ctx_synchronize: unsafe extern "C" fn() -> CuResult,
    ctx_get_current: unsafe extern "C" fn(*mut CuContext) -> CuResult,
}

// SAFETY: the struct holds only function pointers into the driver, which
// is thread-safe.
unsafe impl Send for Cuda {}
unsafe impl Sync for Cuda {}

const CU_MEM_ATTACH_GLOBAL: c_uint = 1;
const CU_MEMHOSTALLOC_PORTABLE: c_uint = 1;
const CU_MEMHOSTALLOC_DEVICEMAP: c_uint = 2;

fn library_name() -> String {
    std::env::var("BAREWIRE_CUDA_LIBRARY").unwrap_or_else(|_| "libcuda.so.1".into())
}

/// The loaded driver, or why there is none. Loaded once per process.
pub fn driver() -> Result<&'static Cuda, String> {
    static DRIVER: OnceLock<Result<Cuda, String>> = OnceLock::new();
    DRIVER.get_or_init(load).as_ref().map_err(Clone::clone)
}

// Each transmute's target type is the struct field it initialises.
#[allow(clippy::missing_transmute_annotations)]
fn load() -> Result<Cuda, String> {
    let name = library_name();
    let c_name = CString::new(name.clone()).map_err(|_| format!("bad library name {name:?}"))?;
    // SAFETY: dlopen with a valid C string; the handle is never closed, so
    // the symbols below stay valid for the life of the process.
    let handle = unsafe { libc::dlopen(c_name.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    if handle.is_null() {
        return Err(format!("{name} not found (no NVIDIA driver)"));
    }
    let sym = |symbol: &str| -> Result<*mut c_void, String> {
        let c = CString::new(symbol).expect("symbol names have no NUL");
        // SAFETY: a valid handle and C string.
        let p = unsafe { libc::dlsym(handle, c.as_ptr()) };
        if p.is_null() {
            Err(format!("{name} has no {symbol}"))
        } else {
            Ok(p)
        }
    };
    // SAFETY: each symbol is the driver API function of that name, whose C
    // signature the field's type states.
    unsafe {
        let init: unsafe extern "C" fn(c_uint) -> CuResult = std::mem::transmute(sym("cuInit")?);
        let cuda = Cuda {
            device_get_count: std::mem::transmute(sym("cuDeviceGetCount")?),
            device_get: std::mem::transmute(sym("cuDeviceGet")?),
            device_get_name: std::mem::transmute(sym("cuDeviceGetName")?),
            device_total_mem: std::mem::transmute(sym("cuDeviceTotalMem_v2")?),
            device_get_pci_bus_id: std::mem::transmute(sym("cuDeviceGetPCIBusId")?),
            primary_ctx_retain: std::mem::transmute(sym("cuDevicePrimaryCtxRetain")?),
            ctx_set_current: std::mem::transmute(sym("cuCtxSetCurrent")?),
            mem_alloc: std::mem::transmute(sym("cuMemAlloc_v2")?),
            mem_free: std::mem::transmute(sym("cuMemFree_v2")?),
            mem_alloc_managed: std::mem::transmute(sym("cuMemAllocManaged")?),
            mem_host_alloc: std::mem::transmute(sym("cuMemHostAlloc")?),
            mem_free_host: std::mem::transmute(sym("cuMemFreeHost")?),
            ctx_synchronize: std::mem::transmute(sym("cuCtxSynchronize")?),
            ctx_get_current: std::mem::transmute(sym("cuCtxGetCurrent")?),
        };
        let rc = init(0);
        if rc != 0 {
            return Err(format!("cuInit failed (CUresult {rc})"));
        }
        Ok(cuda)
    }
}

fn check(what: &str, rc: CuResult) -> Result<(), String> {
    if rc == 0 {
        Ok(())
    } else {
        Err(format!("{what} failed (CUresult {rc})"))
    }
}

impl Cuda {
    pub fn device_count(&self) -> Result<u32, String> {
        let mut n = 0;
        // SAFETY: an out-pointer to a local.
        check("cuDeviceGetCount", unsafe {
            (self.device_get_count)(&mut n)
        })?;
        Ok(n.max(0) as u32)
    }

    fn device(&self, ordinal: u32) -> Result<CuDevice, String> {
        let mut dev = 0;
        // SAFETY: an out-pointer to a local.
        check("cuDeviceGet", unsafe {
            (self.device_get)(&mut dev, ordinal as c_int)
        })?;
        Ok(dev)
    }

    /// Make device `ordinal`'s primary context current on this thread.
    fn use_device(&self, ordinal: u32) -> Result<(), String> {
        let dev = self.device(ordinal)?;
        let mut ctx: CuContext = std::ptr::null_mut();
        // SAFETY: out-pointer to a local; the context is then made current.
        unsafe {
            check(
                "cuDevicePrimaryCtxRetain",
                (self.primary_ctx_retain)(&mut ctx, dev),
            )?;
            check("cuCtxSetCurrent", (self.ctx_set_current)(ctx))
        }
    }

    fn describe(&self, ordinal: u32) -> Result<Gpu, String> {
        let dev = self.device(ordinal)?;
        let mut name = [0 as c_char; 256];
        let mut bus = [0 as c_char; 64];
        let mut bytes = 0usize;
        // SAFETY: buffers of the stated lengths and an out-pointer.
        unsafe {
            check(
                "cuDeviceGetName",
                (self.device_get_name)(name.as_mut_ptr(), 255, dev),
            )?;
            check("cuDeviceTotalMem", (self.device_total_mem)(&mut bytes, dev))?;
            let bus_ok = (self.device_get_pci_bus_id)(bus.as_mut_ptr(), 63, dev) == 0;
            Ok(Gpu {
                cuda_index: Some(ordinal),
                name: CStr::from_ptr(name.as_ptr()).to_string_lossy().into_owned(),
                pci_address: bus_ok.then(|| {
                    CStr::from_ptr(bus.as_ptr())
                        .to_string_lossy()
                        .to_lowercase()
                }),
                memory_bytes: Some(bytes as u64),
                bar_bytes: None,
                bar_resizable: false,
                numa_node: None,
            })
        }
    }

    /// Device memory on GPU `ordinal`.
    pub fn alloc_device(&self, ordinal: u32, len: usize) -> Result<CuDevicePtr, String> {
        self.use_device(ordinal)?;
        let mut p = 0;
        // SAFETY: an out-pointer; a current context was set above.
        check("cuMemAlloc", unsafe { (self.mem_alloc)(&mut p, len) })?;
        Ok(p)
    }

    /// Managed (unified) memory, reachable from host and device.
    pub fn alloc_managed(&self, ordinal: u32, len: usize) -> Result<CuDevicePtr, String> {
        self.use_device(ordinal)?;
        let mut p = 0;
        // SAFETY: as above.
        check("cuMemAllocManaged", unsafe {
            (self.mem_alloc_managed)(&mut p, len, CU_MEM_ATTACH_GLOBAL)
        })?;
        Ok(p)
    }

    /// Pinned host memory mapped into the device's address space.
    pub fn alloc_pinned_host(&self, ordinal: u32, len: usize) -> Result<*mut c_void, String> {
        self.use_device(ordinal)?;
        let mut p = std::ptr::null_mut();
        // SAFETY: as above.
        check("cuMemHostAlloc", unsafe {
            (self.mem_host_alloc)(
                &mut p,
                len,
                CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP,
            )
        })?;
        Ok(p)
    }

    /// Wait for the current context's work; nothing to do when this
    /// thread has no context (no GPU memory was ever allocated).
    pub fn synchronize(&self) -> Result<(), String> {
        let mut ctx: CuContext = std::ptr::null_mut();
        // SAFETY: an out-pointer to a local.
        check("cuCtxGetCurrent", unsafe {
            (self.ctx_get_current)(&mut ctx)
        })?;
        if ctx.is_null() {
            return Ok(());
        }
        // SAFETY: a current context exists.
        check("cuCtxSynchronize", unsafe { (self.ctx_synchronize)() })
    }

    pub fn free_device(&self, p: CuDevicePtr) -> Result<(), String> {
        // SAFETY: `p` came from cuMemAlloc or cuMemAllocManaged.
        check("cuMemFree", unsafe { (self.mem_free)(p) })
    }

    /// # Safety
    /// `p` must come from [`Cuda::alloc_pinned_host`] and not be freed yet.
    pub unsafe fn free_pinned_host(&self, p: *mut c_void) -> Result<(), String> {
        // SAFETY: the caller's promise.
        check("cuMemFreeHost", unsafe { (self.mem_free_host)(p) })
    }
}

/// The CUDA GPUs of this machine, or why there are none.
pub fn probe() -> Result<Vec<Gpu>, String> {
    let cuda = driver()?;
    let count = cuda.device_count()?;
    if count == 0 {
        return Err("the CUDA driver reports no devices".into());
    }
    (0..count).map(|i| cuda.describe(i)).collect()
}
