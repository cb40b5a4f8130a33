//! The probe's steps after the upgrade — `ping → echo → close` — over the validated
//! client's [`Socket`] (a driver over the core's connection); the first five steps are
//! the client's. Each step returns its detail or a [`Finding`]; the recorder times it and
//! stops at the first failure.

use super::{Finding, ProbeOptions, Report};
use crate::client::{self, finding, from_failure, shown, Recorder, Socket, SocketError};
use crate::errors::classify_io_error;
use std::time::Instant;
use tungstenite::protocol::frame::{coding::CloseCode, CloseFrame};
use tungstenite::Message;
use wsguard_core::close::{
    ABNORMAL_CLOSURE, CONVENTIONS, NORMAL_CLOSURE, POLICY_VIOLATION, UNAUTHORIZED,
};
use wsguard_core::connection::{Config, Ending};
use wsguard_core::frame::{DecoderConfig, Role};
use wsguard_core::Diagnostic;

const STEPS: [&str; 8] = [
    "url", "dns", "tcp", "tls", "upgrade", "ping", "echo", "close",
];
const MAX_FRAME: u64 = 1 << 20;
const PING_PAYLOAD: &[u8] = b"wsguard-probe";

/// The server closed with `reported` (the core's reported code: 1005 for an empty Close).
fn closed_finding(step: &'static str, reported: u16, reason: &str, when: &str) -> Finding {
    let info = CONVENTIONS.classify(reported);
    let name = info.name().unwrap_or("closed");
    let mut what = format!("closed {reported} {when}");
    // The core says whether the code is a refusal (1008, 4401, 4403 …) and names it.
    if info.is_refusal() {
        what.push_str(&format!(" — the server refused this client ({name})"));
    }
    if !reason.is_empty() {
        what.push_str(&format!(" (reason: \"{}\")", shown(reason)));
    }
    let cause = match info.causes().first() {
        Some(c) => format!("{} — most likely: {}", info.description(), c.what),
        None => info.description().to_string(),
    };
    let fix = info.causes().first().map_or(info.remedy(), |c| c.fix);
    let mut f = finding(step, name, what, &cause, fix);
    f.close_code = Some(reported);
    f
}

/// The finding for a read or write that failed while the probe waited for `waiting_for`.
fn frame_failure(
    step: &'static str,
    e: SocketError,
    sock: &Socket,
    waited_ms: u128,
    waiting_for: &str,
) -> Finding {
    match e {
        SocketError::Closed(Ending::Closed { code, .. }) => {
            closed_finding(step, code, sock.connection().close_reason(), "right after the upgrade")
        }
        SocketError::Closed(Ending::Lost) => {
            let mut f = finding(
                step,
                "abnormal_closure",
                format!("the server dropped the connection without a Close frame while the probe waited for {waiting_for} ({ABNORMAL_CLOSURE})"),
                "the server closed the socket after accepting the upgrade: a crash, a rejected token or origin checked after the upgrade, or a proxy timeout",
                &format!("look at the server's log at that moment; close with a code ({UNAUTHORIZED}, {POLICY_VIOLATION} …) instead of dropping the socket"),
            );
            f.close_code = Some(ABNORMAL_CLOSURE);
            f
        }
        SocketError::Timeout | SocketError::Closed(Ending::PeerDead(_) | Ending::CloseTimeout) => finding(
            step,
            "timeout",
            format!("no {waiting_for} within {waited_ms} ms"),
            "the server does not answer, or a proxy buffers WebSocket frames",
            "answer pings with pongs (RFC 6455 §5.5.2 — most libraries do it for you); disable response buffering on the proxy (nginx: proxy_buffering off)",
        ),
        SocketError::Io(e) => {
            let f = classify_io_error(&e);
            from_failure(step, format!("I/O error while waiting for {waiting_for}: {}", f.detail), &f)
        }
        SocketError::Protocol(e) | SocketError::Closed(Ending::Failed(e)) => {
            let mut f = finding(step, e.code(), format!("the server broke the WebSocket protocol: {e}"), e.reason(), e.remedy());
            f.close_code = Some(e.close_code());
            f
        }
        SocketError::Refused(e) => finding(step, e.code(), format!("the probe could not send: {e}"), e.reason(), e.remedy()),
        SocketError::Unsupported(what) => finding(step, "other", format!("cannot send {what}"), "", ""),
    }
}

/// The bytes of a data message (`None`: a control message).
fn payload(m: &Message) -> Option<&[u8]> {
    match m {
        Message::Text(t) => Some(t.as_bytes()),
        Message::Binary(b) => Some(b),
        _ => None,
    }
}

/// `ping`: a ping with [`PING_PAYLOAD`], timed until its pong.
fn ping(sock: &mut Socket, ms: u128) -> Result<(f64, String), Finding> {
    let sent = Instant::now();
    sock.send(Message::Ping(PING_PAYLOAD.to_vec().into()))
        .map_err(|e| frame_failure("ping", e, sock, ms, "a pong"))?;
    let mut skipped = 0usize;
    loop {
        match sock.read() {
            Ok(Message::Pong(p)) if p == PING_PAYLOAD => {
                let rtt = sent.elapsed().as_secs_f64() * 1000.0;
                let extra = if skipped > 0 {
                    format!(" ({skipped} message(s) received before it)")
                } else {
                    String::new()
                };
                return Ok((rtt, format!("pong after {rtt:.2} ms{extra}")));
            }
            Ok(Message::Close(_)) => return Err(closed_at("ping", sock)),
            Ok(m) if payload(&m).is_some() => skipped += 1,
            Ok(_) => {}
            Err(e) => return Err(frame_failure("ping", e, sock, ms, "a pong")),
        }
    }
}

/// The finding for the server's Close while a step waited (the core holds its code).
fn closed_at(step: &'static str, sock: &Socket) -> Finding {
    let code = sock
        .connection()
        .ending()
        .map_or(ABNORMAL_CLOSURE, |e| e.code());
    closed_finding(
        step,
        code,
        sock.connection().close_reason(),
        "right after the upgrade",
    )
}

/// `echo`: `text` sent, the same bytes expected back.
fn echo(sock: &mut Socket, text: &str, ms: u128) -> Result<((), String), Finding> {
    let sent = Instant::now();
    sock.send(Message::text(text))
        .map_err(|e| frame_failure("echo", e, sock, ms, "the echo"))?;
    loop {
        let m = match sock.read() {
            Ok(Message::Close(_)) => return Err(closed_at("echo", sock)),
            Ok(m) => m,
            Err(e) => return Err(frame_failure("echo", e, sock, ms, "the echo")),
        };
        let Some(message) = payload(&m) else { continue };
        if message == text.as_bytes() {
            return Ok((
                (),
                format!(
                    "echoed {} bytes in {:.2} ms",
                    message.len(),
                    sent.elapsed().as_secs_f64() * 1000.0
                ),
            ));
        }
        let got: String = String::from_utf8_lossy(message).chars().take(60).collect();
        return Err(finding(
            "echo",
            "echo_mismatch",
            format!("sent {text:?}, received {got:?}"),
            "the server answered with another message (it is not an echo endpoint, or sent a greeting first)",
            "probe an echo endpoint, or leave --echo out",
        ));
    }
}

/// `close`: our Close (1000 "probe done"), then the server's reply.
fn close(sock: &mut Socket, ms: u128) -> Result<(Option<u16>, String), Finding> {
    let ours = CloseFrame {
        code: CloseCode::from(NORMAL_CLOSURE),
        reason: "probe done".into(),
    };
    sock.close(Some(ours))
        .map_err(|e| frame_failure("close", e, sock, ms, "the Close reply"))?;
    loop {
        match sock.read() {
            Ok(Message::Close(_)) => {
                let c = sock.connection().ending().map_or(ABNORMAL_CLOSURE, |e| e.code());
                return Ok((Some(c), format!("server replied Close {c}")));
            }
            Ok(_) => {}
            Err(SocketError::Closed(Ending::Lost)) => {
                return Ok((None, "server closed TCP without a Close reply".into()))
            }
            Err(SocketError::Timeout | SocketError::Closed(Ending::CloseTimeout)) => {
                return Err(finding(
                    "close",
                    "close_not_acknowledged",
                    format!("no Close reply within {ms} ms"),
                    "the server does not complete the closing handshake",
                    "reply to a Close frame with a Close frame, then close the TCP connection (RFC 6455 §5.5.1)",
                ))
            }
            Err(e) => return Err(frame_failure("close", e, sock, ms, "the Close reply")),
        }
    }
}

/// Runs the probe. Never panics; every wait is bounded by `opts.timeout` per step.
///
/// ```
/// let r = wsguard::probe::probe(&wsguard::probe::ProbeOptions::new("https://example.com/ws"));
/// assert!(!r.ok);
/// assert_eq!(r.failure.unwrap().code, "url_scheme");
/// ```
pub fn probe(opts: &ProbeOptions) -> Report {
    let t0 = Instant::now();
    let mut rec = Recorder::new();
    let timeout = opts.timeout;
    let ms = timeout.as_millis();
    // Frames and messages up to 1 MiB; our Close waits one step's time for the reply.
    let config = Config::new(Role::Client)
        .with_decoder(
            DecoderConfig::client()
                .with_max_frame(MAX_FRAME)
                .with_max_message(MAX_FRAME),
        )
        .with_close_timeout(u64::try_from(ms).unwrap_or(u64::MAX));
    let est = client::establish(opts, &mut rec, config);
    let mut report = Report {
        url: opts.url.clone(),
        ok: false,
        steps: Vec::new(),
        failure: None,
        peer: None,
        server: None,
        subprotocol: None,
        rtt_ms: None,
        close_code: None,
        total_ms: 0.0,
    };
    if let Some(est) = est {
        report.peer = Some(est.peer.clone());
        report.server = est.server.clone();
        report.subprotocol = est.subprotocol.clone();
        let mut sock = est.socket;
        sock.set_deadline(Some(Instant::now() + timeout));
        report.rtt_ms = rec.run("ping", || ping(&mut sock, ms));
        match &opts.echo {
            Some(text) => {
                sock.set_deadline(Some(Instant::now() + timeout));
                rec.run("echo", || echo(&mut sock, text, ms));
            }
            None => rec.skip("echo", "no --echo message"),
        }
        sock.set_deadline(Some(Instant::now() + timeout));
        report.close_code = rec.run("close", || close(&mut sock, ms)).flatten();
    }
    for name in STEPS {
        if !rec.steps.iter().any(|s| s.name == name) {
            rec.skip(name, "not run: an earlier step failed");
        }
    }
    if report.server.is_none() {
        report.server = rec
            .failure
            .as_ref()
            .and_then(|f| f.server.as_ref())
            .and_then(|s| s.software.clone());
    }
    report.ok = rec.failure.is_none();
    report.steps = rec.steps;
    report.failure = rec.failure;
    report.total_ms = t0.elapsed().as_secs_f64() * 1000.0;
    report
}
