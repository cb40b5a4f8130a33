//! Target `url`: ws/wss URL parsing, page-URL → socket-URL derivation, mixed content.
//!
//! Input: `[flags][port hi][port lo][page URL \n target]`; flags bit 0: pass the port
//! override; bits 1–3 choose the output buffer (0, 8, 32, 64, 128, 256, 1024 or 4096 bytes).
//! Both fields are also parsed as ws URLs on their own.
//!
//! Checked: a parsed URL's normalised text parses again to the same URL (idempotence);
//! `write_normalized` writes exactly what `Display` shows; a derived URL is a valid ws URL,
//! `wss` whenever the page is `https`; the result does not depend on the buffer size
//! except for `BufferTooSmall`, and a large enough buffer never reports it;
//! `check_mixed_content` refuses `ws://` from an `https` page.
//! Deliberate differences: none.

use crate::util::{check_diagnostic, fields};
use wsguard_core::url::{check_mixed_content, derive_ws_url, UrlError, WsUrl};
use wsguard_core::Cursor;

fn check_parsed(u: &WsUrl<'_>) {
    let shown = u.to_string();
    let again = WsUrl::parse(&shown).unwrap_or_else(|e| panic!("normalised URL {shown:?} does not parse: {e:?}"));
    assert_eq!(again.to_string(), shown, "normalisation is not idempotent");
    assert_eq!(again.secure(), u.secure());
    assert_eq!(again.port_or_default(), u.port_or_default());
    assert_eq!(again.resource_name(), u.resource_name());
    let mut buf = vec![0u8; shown.len() + 8];
    let mut c = Cursor::new(&mut buf);
    u.write_normalized(&mut c).expect("fits");
    let n = c.finish().expect("finish");
    assert_eq!(&buf[..n], shown.as_bytes(), "write_normalized differs from Display");
    if !shown.is_empty() {
        let mut small = vec![0u8; shown.len() - 1];
        let mut c = Cursor::new(&mut small);
        assert!(u.write_normalized(&mut c).and_then(|()| c.finish()).is_err(), "short buffer not reported");
    }
    assert_eq!(u.resource_name().len(), u.resource_name().to_string().len());
    assert!(u.path().starts_with('/'));
    let mut hb = vec![0u8; u.host().len() + 8];
    let mut c = Cursor::new(&mut hb);
    u.host_header(&mut c).expect("host header fits");
}

fn is_https(page: &str) -> bool {
    page.len() >= 6 && page[..6].eq_ignore_ascii_case("https:")
}

/// The target body.
pub fn fuzz_url(data: &[u8]) {
    let [flags, hi, lo, rest @ ..] = data else { return };
    let port = (flags & 1 != 0).then(|| u16::from_be_bytes([*hi, *lo]));
    let size = [0usize, 8, 32, 64, 128, 256, 1024, 4096][usize::from((flags >> 1) & 7)];
    let parts = fields(rest, b'\n', 2);
    for raw in &parts {
        match WsUrl::parse_bytes(raw) {
            Ok(u) => check_parsed(&u),
            Err(e) => check_diagnostic(&e),
        }
    }
    let page = String::from_utf8_lossy(parts[0]);
    let target = String::from_utf8_lossy(parts.get(1).copied().unwrap_or(b""));
    if let Ok(u) = WsUrl::parse(&page) {
        check_parsed(&u);
    }

    let mut buf = vec![0u8; size];
    let small = derive_ws_url(&page, &target, port, &mut buf).map(|u| u.to_string());
    let mut big_buf = vec![0u8; 3 * (page.len() + target.len()) + 64];
    let big = derive_ws_url(&page, &target, port, &mut big_buf);
    if let Err(UrlError::BufferTooSmall { needed }) = big {
        panic!("BufferTooSmall {{ needed: {needed} }} with {} bytes", big_buf.len());
    }
    if let Ok(u) = &big {
        check_parsed(u);
        if is_https(&page) {
            assert!(u.secure(), "{page:?} + {target:?} derived {u}: ws:// from an https page");
        }
        if let Some(p) = port {
            assert_eq!(u.port_or_default(), p, "port override ignored");
        }
    }
    let big = big.map(|u| u.to_string());
    match (&small, &big) {
        (Err(UrlError::BufferTooSmall { needed }), Ok(_)) => {
            assert!(
                *needed > size || *needed == 0,
                "BufferTooSmall {{ needed: {needed} }} with {size} bytes"
            );
        }
        (Err(UrlError::BufferTooSmall { .. }), Err(_)) => {}
        _ => assert_eq!(small, big, "the result depends on the buffer size ({size})"),
    }
    // BufferTooSmall's contract: `needed` is the total size required (0 when unknown),
    // so a buffer of `needed` bytes must be enough.
    if let Err(UrlError::BufferTooSmall { needed }) = small {
        if needed != 0 {
            let mut exact = vec![0u8; needed];
            let again = derive_ws_url(&page, &target, port, &mut exact).map(|u| u.to_string());
            assert!(
                !matches!(again, Err(UrlError::BufferTooSmall { .. })),
                "derive_ws_url said BufferTooSmall {{ needed: {needed} }} with {size} bytes, then {again:?} with {needed} bytes (result {big:?})"
            );
        }
    }
    if let Err(e) = &big {
        check_diagnostic(e);
    }

    match check_mixed_content(&page, &target) {
        Ok(()) => {
            let ws = WsUrl::parse(&target).expect("mixed-content check passed an invalid ws URL");
            if is_https(&page) {
                assert!(ws.secure(), "ws:// allowed from an https page");
            }
        }
        Err(e) => check_diagnostic(&e),
    }
}
