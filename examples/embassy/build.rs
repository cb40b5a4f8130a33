//! Links the firmware for a Cortex-M4F with 1 MiB of flash and 128 KiB of RAM (an
//! STM32F4-class part; change `memory.x` for yours): puts `memory.x` where cortex-m-rt's
//! `link.x` finds it and passes `-Tlink.x` (only when building for a bare-metal target).
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(
        out.join("memory.x"),
        "MEMORY\n{\n  FLASH : ORIGIN = 0x08000000, LENGTH = 1024K\n  RAM : ORIGIN = 0x20000000, LENGTH = 128K\n}\n",
    )
    .expect("write memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=build.rs");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("none") {
        println!("cargo:rustc-link-arg-bins=-Tlink.x");
    }
}
