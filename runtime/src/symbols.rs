//! Which Clef function an instruction address belongs to, for fault
//! reports: read from the executable's own ELF symbol table.
//!
//! Codegen names every function `clef_NAME_nNODE_INSTANCE` (closure entry
//! stubs `clef_closure_NAME_iK_argJ`) and Cranelift gives each symbol its
//! size, so an address inside one maps back to the Clef name.
//!
//! Invariants: usable from a signal handler that is about to end the
//! process: no allocation, no locks; the executable is read through a
//! private read-only mapping with every offset bounds-checked, so a
//! stripped or odd file gives `None`, never a fault.

/// The Clef function containing `pc`, written into `out` (the name as the
/// program wrote it, sanitised by codegen); the name's length, or `None`.
pub fn clef_function_at(pc: usize, out: &mut [u8]) -> Option<usize> {
    let image = Image::open()?;
    let found = image.function_at(pc, out);
    drop(image);
    found
}

struct Image {
    base: *const u8,
    len: usize,
}

impl Drop for Image {
    fn drop(&mut self) {
        // SAFETY: unmapping the mapping made in `open`.
        unsafe { libc::munmap(self.base as *mut libc::c_void, self.len) };
    }
}

impl Image {
    fn open() -> Option<Image> {
        // SAFETY: plain system calls on a path literal; the mapping is
        // read-only and private, unmapped on drop.
        unsafe {
            let fd = libc::open(c"/proc/self/exe".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
            if fd < 0 {
                return None;
            }
            let mut st: libc::stat = std::mem::zeroed();
            let ok = libc::fstat(fd, &mut st) == 0 && st.st_size > 64;
            let len = st.st_size as usize;
            let base = if ok {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ,
                    libc::MAP_PRIVATE,
                    fd,
                    0,
                )
            } else {
                libc::MAP_FAILED
            };
            libc::close(fd);
            if base == libc::MAP_FAILED {
                return None;
            }
            Some(Image {
                base: base as *const u8,
                len,
            })
        }
    }

    fn bytes(&self, at: usize, n: usize) -> Option<&[u8]> {
        if at.checked_add(n)? > self.len {
            return None;
        }
        // SAFETY: within the mapping, checked above.
        Some(unsafe { std::slice::from_raw_parts(self.base.add(at), n) })
    }

    fn u16(&self, at: usize) -> Option<u16> {
        Some(u16::from_le_bytes(self.bytes(at, 2)?.try_into().ok()?))
    }

    fn u32(&self, at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(at, 4)?.try_into().ok()?))
    }

    fn u64(&self, at: usize) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(at, 8)?.try_into().ok()?))
    }

    /// Where the executable is loaded: `AT_PHDR` less the program
    /// headers' own address (0 for a non-PIE executable).
    fn load_bias(&self) -> Option<usize> {
        if self.bytes(0, 4)? != b"\x7fELF" || self.bytes(4, 1)? != [2] {
            return None; // not a 64-bit ELF file
        }
        let (phoff, phentsize, phnum) = (
            self.u64(0x20)? as usize,
            self.u16(0x36)? as usize,
            self.u16(0x38)? as usize,
        );
        // SAFETY: a plain query of the auxiliary vector.
        let at_phdr = unsafe { libc::getauxval(libc::AT_PHDR) } as usize;
        for i in 0..phnum {
            let ph = phoff + i * phentsize;
            const PT_PHDR: u32 = 6;
            if self.u32(ph)? == PT_PHDR {
                return at_phdr.checked_sub(self.u64(ph + 0x10)? as usize);
            }
        }
        Some(0)
    }

    fn function_at(&self, pc: usize, out: &mut [u8]) -> Option<usize> {
        let addr = pc.checked_sub(self.load_bias()?)? as u64;
        let (shoff, shentsize, shnum) = (
            self.u64(0x28)? as usize,
            self.u16(0x3a)? as usize,
            self.u16(0x3c)? as usize,
        );
        const SHT_SYMTAB: u32 = 2;
        for i in 0..shnum {
            let sh = shoff + i * shentsize;
            if self.u32(sh + 4)? != SHT_SYMTAB {
                continue;
            }
            let (symoff, symsize, link, entsize) = (
                self.u64(sh + 0x18)? as usize,
                self.u64(sh + 0x20)? as usize,
                self.u32(sh + 0x28)? as usize,
                self.u64(sh + 0x38)? as usize,
            );
            let strtab = self.u64(shoff + link * shentsize + 0x18)? as usize;
            for s in (0..symsize / entsize.max(1)).map(|k| symoff + k * entsize) {
                let (value, size) = (self.u64(s + 8)?, self.u64(s + 16)?);
                if !(value..value + size).contains(&addr) {
                    continue;
                }
                let name = self.c_string(strtab + self.u32(s)? as usize)?;
                return clef_name(name, out);
            }
        }
        None
    }

    fn c_string(&self, at: usize) -> Option<&[u8]> {
        let rest = self.bytes(at, self.len.checked_sub(at)?)?;
        let end = rest.iter().position(|&b| b == 0)?;
        Some(&rest[..end])
    }
}

/// `clef_depth_n12_3` → `depth`; `clef_closure_f_i2_arg0` → `f`; other
/// symbols (the runtime's, the collector's) are not Clef functions.
fn clef_name(symbol: &[u8], out: &mut [u8]) -> Option<usize> {
    let rest = symbol.strip_prefix(b"clef_")?;
    let name = if let Some(closure) = rest.strip_prefix(b"closure_") {
        strip_suffix(closure, b"_i")?
    } else {
        strip_suffix(rest, b"_n")?
    };
    let n = name.len().min(out.len());
    out[..n].copy_from_slice(&name[..n]);
    Some(n)
}

/// `name` before the last occurrence of `marker` followed by a digit.
fn strip_suffix<'a>(name: &'a [u8], marker: &[u8]) -> Option<&'a [u8]> {
    (0..name.len().saturating_sub(marker.len()))
        .rev()
        .find(|&i| {
            name[i..].starts_with(marker)
                && name.get(i + marker.len()).is_some_and(u8::is_ascii_digit)
        })
        .map(|i| &name[..i])
}

#[cfg(test)]
mod tests {
    use super::clef_name;

    fn name(symbol: &str) -> Option<String> {
        let mut out = [0u8; 64];
        clef_name(symbol.as_bytes(), &mut out)
            .map(|n| String::from_utf8_lossy(&out[..n]).into_owned())
    }

    #[test]
    fn codegen_symbols_map_back_to_clef_names() {
        assert_eq!(name("clef_depth_n12_3").as_deref(), Some("depth"));
        assert_eq!(name("clef_List_map_n840_17").as_deref(), Some("List_map"));
        assert_eq!(name("clef_go_n_n5_1").as_deref(), Some("go_n"));
        assert_eq!(name("clef_closure_f_i2_arg0").as_deref(), Some("f"));
        assert_eq!(name("GC_malloc"), None);
        assert_eq!(name("clef_init"), None);
    }
}
