use super::derive::remove_dots_for_test;
use super::*;
use crate::Diagnostic;
use std::string::{String, ToString};
use std::vec::Vec;

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn dots(s: &str) -> String {
    let mut v = s.as_bytes().to_vec();
    let n = remove_dots_for_test(&mut v);
    String::from_utf8(v[..n].to_vec()).unwrap()
}

#[test]
fn remove_dot_segments_rfc3986_examples() {
    assert_eq!(dots("/a/b/c/./../../g"), "/a/g");
    assert_eq!(dots("/mid/content=5/../6"), "/mid/6");
    assert_eq!(dots("/a/b/.."), "/a/");
    assert_eq!(dots("/a/b/."), "/a/b/");
    assert_eq!(dots("/.."), "/");
    assert_eq!(dots("/../../x"), "/x");
    assert_eq!(dots("/"), "/");
    assert_eq!(dots("/a//b"), "/a//b");
    assert_eq!(dots("/a/..b/.c"), "/a/..b/.c");
    assert_eq!(dots("/a/b/%2e%2E/c/%2e"), "/a/c/");
    assert_eq!(dots("/a/.%2e/b/%2e./c"), "/c");
    assert_eq!(dots("/a/%2e%2f"), "/a/%2e%2f");
}

#[test]
fn ipv6_forms() {
    use super::parse::is_ipv6;
    for ok in [
        "::",
        "::1",
        "1::",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::",
        "::ffff:1.2.3.4",
        "fe80::1:2",
        "1:2:3:4:5:6:1.2.3.4",
    ] {
        assert!(is_ipv6(ok), "{ok}");
    }
    for bad in [
        "",
        ":",
        ":::",
        "1:2:3:4:5:6:7:8:9",
        "1::2::3",
        "12345::",
        "g::",
        "1.2.3.4",
        "::1%eth0",
        "1:2:3:4:5:6:7:1.2.3.4",
        ":1::",
    ] {
        assert!(!is_ipv6(bad), "{bad}");
    }
}

#[test]
fn display_and_writers_agree() {
    for s in [
        "ws://h",
        "WSS://A.B:443/x?y",
        "ws://[::1]:80/?",
        "wss://h:8443/p%20q?a=b",
    ] {
        let u = WsUrl::parse(s).unwrap();
        let mut buf = [0u8; 128];
        let mut c = crate::Cursor::new(&mut buf);
        u.write_normalized(&mut c).unwrap();
        let written = String::from_utf8(c.written().to_vec()).unwrap();
        assert_eq!(written, u.to_string());
        // The normalized form parses back to the same URL (modulo case and default port).
        let again = WsUrl::parse(&written).unwrap();
        assert_eq!(again.port_or_default(), u.port_or_default());
        assert_eq!(again.resource_name(), u.resource_name());
        assert_eq!(u.resource_name().len(), u.resource_name().to_string().len());
    }
}

#[test]
fn small_buffers_report_needed() {
    let mut buf = [0u8; 5];
    let err = derive_ws_url("https://app.example.com/", "/ws?x=1", None, &mut buf).unwrap_err();
    assert!(matches!(err, UrlError::BufferTooSmall { .. }));
    // Every buffer size either succeeds or says the buffer is too small.
    let want = "wss://app.example.com/a/ws?x=1";
    for size in 0..64 {
        let mut buf = std::vec![0u8; size];
        match derive_ws_url("https://app.example.com/a/b", "ws?x=1", None, &mut buf) {
            Ok(u) => {
                assert!(size >= want.len());
                assert_eq!(u.to_string(), want);
            }
            Err(UrlError::BufferTooSmall { .. }) => assert!(size < want.len() + 3, "{size}"),
            Err(e) => panic!("{e:?}"),
        }
    }
}

#[test]
fn error_texts_are_present() {
    let all = [
        UrlError::Empty,
        UrlError::Whitespace,
        UrlError::MissingScheme,
        UrlError::HttpScheme,
        UrlError::HttpsScheme,
        UrlError::UnsupportedScheme,
        UrlError::MissingAuthority,
        UrlError::Userinfo,
        UrlError::EmptyHost,
        UrlError::InvalidHost,
        UrlError::InvalidIpv4,
        UrlError::Ipv4Noncanonical,
        UrlError::Ipv6Noncanonical,
        UrlError::InvalidIpv6,
        UrlError::Port,
        UrlError::Fragment,
        UrlError::DotSegment,
        UrlError::InvalidChar,
        UrlError::PercentEncoding,
        UrlError::PageScheme,
        UrlError::MixedContent,
        UrlError::BufferTooSmall { needed: 1 },
    ];
    for e in all {
        assert!(e.code().starts_with("url_") || e.code() == "buffer_too_small");
        assert!(!e.reason().is_empty() && !e.remedy().is_empty());
    }
    assert!(UrlError::HttpScheme.remedy().contains("ws://"));
    assert!(UrlError::MixedContent.remedy().contains("wss://"));
}

#[test]
fn no_panic_on_arbitrary_urls() {
    let mut rng = XorShift(0x0bad_5eed_1234_5678);
    let seeds = [
        "wss://app.example.com:8443/chat/room?token=a%20b",
        "ws://[::ffff:102:304]:80/",
        "ws://127.0.0.1/x/../y",
        "https://app.example.com/a/b/c.html#frag",
    ];
    let alphabet = b"wsshtp:/[]?#@%.0123456789abcdefABCDEF:-_~ \xc3\xa9";
    for i in 0..20_000 {
        let input: Vec<u8> = if i % 3 == 0 {
            let len = (rng.next() % 48) as usize;
            (0..len)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect()
        } else {
            let mut v = seeds[(rng.next() % seeds.len() as u64) as usize]
                .as_bytes()
                .to_vec();
            for _ in 0..1 + rng.next() % 3 {
                let at = (rng.next() % v.len() as u64) as usize;
                match rng.next() % 3 {
                    0 => v[at] = alphabet[(rng.next() % alphabet.len() as u64) as usize],
                    1 => {
                        v.remove(at);
                    }
                    _ => v.insert(at, alphabet[(rng.next() % alphabet.len() as u64) as usize]),
                }
                if v.is_empty() {
                    break;
                }
            }
            v
        };
        if let Ok(u) = WsUrl::parse_bytes(&input) {
            // A URL that parses re-serializes to something that parses.
            let s = u.to_string();
            assert!(WsUrl::parse(&s).is_ok(), "{s}");
            assert!(u.path().starts_with('/'));
        }
        if let Ok(s) = core::str::from_utf8(&input) {
            let mut buf = [0u8; 96];
            let page = seeds[3];
            if let Ok(u) = derive_ws_url(page, s, None, &mut buf) {
                assert!(u.secure());
            }
            let mut buf = [0u8; 96];
            let _ = derive_ws_url(s, "../ws?x", Some(8080), &mut buf);
            let _ = check_mixed_content(s, seeds[0]);
            let _ = check_mixed_content(page, s);
        }
    }
}
