//! Builds the BAREWire runtime as a static library and leaves it in
//! OUT_DIR, so clefc can embed it (`include_bytes!`) and link every program
//! against it without needing the source tree at run time.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let runtime = manifest_dir.join("..").join("runtime");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    let target_dir = out_dir.join("runtime-target");
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());

    println!("cargo:rerun-if-changed={}", runtime.join("src").display());
    // The workspace's profiles (`runtime-embed`) shape the archive.
    println!(
        "cargo:rerun-if-changed={}",
        manifest_dir.join("..").join("Cargo.toml").display()
    );
    // The runtime's model crate (platforms, placement rules, presets).
    let model = manifest_dir.join("..").join("model");
    for part in ["src", "presets", "Cargo.toml"] {
        println!("cargo:rerun-if-changed={}", model.join(part).display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        runtime.join("Cargo.toml").display()
    );

    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(runtime.join("Cargo.toml"))
        .args(["--lib", "--profile", "runtime-embed", "--offline"])
        .arg("--target-dir")
        .arg(&target_dir);
    // The outer build's settings are for clefc, not for the runtime.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WRAPPER",
        "CARGO_MAKEFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .expect("could not run cargo to build the runtime");
    assert!(status.success(), "building the BAREWire runtime failed");
    let lib = target_dir.join("runtime-embed").join("libbarewire.a");
    std::fs::copy(&lib, out_dir.join("libbarewire.a")).expect("runtime static library missing");
    // A fingerprint of the archive (FNV-1a), so that the copy clefc keeps
    // in the user's cache is known to be this one.
    let bytes = std::fs::read(out_dir.join("libbarewire.a")).expect("read the runtime archive");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in &bytes {
        hash = (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    println!("cargo:rustc-env=CLEFC_RUNTIME_HASH={hash:016x}");
}
