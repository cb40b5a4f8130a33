//! `wsguard demo` (`make demo`): a guided tour for a newcomer.
//!
//! Starts a guarded echo server on a free loopback port (in this process), then probes it
//! five ways — an allowed origin with its token, a refused origin, a missing token, a bad
//! protocol version and a refused path — and prints, for each: what was tried, the
//! verdict, the reason and the fix, next to what a browser would have reported (1006).
//! Finally the server's own counters show every refusal by its machine code.

use crate::exit;
use crate::probe::{exit_status, options, ProbeArgs};
use crate::progress::Spinner;
use crate::serve::{ServeArgs, Server};
use crate::style::{wrap, ColorChoice, Style};
use clap::Args;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use wsguard::GuardConfig;
use wsguard_core::handshake::{validate_response, ClientFailure, ClientRequest};
use wsguard_core::Diagnostic;

/// Arguments of `wsguard demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Machine-readable output: one JSON object per scenario, then the counters.
    #[arg(long)]
    pub json: bool,
}

const ALLOWED: &str = "https://app.example.com";
const REFUSED: &str = "https://evil.example.net";
const TOKEN: &str = "demo-token";

/// One scenario's result, uniform for printing.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub title: &'static str,
    pub tried: String,
    pub ok: bool,
    pub verdict: String,
    pub code: String,
    pub reason: String,
    pub fix: String,
}

fn probe_scenario(title: &'static str, tried: String, args: ProbeArgs) -> Scenario {
    let spinner = Spinner::start(&format!("probing: {title}"), true);
    let report = wsguard::probe::probe(&options(&args));
    spinner.finish();
    match &report.failure {
        None => Scenario {
            title,
            tried,
            ok: true,
            verdict: format!(
                "connected: 101 Switching Protocols, ping answered in {:.1} ms, message echoed intact",
                report.rtt_ms.unwrap_or(0.0)
            ),
            code: "ok".into(),
            reason: "the Origin is allowed, the token is present and every header is valid".into(),
            fix: "nothing to fix".into(),
        },
        Some(f) => Scenario {
            title,
            tried,
            ok: false,
            verdict: match f.http_status {
                Some(s) => format!("refused with HTTP {s} {}", wsguard_core::handshake::reason_phrase(s)),
                None => format!("failed at {} (exit status {})", f.step, exit_status(&report)),
            },
            code: f.code.clone(),
            reason: f.what.clone(),
            fix: f.fix.clone(),
        },
    }
}

/// Sends an upgrade request with `Sec-WebSocket-Version: 8` over a raw socket (no client
/// library lets you do that) and lets the core diagnose the answer.
fn bad_version_scenario(addr: SocketAddr) -> Scenario {
    let title = "an old protocol version";
    let tried =
        "GET /ws with Sec-WebSocket-Version: 8 (a draft-era client), Origin allowed, token sent"
            .to_string();
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\
         Origin: {ALLOWED}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    );
    let mut answer = Vec::new();
    let io = (|| -> std::io::Result<()> {
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        s.write_all(request.as_bytes())?;
        let mut chunk = [0u8; 2048];
        // Bounded: at most 64 KiB or until the server closes.
        while answer.len() < 65536 {
            let n = s.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&chunk[..n]);
        }
        Ok(())
    })();
    if let Err(e) = io {
        return Scenario {
            title,
            tried,
            ok: false,
            verdict: "no answer".into(),
            code: "io_error".into(),
            reason: e.to_string(),
            fix: String::new(),
        };
    }
    let host = addr.to_string();
    let req = ClientRequest::new(&host, "/ws", [7; 16]);
    match validate_response(&req, &answer) {
        Err(ClientFailure::Rejected(d)) => {
            let wanted = d
                .wanted_version
                .map(|v| format!(" (the server asks for version {v})"))
                .unwrap_or_default();
            let said = d
                .server_reason
                .map(|r| format!(" — server says: {r}"))
                .unwrap_or_default();
            Scenario {
                title,
                tried,
                ok: false,
                verdict: format!(
                    "refused with HTTP {} {}",
                    d.status,
                    wsguard_core::handshake::reason_phrase(d.status)
                ),
                code: d.code().into(),
                reason: format!("{}{wanted}{said}", d.reason()),
                fix: d.remedy().into(),
            }
        }
        Err(other) => Scenario {
            title,
            tried,
            ok: false,
            verdict: "unexpected answer".into(),
            code: other.code().into(),
            reason: other.reason().into(),
            fix: other.remedy().into(),
        },
        Ok(_) => Scenario {
            title,
            tried,
            ok: true,
            verdict: "accepted (unexpected)".into(),
            code: "ok".into(),
            reason: String::new(),
            fix: String::new(),
        },
    }
}

fn base_probe(url: String) -> ProbeArgs {
    ProbeArgs {
        url,
        origin: Some(ALLOWED.into()),
        token: Some(TOKEN.into()),
        token_in: "header".into(),
        protocols: vec![],
        echo: None,
        timeout: 5.0,
        json: false,
    }
}

/// Runs the five scenarios against a server at `addr`.
pub fn scenarios(addr: SocketAddr) -> Vec<Scenario> {
    let url = format!("ws://{addr}/ws");
    let mut out = Vec::new();
    let mut a = base_probe(url.clone());
    a.echo = Some("hello from wsguard demo".into());
    out.push(probe_scenario(
        "an allowed origin",
        format!("Origin: {ALLOWED}, Authorization: Bearer {TOKEN}, GET /ws"),
        a,
    ));
    let mut b = base_probe(url.clone());
    b.origin = Some(REFUSED.into());
    out.push(probe_scenario(
        "a refused origin",
        format!("Origin: {REFUSED} (a page on another site), token sent"),
        b,
    ));
    let mut c = base_probe(url.clone());
    c.token = None;
    out.push(probe_scenario(
        "a missing token",
        format!("Origin: {ALLOWED}, no Authorization header, no ?token="),
        c,
    ));
    out.push(bad_version_scenario(addr));
    let d = base_probe(format!("ws://{addr}/socket"));
    out.push(probe_scenario(
        "a refused path",
        format!("GET /socket (the server serves /ws), Origin: {ALLOWED}, token sent"),
        d,
    ));
    out
}

fn render(i: usize, n: usize, sc: &Scenario, s: &Style) -> String {
    let mut o = String::new();
    o += &format!(
        "{} {}\n",
        s.heading(&format!("[{i}/{n}]")),
        s.bold(sc.title)
    );
    o += &format!("  {:<9}{}\n", "tried", wrap(&sc.tried, 88, 11));
    let verdict = if sc.ok {
        s.ok(&format!("✓ {}", sc.verdict))
    } else {
        s.bad(&format!("✗ {}", sc.verdict))
    };
    o += &format!("  {:<9}{}  {}\n", "verdict", verdict, s.code(&sc.code));
    o += &format!("  {:<9}{}\n", "reason", wrap(&sc.reason, 88, 11));
    if !sc.ok {
        o += &format!("  {:<9}{}\n", "fix", s.ok(&wrap(&sc.fix, 88, 11)));
        o += &format!(
            "  {:<9}{}\n",
            "browser",
            s.dim("would only report: WebSocket closed, code 1006 (no reason)")
        );
    }
    o
}

/// Runs the demo.
pub fn run(args: DemoArgs, color: ColorChoice) -> u8 {
    let s = Style::for_stdout(color);
    let mut cfg = GuardConfig::default();
    cfg.origin.allowed = vec![ALLOWED.into()];
    cfg.heartbeat.ping_interval_ms = 0;
    cfg.limits.handshake_timeout_ms = 5_000;
    let serve_args = ServeArgs {
        listen: "127.0.0.1:0".into(),
        paths: vec!["/ws".into()],
        token: Some(TOKEN.into()),
        quiet: true,
        ..ServeArgs::default()
    };
    cfg.token.required = true;
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return exit::NETWORK;
        }
    };
    let (tx, rx) = tokio::sync::watch::channel(false);
    let server = match rt.block_on(Server::bind(&serve_args, cfg, rx)) {
        Ok(sv) => sv,
        Err(e) => {
            eprintln!("cannot start the demo server: {e}");
            return exit::NETWORK;
        }
    };
    let addr = server.addr;
    let counters = server.counters();
    let handle = rt.spawn(server.run());

    if !args.json {
        println!("{}", s.heading("wsguard demo — why did my WebSocket fail?"));
        println!(
            "{}",
            wrap(
                "A browser reports every refused WebSocket upgrade as close code 1006, with no reason. \
                 wsguard validates the upgrade on the server and diagnoses the answer on the client, \
                 so each failure gets a machine code, a reason and a fix.",
                86,
                0
            )
        );
        println!();
        println!(
            "{} a guarded echo server on {}",
            s.bold("server"),
            s.code(&format!("ws://{addr}/ws"))
        );
        println!("  {:<16}{}", "allowed origins", ALLOWED);
        println!(
            "  {:<16}{} (Authorization: Bearer, ?token= or subprotocol)",
            "token required", TOKEN
        );
        println!(
            "  {:<16}http://{addr}/health, http://{addr}/metrics",
            "also serves"
        );
        println!();
    }
    let results = scenarios(addr);
    let n = results.len();
    if args.json {
        for sc in &results {
            println!(
                "{}",
                serde_json::json!({"scenario": sc.title, "tried": sc.tried, "ok": sc.ok, "verdict": sc.verdict, "code": sc.code, "reason": sc.reason, "fix": sc.fix})
            );
        }
    } else {
        for (i, sc) in results.iter().enumerate() {
            print!("{}", render(i + 1, n, sc, &s));
            println!();
        }
    }
    let snap = counters.snapshot();
    if args.json {
        println!("{}", serde_json::json!({"counters": snap}));
    } else {
        println!("{} (what GET /metrics reports)", s.bold("server counters"));
        println!("  accepted  {}", snap.accepted);
        for (code, count) in &snap.refused {
            println!("  refused   {count} × {}", s.code(code));
        }
        println!();
        println!(
            "{}",
            s.dim("Try it yourself: `wsguard serve --allow https://your.app`, `wsguard probe ws://host/path --origin https://your.app`, `wsguard explain 1006`, `wsguard lint wsguard.toml`.")
        );
    }
    let _ = tx.send(true);
    let _ = rt.block_on(async { tokio::time::timeout(Duration::from_secs(5), handle).await });
    let expected = [true, false, false, false, false];
    if results.iter().map(|r| r.ok).eq(expected) {
        exit::OK
    } else {
        eprintln!("demo: unexpected outcome (see above)");
        exit::PROTOCOL
    }
}
