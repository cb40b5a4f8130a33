//! Gives `libwsguard.so` its SONAME, `libwsguard.so.<major>` (ELF targets only), so that
//! programs linked against it record the ABI they need and distributions can install
//! `libwsguard.so.<major>.<minor>.<patch>` with the usual symlinks (see bindings/c/install.sh).
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if matches!(
        os.as_str(),
        "linux" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" | "android"
    ) {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libwsguard.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
