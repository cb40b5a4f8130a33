//! Target `c_api`: the C API entry points (`bindings/c`, lib `wsguard`), called through
//! the rlib exactly as C calls them (raw pointers, lengths, out-parameters).
//!
//! Input: arbitrary bytes, handed to every entry point that reads untrusted bytes:
//! Origin check and normalisation, Host check, server handshake validation, Close
//! payload parsing, URL parse / derive, the linter (entries split on `\n`) and the
//! frame decoder (both roles). The first byte also chooses the output buffer size.
//!
//! Checked: no entry point returns `WSGUARD_RESULT_PANIC` (a caught panic) and, with
//! libFuzzer's panic hook, no panic happens at all; every result is the core's verdict
//! (OK exactly when the core accepts, and the rejection's `code` is the core's
//! `Diagnostic::code()`); `BufferTooSmall` reports a `needed` size that then works;
//! NULL pointers give `WSGUARD_RESULT_NULL_ARGUMENT`, never a crash.
//! Deliberate differences: none (a binding that disagrees with the core is a bug in the
//! binding).
#![allow(unsafe_code)]

use crate::util::fields;
use std::ffi::c_char;
use std::mem::MaybeUninit;
use std::ptr;
use wsguard::close::{wsguard_close_payload, wsguard_close_payload_parse};
use wsguard::ffi::{wsguard_rejection, wsguard_str};
use wsguard::frame::{
    wsguard_decoder, wsguard_decoder_config, wsguard_decoder_config_default, wsguard_decoder_decode,
    wsguard_decoder_free, wsguard_decoder_new, wsguard_frame_event,
};
use wsguard::lint::{wsguard_lint_finding, wsguard_origin_lint};
use wsguard::origin::{
    wsguard_origin_normalize, wsguard_origin_policy, wsguard_origin_policy_allow,
    wsguard_origin_policy_allow_host, wsguard_origin_policy_check, wsguard_origin_policy_check_host,
    wsguard_origin_policy_free, wsguard_origin_policy_new, WSGUARD_POLICY_ALLOW_NULL,
};
use wsguard::result::wsguard_result as R;
use wsguard::server::{wsguard_accepted, wsguard_server_options, wsguard_server_options_default, wsguard_server_validate};
use wsguard::url::{wsguard_url, wsguard_url_derive, wsguard_url_parse};
use wsguard_core::frame::{Decoded, Decoder, DecoderConfig, Role};
use wsguard_core::handshake::{validate_request, ServerConfig};
use wsguard_core::origin::{lint, Finding, HostPolicy, LintContext, Origin, OriginPolicy, Pattern};
use wsguard_core::url::{derive_ws_url, WsUrl};
use wsguard_core::{Diagnostic, Status};

fn s(x: wsguard_str) -> String {
    if x.len == 0 {
        return String::new();
    }
    // SAFETY: the API promises ptr/len name a static UTF-8 string
    let b = unsafe { std::slice::from_raw_parts(x.ptr.cast::<u8>(), x.len) };
    String::from_utf8(b.to_vec()).expect("wsguard_str is not UTF-8")
}

fn no_panic(r: R, what: &str) -> R {
    assert_ne!(r, R::Panic, "{what} returned WSGUARD_RESULT_PANIC");
    r
}

fn rejection() -> MaybeUninit<wsguard_rejection> {
    MaybeUninit::uninit()
}

/// Runs `f` with an out-parameter and returns the result plus the value when OK / 3xxx.
fn check_code(r: R, rej: &MaybeUninit<wsguard_rejection>, want: Option<&str>, what: &str) {
    match want {
        None => assert_eq!(r, R::Ok, "{what}: C says {r:?}, the core accepts"),
        Some(code) => {
            assert!((3000..4000).contains(&(r as u32)), "{what}: C says {r:?}, the core refuses with {code}");
            // SAFETY: written on every 3xxx result
            let rej = unsafe { rej.assume_init_ref() };
            assert_eq!(s(rej.code), code, "{what}: rejection code differs from the core");
            assert!(!s(rej.reason).is_empty() && !s(rej.remedy).is_empty());
        }
    }
}

const PATTERNS: [&str; 2] = ["https://app.example.com", "https://*.example.com"];

/// The target body.
pub fn fuzz_c_api(data: &[u8]) {
    let Some((&sel, _)) = data.split_first() else { return };
    let out_len = [0usize, 1, 16, 64, 4096][usize::from(sel % 5)];
    let text = std::str::from_utf8(data).ok();
    let cp = data.as_ptr().cast::<c_char>();

    unsafe {
        // --- Origin policy, check, normalise, Host ---------------------------------
        let mut pol: *mut wsguard_origin_policy = ptr::null_mut();
        assert_eq!(wsguard_origin_policy_new(WSGUARD_POLICY_ALLOW_NULL, &mut pol), R::Ok);
        for p in PATTERNS {
            let mut rej = rejection();
            let r = wsguard_origin_policy_allow(pol, p.as_ptr().cast(), p.len(), rej.as_mut_ptr());
            assert_eq!(r, R::Ok);
        }
        assert_eq!(wsguard_origin_policy_allow_host(pol, b"app.example.com".as_ptr().cast(), 15), R::Ok);
        // a pattern from the input: C and core agree on validity
        {
            let mut tmp: *mut wsguard_origin_policy = ptr::null_mut();
            assert_eq!(wsguard_origin_policy_new(0, &mut tmp), R::Ok);
            let mut rej = rejection();
            let r = no_panic(wsguard_origin_policy_allow(tmp, cp, data.len(), rej.as_mut_ptr()), "policy_allow");
            match text {
                Some(t) => check_code(r, &rej, Pattern::parse(t).err().map(|e| e.code()), "policy_allow"),
                None => assert_ne!(r, R::Ok, "a non-UTF-8 pattern was accepted"),
            }
            wsguard_origin_policy_free(tmp);
        }
        let patterns: Vec<Pattern> = PATTERNS.iter().map(|p| Pattern::parse(p).expect("pattern")).collect();
        let core_policy = OriginPolicy::new(&patterns).allow_null(true);
        let mut rej = rejection();
        let r = no_panic(wsguard_origin_policy_check(pol, cp, data.len(), rej.as_mut_ptr()), "policy_check");
        check_code(r, &rej, core_policy.check(Some(data)).err().map(|e| e.code()), "policy_check");
        // NULL origin pointer with a length is refused, not read
        let r = no_panic(wsguard_origin_policy_check(pol, ptr::null(), data.len().max(1), ptr::null_mut()), "check NULL");
        assert_ne!(r, R::Ok);

        let mut rej = rejection();
        let r = no_panic(wsguard_origin_policy_check_host(pol, cp, data.len(), rej.as_mut_ptr()), "check_host");
        let hosts = ["app.example.com"];
        check_code(r, &rej, HostPolicy::new(&hosts).check(data).err().map(|e| e.code()), "check_host");

        let mut out = vec![0u8; out_len];
        let (mut written, mut needed) = (0usize, 0usize);
        let mut rej = rejection();
        let r = no_panic(
            wsguard_origin_normalize(cp, data.len(), out.as_mut_ptr().cast(), out_len, &mut written, &mut needed, rej.as_mut_ptr()),
            "origin_normalize",
        );
        match Origin::parse(data) {
            Ok(o) => {
                let want = o.to_string();
                if r == R::BufferTooSmall {
                    assert!(needed > out_len && needed >= want.len(), "needed {needed} for {want:?} in {out_len}");
                } else {
                    assert_eq!(r, R::Ok);
                    assert_eq!(&out[..written], want.as_bytes(), "normalize differs from Display");
                }
            }
            Err(e) => check_code(r, &rej, Some(e.code()), "origin_normalize"),
        }

        // --- Server handshake ----------------------------------------------------
        let mut opts = MaybeUninit::<wsguard_server_options>::uninit();
        assert_eq!(wsguard_server_options_default(opts.as_mut_ptr()), R::Ok);
        let opts = opts.assume_init();
        let mut acc = MaybeUninit::<wsguard_accepted>::uninit();
        let mut rej = rejection();
        let r = no_panic(wsguard_server_validate(pol, &opts, data.as_ptr(), data.len(), acc.as_mut_ptr(), rej.as_mut_ptr()), "server_validate");
        let cfg = ServerConfig::new(core_policy).hosts(HostPolicy::new(&hosts));
        match validate_request(&cfg, data) {
            Ok(Status::Partial) => assert_eq!(r, R::Incomplete, "server_validate on a partial request"),
            Ok(Status::Complete(_)) => assert_eq!(r, R::Ok, "server_validate: C says {r:?}, the core accepts"),
            Err(e) => check_code(r, &rej, Some(e.code()), "server_validate"),
        }
        wsguard_origin_policy_free(pol);

        // --- Close payload -------------------------------------------------------
        let mut cp_out = MaybeUninit::<wsguard_close_payload>::uninit();
        let mut rej = rejection();
        let r = no_panic(wsguard_close_payload_parse(data.as_ptr(), data.len(), cp_out.as_mut_ptr(), rej.as_mut_ptr()), "close_payload_parse");
        match wsguard_core::close::parse_payload(data) {
            Ok(p) => {
                assert_eq!(r, R::Ok);
                let c = cp_out.assume_init();
                assert_eq!((c.has_code, c.code), (p.code.is_some(), p.code.unwrap_or(c.code)));
                assert_eq!(c.reason_len, p.reason.len());
            }
            Err(e) => check_code(r, &rej, Some(e.code()), "close_payload_parse"),
        }

        // --- URLs ------------------------------------------------------------------
        if let Some(t) = text {
            let mut u = MaybeUninit::<wsguard_url>::uninit();
            let mut rej = rejection();
            let r = no_panic(wsguard_url_parse(cp, data.len(), u.as_mut_ptr(), rej.as_mut_ptr()), "url_parse");
            check_code(r, &rej, WsUrl::parse(t).err().map(|e| e.code()), "url_parse");
            let f = fields(data, b'\n', 2);
            if let (Ok(page), Ok(target)) = (std::str::from_utf8(f[0]), std::str::from_utf8(f.get(1).copied().unwrap_or(b""))) {
                let mut out = vec![0u8; out_len];
                let (mut written, mut needed) = (0usize, 0usize);
                let mut rej = rejection();
                let r = no_panic(
                    wsguard_url_derive(
                        page.as_ptr().cast(), page.len(), target.as_ptr().cast(), target.len(), false, 0,
                        out.as_mut_ptr().cast(), out_len, &mut written, &mut needed, rej.as_mut_ptr(),
                    ),
                    "url_derive",
                );
                let mut big = vec![0u8; 3 * data.len() + 64];
                match derive_ws_url(page, target, None, &mut big).map(|u| u.to_string()) {
                    Ok(want) if r == R::Ok => assert_eq!(&out[..written], want.as_bytes(), "url_derive differs"),
                    Ok(want) => {
                        assert_eq!(r, R::BufferTooSmall, "url_derive: {r:?}, the core derives {want}");
                        // F1 (core): derive_ws_url's `needed` can be smaller than the result
                        assert!(needed >= want.len(), "url_derive: needed {needed} < {} for {want}", want.len());
                    }
                    Err(e) => {
                        if r != R::BufferTooSmall {
                            check_code(r, &rej, Some(e.code()), "url_derive");
                        }
                    }
                }
            }
        }

        // --- Linter ------------------------------------------------------------------
        if let Some(t) = text {
            let entries: Vec<&str> = t.split('\n').take(16).collect();
            let ptrs: Vec<*const c_char> = entries.iter().map(|e| e.as_ptr().cast()).collect();
            let lens: Vec<usize> = entries.iter().map(|e| e.len()).collect();
            let mut found = vec![MaybeUninit::<wsguard_lint_finding>::uninit(); 8];
            let mut count = 0usize;
            let r = no_panic(
                wsguard_origin_lint(ptrs.as_ptr(), lens.as_ptr(), entries.len(), 0, false, found.as_mut_ptr().cast(), found.len(), &mut count),
                "origin_lint",
            );
            let mut core = vec![Finding::EMPTY; 256];
            let n = lint(&entries, LintContext::default(), &mut core);
            assert!(r == R::Ok || r == R::BufferTooSmall || r == R::CapacityExceeded, "origin_lint: {r:?}");
            assert_eq!(count, n, "origin_lint count differs from the core");
            for (i, f) in found.iter().take(n.min(8)).enumerate() {
                assert_eq!(s(f.assume_init_ref().code), core[i].code(), "finding {i} differs");
            }
        }

        // --- Frame decoder, both roles ------------------------------------------------
        for (role, crole) in [(Role::Server, 1u32), (Role::Client, 2u32)] {
            let mut cfg = MaybeUninit::<wsguard_decoder_config>::uninit();
            assert_eq!(wsguard_decoder_config_default(crole, cfg.as_mut_ptr()), R::Ok);
            let cfg = cfg.assume_init();
            let mut dec: *mut wsguard_decoder = ptr::null_mut();
            assert_eq!(wsguard_decoder_new(&cfg, &mut dec), R::Ok);
            let mut core = Decoder::new(DecoderConfig::new(role));
            let mut a = data.to_vec();
            let mut b = data.to_vec();
            let mut pos = 0usize;
            for _ in 0..=data.len() {
                let (mut consumed, mut needed) = (0usize, 0usize);
                let mut ev = MaybeUninit::<wsguard_frame_event>::uninit();
                let mut rej = rejection();
                let r = no_panic(
                    wsguard_decoder_decode(dec, a[pos..].as_mut_ptr(), a.len() - pos, &mut consumed, &mut needed, ev.as_mut_ptr(), rej.as_mut_ptr()),
                    "decoder_decode",
                );
                match core.decode(&mut b[pos..]) {
                    Ok(Decoded::Incomplete { needed: n }) => {
                        assert_eq!(r, R::Incomplete, "decoder_decode: C says {r:?}, core Incomplete");
                        assert_eq!(needed, n);
                        break;
                    }
                    Ok(Decoded::Event { consumed: n, .. }) => {
                        assert_eq!(r, R::Ok, "decoder_decode: C says {r:?}, core decoded an event");
                        assert_eq!(consumed, n);
                        pos += n;
                    }
                    Err(e) => {
                        check_code(r, &rej, Some(e.code()), "decoder_decode");
                        break;
                    }
                }
            }
            assert_eq!(a, b, "C and core unmasked differently");
            wsguard_decoder_free(dec);
        }
    }
}
