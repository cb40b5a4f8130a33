//! The development auth bypass in the std guard (issue 16 item 6): refused in production,
//! inactive until the listen check passed, and each bypassed connection logged with the
//! core's notice — over a real TCP socket with a real tungstenite client.

use std::net::{TcpListener, TcpStream};
use std::sync::{Mutex, OnceLock};
use std::thread::ThreadId;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use tungstenite::client::IntoClientRequest;
use wsguard::{Environment, Guard, GuardConfig};

/// Records `(thread, level, message)` of every event. Installed once as the *global*
/// subscriber: a scoped `with_default` subscriber races with other tests of this binary
/// that hit the same callsites on their own threads (tracing caches a callsite's interest
/// globally, and a callsite first seen with no subscriber can be cached as "never").
#[derive(Default)]
struct Capture(Mutex<Vec<(ThreadId, Level, String)>>);

static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();

/// The events this thread logged, in order.
fn my_logs() -> Vec<(Level, String)> {
    let me = std::thread::current().id();
    capture()
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(t, _, _)| *t == me)
        .map(|(_, l, m)| (*l, m.clone()))
        .collect()
}

/// Forgets the events this thread logged so far.
fn clear_my_logs() {
    let me = std::thread::current().id();
    capture().0.lock().unwrap().retain(|(t, _, _)| *t != me);
}

fn capture() -> &'static Capture {
    CAPTURE.get_or_init(|| {
        let c: &'static Capture = Box::leak(Box::default());
        tracing::subscriber::set_global_default(Forward(c)).expect("one global subscriber");
        c
    })
}

struct Forward(&'static Capture);

struct Message<'a>(&'a mut String);
impl Visit for Message<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            *self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for Forward {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = String::new();
        event.record(&mut Message(&mut text));
        self.0 .0.lock().unwrap().push((
            std::thread::current().id(),
            *event.metadata().level(),
            text,
        ));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn dev_config() -> GuardConfig {
    let mut cfg = GuardConfig::default();
    cfg.env = Environment::Development;
    cfg.token.required = true;
    cfg.token.dev_auth_bypass = true;
    cfg
}

const NOTICE: &str = "websocket accepted WITHOUT a token because dev_auth_bypass is on (development only, never in production): target /ws?room=1&token=[redacted] origin http://localhost:5173 [dev_auth_bypass_used]";

fn head(extra: &str) -> String {
    format!(
        "GET /ws?room=1 HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Origin: http://localhost:5173\r\n{extra}\r\n"
    )
}

#[test]
fn production_refuses_to_build() {
    let mut cfg = dev_config();
    cfg.env = Environment::Production;
    cfg.origin.allowed = vec!["https://app.example.com".into()];
    cfg.token.dev_auth_bypass_allow_non_loopback = true; // never overrides production
    let e = Guard::new(cfg).unwrap_err();
    assert_eq!(
        (e.key.as_str(), e.code),
        ("token.dev_auth_bypass", "dev_auth_bypass_production")
    );
}

#[test]
fn inactive_until_listen_checked_then_logged_per_connection() {
    capture();
    {
        let guard = Guard::new(dev_config()).unwrap();
        // Not checked yet: fail closed, with an error saying why.
        let r = guard.check_raw(head("").as_bytes()).unwrap_err();
        assert_eq!((r.status, r.code), (401, "token_missing"));
        assert!(my_logs()
            .iter()
            .any(|(l, m)| *l == Level::ERROR
                && m.starts_with("dev_auth_bypass is on but did not apply")));
        // A non-loopback listener is refused and leaves the bypass off.
        let e = guard.check_listen("0.0.0.0:8000").unwrap_err();
        assert_eq!(e.code, "dev_auth_bypass_non_loopback");
        assert_eq!(
            e.to_string(),
            "inline configuration: token.dev_auth_bypass = \"0.0.0.0:8000\": `dev_auth_bypass` is on and the server listens on a non-loopback address: anyone who can reach this port would connect without a token [dev_auth_bypass_non_loopback] — fix: listen on 127.0.0.1 or [::1]; inside a development container whose port is published only to your machine, also set `dev_auth_bypass_allow_non_loopback`"
        );
        assert_eq!(
            guard.check_raw(head("").as_bytes()).unwrap_err().code,
            "token_missing"
        );

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        guard.check_listen(&addr.to_string()).unwrap();
        clear_my_logs();
        let client = std::thread::spawn(move || {
            let mut req = format!("ws://{addr}/ws?room=1")
                .into_client_request()
                .unwrap();
            req.headers_mut()
                .insert("origin", "http://localhost:5173".parse().unwrap());
            let s = TcpStream::connect(addr).unwrap();
            let (mut ws, resp) = tungstenite::client(req, s).unwrap();
            ws.send(tungstenite::Message::text("hi")).unwrap();
            let echoed = ws.read().unwrap();
            let _ = ws.close(None);
            (resp.status().as_u16(), echoed)
        });
        let (stream, _) = listener.accept().unwrap();
        let (mut ws, accepted) = guard.accept(stream).unwrap();
        assert!(accepted.dev_auth_bypassed);
        assert_eq!(accepted.token, None);
        assert_eq!(
            accepted.dev_auth_notice.as_deref(),
            Some(
                NOTICE
                    .replace("/ws?room=1&token=[redacted]", "/ws?room=1")
                    .as_str()
            )
        );
        let msg = ws.read().unwrap();
        ws.send(msg).unwrap();
        let _ = ws.read();
        let (status, echoed) = client.join().unwrap();
        assert_eq!((status, echoed), (101, tungstenite::Message::text("hi")));

        // The notice is the core's exact line (the query is not the token: not redacted
        // here; a `token=` parameter would be).
        let warned: Vec<String> = my_logs()
            .iter()
            .filter(|(l, _)| *l == Level::WARN)
            .map(|(_, m)| m.clone())
            .collect();
        assert_eq!(
            warned,
            [NOTICE.replace("/ws?room=1&token=[redacted]", "/ws?room=1")]
        );

        // Only a missing token is bypassed: a wrong scheme, an empty query token and a
        // real token behave as without the bypass.
        let r = guard
            .check_raw(head("Authorization: Basic dXNlcjpwdw==\r\n").as_bytes())
            .unwrap_err();
        assert_eq!((r.status, r.code), (401, "token_malformed"));
        let a = guard
            .check_raw(head("Authorization: Bearer abc\r\n").as_bytes())
            .unwrap();
        assert_eq!(
            (a.token.as_deref(), a.dev_auth_bypassed),
            (Some("abc"), false)
        );
        let target = head("").replace("/ws?room=1", "/ws?room=1&token");
        assert_eq!(
            guard.check_raw(target.as_bytes()).unwrap_err().code,
            "token_malformed"
        );
        clear_my_logs();
        let a = guard
            .check_raw(
                head("")
                    .replace("/ws?room=1", "/ws?room=1&access_token=")
                    .as_bytes(),
            )
            .unwrap();
        assert!(a.dev_auth_bypassed);
        let last_warning = my_logs()
            .iter()
            .rev()
            .find(|(l, _)| *l == Level::WARN)
            .map(|(_, m)| m.clone());
        assert_eq!(
            last_warning.as_deref(),
            Some(NOTICE.replace("&token=", "&access_token=").as_str())
        );
    }
}

#[test]
fn container_override_allows_wildcard_listen() {
    let mut cfg = dev_config();
    cfg.token.dev_auth_bypass_allow_non_loopback = true;
    let guard = Guard::new(cfg).unwrap();
    guard.check_listen("0.0.0.0:8000").unwrap();
    assert!(
        guard
            .check_raw(head("").as_bytes())
            .unwrap()
            .dev_auth_bypassed
    );
}

#[test]
fn env_variables_turn_it_on() {
    let env = [
        ("WSGUARD_ENV".to_string(), "development".to_string()),
        ("WSGUARD_TOKEN_REQUIRED".to_string(), "1".to_string()),
        ("WSGUARD_DEV_AUTH_BYPASS".to_string(), "true".to_string()),
    ];
    let loaded = GuardConfig::load_from(None, env).unwrap();
    assert!(loaded.config.token.dev_auth_bypass);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let env = [("WSGUARD_DEV_AUTH_BYPASS".to_string(), "true".to_string())];
    let e = GuardConfig::load_from(None, env).unwrap_err();
    assert_eq!(
        (e.code, e.source.to_string()),
        (
            "dev_auth_bypass_production",
            "environment variable WSGUARD_DEV_AUTH_BYPASS".to_string()
        )
    );
}
