//! Zero heap, proved: a counting global allocator wraps the system allocator and every
//! core path runs between two reads of the counter. Any allocation fails the test.
//!
//! Covered: server handshake validation (accepted and rejected), accept computation and
//! both response writers, client request writing and response validation/diagnosis,
//! Origin check, Host check, the owned policy (push and views), CORS (simple and preflight), the policy linter, close-code
//! classification and close payloads, the frame decoder (whole and streaming), unmask,
//! the encoder, UTF-8 validation, heartbeat, reconnect and URL helpers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

thread_local! {
    // Per-thread, so allocations made by libtest's other threads are not counted.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}
static ANY_THREAD: AtomicUsize = AtomicUsize::new(0);

fn note_allocation() {
    ANY_THREAD.fetch_add(1, Ordering::Relaxed);
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

use wsguard_core::close::{classify, parse_payload, write_close_payload};
use wsguard_core::frame::{encoder, unmask, Decoded, Decoder, DecoderConfig, Utf8Validator};
use wsguard_core::handshake::{
    parse_request, validate_fields, validate_request, validate_response, write_accept_response,
    write_rejection_response, write_request, ClientRequest, FieldRequest, ServerConfig,
    TokenConfig, EMPTY_HEADER,
};
use wsguard_core::heartbeat::{Heartbeat, HeartbeatConfig};
use wsguard_core::origin::{
    lint, CorsConfig, CorsRequest, Finding, HostPolicy, LintContext, OriginPolicy, Pattern,
    PolicyBuf, Preset,
};
use wsguard_core::reconnect::{Disconnect, Reconnect, ReconnectConfig};
use wsguard_core::url::{check_mixed_content, derive_ws_url, WsUrl};
use wsguard_core::{Diagnostic, Status};

/// Runs `f` and returns how many allocations this thread made meanwhile.
fn count<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = f();
    let after = ALLOCATIONS.with(Cell::get);
    (r, after - before)
}

const REQUEST: &[u8] = b"GET /chat?token=abc HTTP/1.1\r\n\
Host: app.example.com\r\n\
Upgrade: websocket\r\n\
Connection: keep-alive, Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Sec-WebSocket-Version: 13\r\n\
Origin: https://app.example.com\r\n\
Sec-WebSocket-Protocol: chat.v2, chat.v1\r\n\
Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\
Authorization: Bearer abc\r\n\r\n";

const EVIL: &[u8] = b"GET /chat HTTP/1.1\r\n\
Host: app.example.com\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Sec-WebSocket-Version: 13\r\n\
Origin: https://evil-example.com\r\n\r\n";

// One test function so that no concurrently running test disturbs the global counter.
#[test]
fn every_core_path_allocates_nothing() {
    let mut total = 0usize;
    let mut check = |name: &str, n: usize| {
        assert_eq!(n, 0, "{name} allocated {n} times");
        total += 1;
    };

    // ---- Origin policy, Host policy, CORS, lint --------------------------------------
    let patterns = [
        Pattern::parse("https://app.example.com").unwrap(),
        Pattern::parse("https://*.example.com").unwrap(),
        Pattern::parse("http://localhost:[3000,5173]").unwrap(),
    ];
    let policy = OriginPolicy::new(&patterns);
    let (r, n) = count(|| policy.check(Some(b"https://app.example.com")).is_ok());
    assert!(r);
    check("origin check (allowed)", n);
    let (r, n) = count(|| {
        policy
            .check(Some(b"https://evil-example.com"))
            .map_err(|d| d.code())
    });
    assert_eq!(r.unwrap_err(), "origin_host");
    check("origin check (refused)", n);
    let (r, n) = count(|| {
        policy
            .check(Some(b"https://app.example.com/"))
            .map_err(|d| d.code())
    });
    assert_eq!(r.unwrap_err(), "origin_malformed");
    check("origin check (malformed)", n);
    let (r, n) = count(|| policy.check(None).map_err(|d| d.code()));
    assert_eq!(r.unwrap_err(), "origin_missing");
    check("origin check (missing)", n);
    let (r, n) = count(|| Pattern::parse("https://*.example.com:*").is_ok());
    assert!(r);
    check("pattern parse", n);

    // The owned policy: pushing copies into fixed storage, the views read it in place.
    let mut owned: Box<PolicyBuf<64, 2048>> = Box::new(PolicyBuf::new());
    let (r, n) = count(|| {
        owned.push_pattern("https://app.example.com").is_ok()
            && owned.push_pattern("https://*.example.com").is_ok()
            && owned.push_host("app.example.com").is_ok()
            && owned.push_dev_host("frontend:3000").is_ok()
    });
    assert!(r);
    check("owned policy push", n);
    let (r, n) = count(|| {
        owned.with_policy(|o, h| {
            (
                o.check(Some(b"https://api.example.com")).is_ok(),
                o.check(Some(b"https://evil-example.com")).is_err(),
                h.check(b"app.example.com").is_ok(),
            )
        })
    });
    assert_eq!(r, (true, true, true));
    check("owned policy views and checks", n);

    let hosts = HostPolicy::new(&["app.example.com", "*.example.com"]);
    let (r, n) = count(|| hosts.check(b"app.example.com").is_ok());
    assert!(r);
    check("host check", n);

    let cors = CorsConfig::new()
        .credentials(true)
        .methods("GET, POST")
        .headers("content-type")
        .max_age(600);
    let (r, n) = count(|| {
        let resp = policy.cors(
            &cors,
            &CorsRequest::preflight(b"https://app.example.com", b"POST", Some(b"content-type")),
        );
        let mut buf = [0u8; 512];
        let mut cur = wsguard_core::Cursor::new(&mut buf);
        resp.write_headers(&mut cur).unwrap();
        (resp.is_allowed(), cur.len())
    });
    assert!(r.0 && r.1 > 0);
    check("cors preflight + write_headers", n);
    let (r, n) = count(|| {
        policy
            .cors(
                &cors,
                &CorsRequest::simple(b"GET", Some(b"https://evil.com")),
            )
            .is_allowed()
    });
    assert!(!r);
    check("cors simple refused", n);

    let entries = [
        "ws://localhost:3000",
        "https://app.example.com/",
        ".example.com",
        "*",
        "https://*.com",
    ];
    let (r, n) = count(|| {
        let mut out = [Finding::EMPTY; 16];
        lint(
            &entries,
            LintContext {
                preset: Preset::Production,
                credentials: true,
                allow_null: true,
                ..LintContext::default()
            },
            &mut out,
        )
    });
    assert!(r >= 5, "lint found {r}");
    check("lint", n);

    let near = [
        "ws://localhost:8000",
        "http://localhost:3000",
        "https://*.example.com",
    ];
    let (r, n) = count(|| {
        let mut buf = [0u8; 512];
        let mut cur = wsguard_core::Cursor::new(&mut buf);
        let m = wsguard_core::origin::near_miss_origin(&near, b"http://localhost:5173");
        let _ = core::fmt::write(&mut cur, format_args!("{}", m.unwrap()));
        let h = wsguard_core::origin::near_miss_host(&["*.example.com"], b"example.com");
        cur.len() + usize::from(h.is_some())
    });
    assert!(r > 40, "near miss wrote {r} bytes");
    check("near miss (origin and host, formatted)", n);

    let (r, n) = count(|| {
        use wsguard_core::handshake::{
            write_follow_up, ClientRequest, Diagnosis, Plan, Reply, Sent,
        };
        let first = Diagnosis::for_status(403);
        let mut plan = Plan::for_answer(
            &first,
            Sent {
                origin: true,
                origin_is_own: false,
            },
        )
        .unwrap();
        let req = ClientRequest::new("a.test", "/ws", [7; 16]).origin("https://page.test");
        let mut out = [0u8; 512];
        let mut sent = 0;
        while let Some(step) = plan.next() {
            sent += write_follow_up(&req, step, "http://a.test", &mut out).unwrap();
            plan.record(step, Reply::compare(&first, &first));
        }
        let mut buf = [0u8; 1024];
        let mut cur = wsguard_core::Cursor::new(&mut buf);
        let _ = core::fmt::write(&mut cur, format_args!("{}", plan.verdict()));
        sent + cur.len()
    });
    assert!(r > 300, "differential plan wrote {r} bytes");
    check(
        "differential plan (follow-ups written, verdict formatted)",
        n,
    );

    // ---- Server handshake ------------------------------------------------------------
    let config = ServerConfig::new(policy)
        .hosts(hosts)
        .subprotocols(&["chat.v1", "chat.v2"])
        .token(
            TokenConfig::DISABLED
                .authorization(true)
                .query("token")
                .required(true),
        );
    let (r, n) = count(|| match validate_request(&config, REQUEST) {
        Ok(Status::Complete(a)) => {
            let mut out = [0u8; 256];
            let len = write_accept_response(&a, &mut out).unwrap();
            (
                a.accept.as_str() == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
                a.subprotocol == Some("chat.v1"),
                len,
            )
        }
        other => panic!("unexpected {other:?}"),
    });
    assert_eq!((r.0, r.1), (true, true));
    check("validate_request accepted + write_accept_response", n);
    let (r, n) = count(|| {
        let rej = validate_request(&config, EVIL).unwrap_err();
        let mut out = [0u8; 1024];
        let len = write_rejection_response(&rej, &mut out).unwrap();
        (rej.status(), rej.code(), len)
    });
    assert_eq!((r.0, r.1), (403, "origin_host"));
    check("validate_request refused + write_rejection_response", n);
    // The field-list entry point (ASGI scopes), on the same request's fields.
    let mut storage = [EMPTY_HEADER; 32];
    let head = match parse_request(&config.limits, REQUEST, &mut storage) {
        Ok(Status::Complete(h)) => h,
        other => panic!("unexpected {other:?}"),
    };
    let mut fields = [(&b""[..], &b""[..]); 32];
    for (f, h) in fields.iter_mut().zip(head.headers) {
        *f = (h.name.as_bytes(), h.value);
    }
    let list = &fields[..head.headers.len()];
    let (r, n) = count(|| {
        let a = validate_fields(&config, &FieldRequest::get(head.target.as_bytes(), list)).unwrap();
        let mut out = [0u8; 256];
        let len = a.write_accept_response(&mut out).unwrap();
        (
            a.accept().as_str() == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            a.subprotocol,
            len > 0,
        )
    });
    assert_eq!(r, (true, Some("chat.v1"), true));
    check("validate_fields accepted + write_accept_response", n);
    let (r, n) = count(|| validate_request(&config, &REQUEST[..40]).map(|s| s.is_partial()));
    assert!(r.unwrap());
    check("validate_request partial", n);

    // ---- Client handshake --------------------------------------------------------------
    let req = ClientRequest::new("app.example.com", "/chat", *b"the sample nonce")
        .origin("https://app.example.com");
    let (r, n) = count(|| {
        let mut out = [0u8; 512];
        write_request(&req, &mut out).map(|len| len > 0)
    });
    assert!(r.unwrap());
    check("write_request", n);
    let ok = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    let (r, n) = count(|| {
        validate_response(&req, ok)
            .map(|s| s.is_complete())
            .map_err(|e| e.code())
    });
    assert_eq!(r, Ok(true));
    check("validate_response 101", n);
    let forbidden =
        b"HTTP/1.1 403 Forbidden\r\nContent-Length: 29\r\n\r\norigin_host: origin refused\nx";
    let (r, n) = count(|| {
        validate_response(&req, forbidden)
            .map(|_| ())
            .map_err(|e| e.code())
    });
    assert_eq!(r, Err("origin_host"));
    check("validate_response diagnosis", n);

    // ---- Close codes -------------------------------------------------------------------
    let (r, n) = count(|| {
        let mut named = 0;
        for code in 0..=u16::MAX {
            let info = classify(code);
            if info.name().is_some() {
                named += 1;
            }
            let _ = (
                info.description(),
                info.remedy(),
                info.retry(),
                info.category(),
            );
        }
        named
    });
    assert!(r >= 16);
    check("classify all 65536 codes", n);
    let (r, n) = count(|| {
        let mut out = [0u8; 125];
        let len = write_close_payload(4401, "token expired", &mut out).unwrap();
        parse_payload(&out[..len]).map(|p| p.code)
    });
    assert_eq!(r, Ok(Some(4401)));
    check("close payload write + parse", n);

    // ---- Frames ------------------------------------------------------------------------
    let (r, n) = count(|| {
        let mut wire = [0u8; 4096];
        let mut len = 0;
        len += encoder::write_frame(
            &mut wire[len..],
            false,
            wsguard_core::frame::Opcode::Text,
            "héllo ".as_bytes(),
            Some([1, 2, 3, 4]),
        )
        .unwrap();
        len += encoder::write_ping(&mut wire[len..], b"p", Some([9, 9, 9, 9])).unwrap();
        len += encoder::write_frame(
            &mut wire[len..],
            true,
            wsguard_core::frame::Opcode::Continuation,
            "wörld".as_bytes(),
            Some([5, 6, 7, 8]),
        )
        .unwrap();
        len +=
            encoder::write_close(&mut wire[len..], Some(1000), "bye", Some([0, 0, 0, 1])).unwrap();
        let mut dec = Decoder::new(DecoderConfig::server());
        let mut pos = 0;
        let mut events = 0;
        while pos < len {
            match dec.decode(&mut wire[pos..len]).unwrap() {
                Decoded::Event { consumed, .. } => {
                    pos += consumed;
                    events += 1;
                }
                Decoded::Incomplete { .. } => break,
            }
        }
        events
    });
    assert_eq!(r, 4);
    check("frame encode + decode", n);
    let (r, n) = count(|| {
        let mut wire = [0u8; 3000];
        let payload = [0x41u8; 2000];
        let len = encoder::write_frame(
            &mut wire,
            true,
            wsguard_core::frame::Opcode::Binary,
            &payload,
            Some([1, 2, 3, 4]),
        )
        .unwrap();
        let mut dec = Decoder::new(DecoderConfig::server());
        let mut pos = 0;
        let mut got = 0usize;
        // deliver in 100-byte windows: the streaming decoder yields header then chunks
        let mut end = 100.min(len);
        loop {
            match dec.decode_streaming(&mut wire[pos..end]).unwrap() {
                Decoded::Event { consumed, event } => {
                    if let wsguard_core::frame::Event::Data { payload, .. } = event {
                        got += payload.len();
                    }
                    pos += consumed;
                }
                Decoded::Incomplete { .. } => {
                    if end == len {
                        break;
                    }
                    end = (end + 100).min(len);
                }
            }
            if pos == len {
                break;
            }
        }
        got
    });
    assert_eq!(r, 2000);
    check("streaming decode", n);
    let (_, n) = count(|| {
        let mut big = [7u8; 65536];
        unmask(&mut big[3..], [1, 2, 3, 4], 1);
        big[100]
    });
    check("unmask 64 KiB", n);
    let (r, n) = count(|| {
        let mut v = Utf8Validator::new();
        v.feed(&[0xE2, 0x82]).unwrap();
        v.feed(&[0xAC]).unwrap();
        v.finish().is_ok()
    });
    assert!(r);
    check("utf8 across reads", n);

    // ---- Heartbeat, reconnect, URLs ----------------------------------------------------
    let (_, n) = count(|| {
        let mut hb = Heartbeat::new(HeartbeatConfig::DEFAULT, 0);
        let a = hb.poll(25_000);
        hb.on_activity(26_000);
        (a, hb.poll(60_000))
    });
    check("heartbeat", n);
    let (r, n) = count(|| {
        let mut rc = Reconnect::new(ReconnectConfig::DEFAULT);
        rc.on_disconnect(Disconnect::Close(1006), 0, 12345).code()
    });
    assert_eq!(r, "reconnect_retry");
    check("reconnect", n);
    let (r, n) = count(|| {
        let u = WsUrl::parse("wss://app.example.com:8443/ws?x=1").unwrap();
        let mut out = [0u8; 256];
        let d = derive_ws_url(
            "https://app.example.com/app/index.html",
            "/ws",
            None,
            &mut out,
        )
        .map(|w| w.secure());
        (
            u.port_or_default(),
            d,
            check_mixed_content("https://app.example.com/", "ws://app.example.com/ws").is_err(),
        )
    });
    assert_eq!(r, (8443, Ok(true), true));
    check("urls", n);

    assert_eq!(total, 29, "paths checked");
    // The counter itself works: a Vec allocates.
    let (_, n) = count(|| std::vec![1u8; 10]);
    assert_eq!(n, 1, "the counting allocator must see a Vec allocation");
    assert!(ANY_THREAD.load(Ordering::Relaxed) >= 1);
}
