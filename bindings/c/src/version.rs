//! Library version, as a function (the linked library) and as macros (the header).

use std::ffi::c_char;

/// Major version of the header (also `wsguard_version()` of the library built with it).
pub const WSGUARD_VERSION_MAJOR: u32 = 0;
/// Minor version of the header.
pub const WSGUARD_VERSION_MINOR: u32 = 1;
/// Patch version of the header.
pub const WSGUARD_VERSION_PATCH: u32 = 0;
/// The version as one number, `major * 10000 + minor * 100 + patch`, for `#if` checks.
pub const WSGUARD_VERSION_NUMBER: u32 =
    WSGUARD_VERSION_MAJOR * 10000 + WSGUARD_VERSION_MINOR * 100 + WSGUARD_VERSION_PATCH;

/// The version of the linked library, e.g. `"0.1.0"` (NUL-terminated, static: never
/// NULL, lives forever, do not free). Compare with `WSGUARD_VERSION_*` to detect a
/// header/library mismatch.
#[no_mangle]
pub extern "C" fn wsguard_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The version of the linked library as `major * 10000 + minor * 100 + patch`
/// (compare with `WSGUARD_VERSION_NUMBER`).
#[no_mangle]
pub extern "C" fn wsguard_version_number() -> u32 {
    WSGUARD_VERSION_NUMBER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros_match_the_crate_version() {
        assert_eq!(
            WSGUARD_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            WSGUARD_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            WSGUARD_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        let v = unsafe { std::ffi::CStr::from_ptr(wsguard_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
