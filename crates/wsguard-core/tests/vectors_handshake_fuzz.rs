//! No panic on arbitrary bytes, and split-point consistency, for both handshake entry points.

use serde_json::Value;
use wsguard_core::handshake::{
    validate_request, validate_response, write_accept_response, write_rejection_response,
    ClientRequest, Limits, ServerConfig, SubprotocolToken, TokenConfig,
};
use wsguard_core::origin::{OriginPolicy, Pattern};
use wsguard_core::Status;

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn vectors(name: &str, field: &str) -> Vec<Vec<u8>> {
    let path = format!("{}/../../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    v["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| {
            c.get(field)
                .and_then(Value::as_str)
                .map(|s| s.as_bytes().to_vec())
        })
        .collect()
}

fn config() -> ServerConfig<'static> {
    let patterns: &'static [Pattern<'static>] = Box::leak(
        vec![Pattern::parse("https://app.example.com").expect("pattern")].into_boxed_slice(),
    );
    ServerConfig::new(OriginPolicy::new(patterns))
        .subprotocols(&["chat.v2", "bearer"])
        .token(
            TokenConfig::DISABLED
                .authorization(true)
                .subprotocol(SubprotocolToken::Pair("bearer"))
                .query("token"),
        )
        .limits(
            Limits::DEFAULT
                .max_headers(16)
                .max_line(512)
                .max_total(2048),
        )
}

const SPICE: &[&[u8]] = &[
    b"\r\n",
    b"\n",
    b":",
    b",",
    b";",
    b"\"",
    b"=",
    b"?",
    b"&",
    b" ",
    b"\0",
    b"\xff",
    b"Bearer ",
    b"bearer",
    b"websocket",
    b"Upgrade",
];

fn mutate(rng: &mut XorShift, seed: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(4) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            1 => {
                let s = SPICE[rng.below(SPICE.len())];
                v.splice(at..at, s.iter().copied());
            }
            2 if !v.is_empty() => {
                let end = (at + rng.below(16)).min(v.len());
                v.drain(at.min(end)..end);
            }
            _ => {
                let i = rng.below(v.len().max(1));
                let piece: Vec<u8> = v
                    .get(i..(i + rng.below(64)).min(v.len()))
                    .unwrap_or(&[])
                    .to_vec();
                v.splice(at..at, piece);
            }
        }
    }
    v
}

#[test]
fn server_never_panics() {
    let cfg = config();
    let seeds = vectors("handshake_server.json", "request");
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut out = [0u8; 1024];
    for i in 0..20_000 {
        let input = if i % 4 == 0 {
            (0..rng.below(300)).map(|_| rng.next() as u8).collect()
        } else {
            {
                let s = rng.below(seeds.len());
                mutate(&mut rng, &seeds[s])
            }
        };
        match validate_request(&cfg, &input) {
            Ok(Status::Complete(a)) => {
                assert!(a.consumed <= input.len());
                let _ = a.extensions().count();
                let _ = a.headers().count();
                let _ = a.extensions().flat_map(|e| e.params()).count();
                write_accept_response(&a, &mut out).expect("101 fits");
            }
            Ok(Status::Partial) => {}
            Err(r) => {
                write_rejection_response(&r, &mut out).expect("rejection fits");
            }
        }
    }
}

#[test]
fn client_never_panics() {
    let req = ClientRequest::new("app.example.com", "/chat", *b"the sample nonce")
        .subprotocols(&["chat"])
        .extensions("permessage-deflate");
    let seeds = vectors("handshake_client.json", "response");
    let mut rng = XorShift(0xD1B5_4A32_D192_ED03);
    for i in 0..20_000 {
        let input = if i % 4 == 0 {
            (0..rng.below(300)).map(|_| rng.next() as u8).collect()
        } else {
            {
                let s = rng.below(seeds.len());
                mutate(&mut rng, &seeds[s])
            }
        };
        if let Ok(Status::Complete(e)) = validate_response(&req, &input) {
            assert!(e.consumed <= input.len());
            let _ = e.extensions().count();
        }
    }
}

/// Every prefix of a request gives `Partial` or the verdict of the whole request.
#[test]
fn server_split_at_every_point() {
    let cfg = config();
    for req in vectors("handshake_server.json", "request") {
        let whole = validate_request(&cfg, &req);
        for cut in 0..req.len() {
            let part = validate_request(&cfg, &req[..cut]);
            let same = match (&part, &whole) {
                (Ok(Status::Partial), _) => true,
                (Err(a), Err(b)) => a == b,
                // A complete head followed by trailing bytes: the prefix holding the head agrees.
                (Ok(Status::Complete(a)), Ok(Status::Complete(b))) => a == b,
                _ => false,
            };
            assert!(
                same,
                "cut {cut} of {:?}: {part:?} vs {whole:?}",
                String::from_utf8_lossy(&req)
            );
        }
    }
}

/// Every prefix of a response gives `Partial` or the verdict of the whole response.
#[test]
fn client_split_at_every_point() {
    let req = ClientRequest::new("app.example.com", "/chat", *b"the sample nonce");
    for resp in vectors("handshake_client.json", "response") {
        let whole = validate_response(&req, &resp);
        for cut in 0..resp.len() {
            let part = validate_response(&req, &resp[..cut]);
            let same = match (&part, &whole) {
                (Ok(Status::Partial), _) => true,
                (Ok(Status::Complete(a)), Ok(Status::Complete(b))) => a == b,
                // A diagnosis may lack the body's first line (and the code it names)
                // while the body is incomplete: it then says how long the answer will be.
                (Err(a), Err(b)) => {
                    wsguard_core::Diagnostic::code(a) == wsguard_core::Diagnostic::code(b)
                        || is_body_dependent(b)
                        || body_pending(a, resp.len())
                }
                _ => false,
            };
            assert!(
                same,
                "cut {cut} of {:?}: {part:?} vs {whole:?}",
                String::from_utf8_lossy(&resp)
            );
        }
    }
}

fn body_pending(f: &wsguard_core::handshake::ClientFailure<'_>, whole: usize) -> bool {
    matches!(f, wsguard_core::handshake::ClientFailure::Rejected(d) if d.body_end.is_some_and(|e| usize::try_from(e).is_ok_and(|e| e <= whole)))
}

fn is_body_dependent(f: &wsguard_core::handshake::ClientFailure<'_>) -> bool {
    matches!(f, wsguard_core::handshake::ClientFailure::Rejected(d) if d.status == 400)
}
