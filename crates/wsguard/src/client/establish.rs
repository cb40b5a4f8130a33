//! Opening a connection step by step: `url → dns → tcp → tls → upgrade`. Each step
//! returns its detail or a [`Finding`]; the [`Recorder`] times it and stops at the first
//! failure. The core parses the URL, writes the upgrade request and validates or
//! diagnoses the answer; the follow-ups of an ambiguous refusal are the core's plan
//! ([`super::differential`]).

use super::net::{self, Conn};
use super::{ConnectOptions, Finding, Outcome, ServerSaid, Step, TokenPlacement};
use crate::errors::{classify_io_error, Failure, FailureKind};
use std::io::{self, Read, Write};
use std::time::Instant;
use wsguard_core::handshake::{
    self as hs, ClientFailure, ClientRequest, DiagnosisKind, SubprotocolToken,
};
use wsguard_core::text::escaped;
use wsguard_core::url::WsUrl;
use wsguard_core::{Cursor, Diagnostic, Status};

const MAX_RESPONSE_HEAD: usize = 64 * 1024;
/// The steps run so far and the first failure.
pub(crate) struct Recorder {
    pub(crate) steps: Vec<Step>,
    pub(crate) failure: Option<Finding>,
}

impl Recorder {
    pub(crate) fn new() -> Self {
        Recorder {
            steps: Vec::new(),
            failure: None,
        }
    }

    /// Runs one step, unless an earlier one failed.
    pub(crate) fn run<T>(
        &mut self,
        name: &'static str,
        f: impl FnOnce() -> Result<(T, String), Finding>,
    ) -> Option<T> {
        if self.failure.is_some() {
            self.skip(name, "not run: an earlier step failed");
            return None;
        }
        let t0 = Instant::now();
        let r = f();
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        match r {
            Ok((v, detail)) => {
                self.steps.push(Step {
                    name,
                    outcome: Outcome::Ok,
                    ms,
                    detail,
                });
                Some(v)
            }
            Err(finding) => {
                self.steps.push(Step {
                    name,
                    outcome: Outcome::Failed,
                    ms,
                    detail: finding.what.clone(),
                });
                self.failure = Some(finding);
                None
            }
        }
    }

    pub(crate) fn skip(&mut self, name: &'static str, why: &str) {
        self.steps.push(Step {
            name,
            outcome: Outcome::Skipped,
            ms: 0.0,
            detail: why.to_string(),
        });
    }
}

pub(crate) fn finding(
    step: &'static str,
    code: &str,
    what: String,
    cause: &str,
    fix: &str,
) -> Finding {
    Finding {
        step,
        code: code.to_string(),
        what,
        cause: cause.to_string(),
        fix: fix.to_string(),
        http_status: None,
        close_code: None,
        server: None,
        follow_ups: Vec::new(),
        remaining: Vec::new(),
    }
}

pub(crate) fn from_failure(step: &'static str, what: String, f: &Failure) -> Finding {
    let mut out = finding(step, f.code, what, &f.reason, &f.remedy);
    if let FailureKind::Closed(c) = f.kind {
        out.close_code = Some(c);
    }
    out
}

/// A connection after a successful upgrade.
pub(crate) struct Established {
    pub(crate) conn: Conn,
    /// Bytes after the 101 head (the first frames, if the server sent some at once).
    pub(crate) tail: Vec<u8>,
    pub(crate) subprotocol: Option<String>,
    pub(crate) server: Option<String>,
    pub(crate) peer: String,
}

impl Established {
    /// The socket over this connection, with `config`.
    pub(crate) fn into_connected(
        self,
        config: wsguard_core::connection::Config,
    ) -> super::Connected {
        super::Connected {
            socket: super::Socket::new(self.conn, self.tail, config),
            subprotocol: self.subprotocol,
            server: self.server,
            peer: self.peer,
        }
    }
}

/// `url → dns → tcp → tls → upgrade`.
pub(crate) fn establish(opts: &ConnectOptions, rec: &mut Recorder) -> Option<Established> {
    let url = rec.run("url", || {
        let u = WsUrl::parse(&opts.url).map_err(|e| {
            finding(
                "url",
                e.code(),
                format!("`{}` is not a usable WebSocket URL", opts.url),
                e.reason(),
                e.remedy(),
            )
        })?;
        let mut buf = [0u8; 2048];
        let mut c = Cursor::new(&mut buf);
        let _ = u.write_normalized(&mut c);
        let detail = String::from_utf8_lossy(c.written()).into_owned();
        Ok((u, detail))
    })?;
    let host = url.host_unbracketed().to_string();
    let port = url.port_or_default();
    let addrs = rec.run("dns", || {
        let addrs = net::resolve(&host, port, opts.timeout).map_err(|e| {
            let f = classify_io_error(&e);
            let what = if f.kind == FailureKind::Timeout {
                format!(
                    "resolving {host} took longer than {} ms",
                    opts.timeout.as_millis()
                )
            } else {
                format!("{host} does not resolve")
            };
            from_failure("dns", what, &f)
        })?;
        let detail = addrs
            .iter()
            .map(|a| a.ip().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        Ok((addrs, detail))
    })?;
    let (tcp, peer) = rec.run("tcp", || {
        let (s, addr) = net::connect(&addrs, opts.timeout).map_err(|(e, addr)| {
            let f = classify_io_error(&e);
            let what = match f.kind {
                FailureKind::Refused if f.code == "connection_refused" => format!("connection refused on {addr}"),
                FailureKind::Timeout => format!("no answer from {addr} within {} ms", opts.timeout.as_millis()),
                _ => format!("cannot connect to {addr}"),
            };
            let mut out = from_failure("tcp", what, &f);
            if f.code == "connection_refused" {
                out.cause = format!("nothing listens on {addr}");
                out.fix = "is the backend running and the port published? (Docker: publish it with `-p`, and listen on 0.0.0.0 inside the container, not 127.0.0.1)".into();
            } else if f.kind == FailureKind::Timeout {
                out.cause = "a firewall drops the packets, or the host is down".into();
            }
            out
        })?;
        Ok(((s, addr), addr.to_string()))
    })?;
    let deadline = |opts: &ConnectOptions| Instant::now() + opts.timeout;
    let conn = if url.secure() {
        rec.run("tls", || {
            let config = net::tls_config(opts.ca_file.as_deref()).map_err(|e| {
                finding("tls", "tls_ca_file", e.0.clone(), "the CA file given cannot be used", "pass a PEM file holding the CA certificate (-----BEGIN CERTIFICATE-----)")
            })?;
            let conn = net::tls_handshake(tcp, &host, config, deadline(opts)).map_err(|e| {
                let f = classify_io_error(&e);
                let what = match f.kind {
                    FailureKind::Timeout => format!("no TLS answer from {peer} within {} ms — is this a TLS port?", opts.timeout.as_millis()),
                    FailureKind::Reset => format!("{peer} closed the connection during the TLS handshake"),
                    _ => format!("TLS with {host} failed: {}", f.detail),
                };
                let mut out = from_failure("tls", what, &f);
                if f.kind != FailureKind::Tls {
                    out.cause = "the server did not complete a TLS handshake: it probably speaks plain HTTP/ws on this port".into();
                    out.fix = "use ws:// for this port, or the port where TLS is terminated (usually 443)".into();
                    out.code = "tls_no_handshake".into();
                }
                out
            })?;
            let detail = match &conn {
                Conn::Tls(s) => format!(
                    "{}, certificate valid for {host}",
                    tls_version_name(s.conn.protocol_version())
                ),
                Conn::Plain(_) => String::new(),
            };
            Ok((conn, detail))
        })?
    } else {
        rec.skip("tls", "ws:// (no TLS)");
        Conn::Plain(tcp)
    };
    let mut conn = conn;
    let (tail, subprotocol, server) =
        rec.run("upgrade", || upgrade(opts, &url, &mut conn, deadline(opts)))?;
    Some(Established {
        conn,
        tail,
        subprotocol,
        server,
        peer: peer.to_string(),
    })
}

/// `TLS 1.3` rather than rustls' `TLSv1_3`.
fn tls_version_name(v: Option<rustls::ProtocolVersion>) -> String {
    match v {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".into(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".into(),
        Some(other) => format!("{other:?}"),
        None => "TLS".into(),
    }
}

type Upgraded = (Vec<u8>, Option<String>, Option<String>);

fn upgrade(
    opts: &ConnectOptions,
    url: &WsUrl<'_>,
    conn: &mut Conn,
    deadline: Instant,
) -> Result<(Upgraded, String), Finding> {
    let mut hbuf = [0u8; 512];
    let mut hc = Cursor::new(&mut hbuf);
    let _ = url.host_header(&mut hc);
    let host_header = String::from_utf8_lossy(hc.written()).into_owned();
    let mut pbuf = vec![0u8; url.resource_name().len().saturating_add(1)];
    let mut pc = Cursor::new(&mut pbuf);
    let _ = url.write_resource_name(&mut pc);
    let path = String::from_utf8_lossy(pc.written()).into_owned();
    let subs: Vec<&str> = opts.subprotocols.iter().map(String::as_str).collect();
    let mut req = ClientRequest::new(&host_header, &path, net::random16()).subprotocols(&subs);
    if let Some(o) = &opts.origin {
        req = req.origin(o);
    }
    if let Some(t) = &opts.token {
        let placement = match &opts.token_placement {
            TokenPlacement::Authorization => hs::TokenPlacement::Authorization,
            TokenPlacement::Query(n) => hs::TokenPlacement::Query(n),
            TokenPlacement::SubprotocolPair(m) => {
                hs::TokenPlacement::Subprotocol(SubprotocolToken::Pair(m))
            }
            TokenPlacement::SubprotocolPrefix(p) => {
                hs::TokenPlacement::Subprotocol(SubprotocolToken::Prefix(p))
            }
        };
        req = req.token(t, placement);
    }
    let mut out = vec![0u8; 1024];
    let written = wsguard_core::write_growing(
        &mut out,
        1 << 20,
        |b, n| b.resize(n, 0),
        |buf| hs::write_request(&req, buf),
    );
    let n = match written {
        Ok(n) => n,
        Err(e) => {
            return Err(finding(
                "upgrade",
                e.code(),
                "the upgrade request cannot be written".into(),
                e.reason(),
                e.remedy(),
            ))
        }
    };
    let io_fail = |e: &io::Error, doing: &str| {
        let f = classify_io_error(e);
        let what = match f.kind {
            FailureKind::Timeout => format!(
                "no answer to the upgrade request within {} ms",
                opts.timeout.as_millis()
            ),
            _ => format!("{doing}: {}", f.detail),
        };
        let mut fd = from_failure("upgrade", what, &f);
        if f.kind == FailureKind::Timeout {
            fd.cause = "the server accepted TCP but does not answer HTTP: a TLS port used with ws://, a non-HTTP service, or a stuck backend".into();
            fd.fix = "check the scheme (wss:// for TLS ports) and that an HTTP/WebSocket server listens there".into();
        }
        fd
    };
    conn.set_deadline(deadline)
        .map_err(|e| io_fail(&e, "cannot set the timeout"))?;
    conn.write_all(&out[..n])
        .and_then(|_| conn.flush())
        .map_err(|e| io_fail(&e, "sending the upgrade request failed"))?;
    let mut buf: Vec<u8> = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    let mut want_body: Option<usize> = None;
    for _ in 0..10_000 {
        let eof = if want_body.is_some_and(|w| buf.len() >= w) {
            true
        } else {
            conn.set_deadline(deadline)
                .map_err(|e| io_fail(&e, "cannot set the timeout"))?;
            match conn.read(&mut chunk) {
                Ok(0) => true,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    false
                }
                Err(e) if want_body.is_some() && is_timeout(&e) => true,
                Err(e) if !buf.is_empty() && e.kind() == io::ErrorKind::ConnectionReset => true,
                Err(e) => return Err(io_fail(&e, "reading the upgrade answer failed")),
            }
        };
        match hs::validate_response(&req, &buf) {
            Ok(Status::Partial) if eof => {
                let (code, what) = if buf.is_empty() {
                    (
                        "no_response",
                        "the server closed the connection without answering the upgrade"
                            .to_string(),
                    )
                } else {
                    ("truncated_response", format!("the server closed the connection in the middle of its answer ({} bytes)", buf.len()))
                };
                return Err(finding(
                    "upgrade",
                    code,
                    what,
                    "the server accepted TCP, then hung up: a TLS port used with ws://, a proxy that refuses the route, or a server that crashed",
                    "check the scheme (wss:// for TLS ports), the port and the server's log",
                ));
            }
            Ok(Status::Partial) if buf.len() > MAX_RESPONSE_HEAD => {
                return Err(finding(
                    "upgrade",
                    "response_too_large",
                    format!("the answer's head exceeds {MAX_RESPONSE_HEAD} bytes"),
                    "this is not a WebSocket server's answer",
                    "check the URL",
                ));
            }
            Ok(Status::Partial) => {}
            Ok(Status::Complete(est)) => {
                let tail = buf.get(est.consumed..).unwrap_or(&[]).to_vec();
                let sub = est.subprotocol.map(str::to_string);
                let server = est.server.map(str::to_string);
                let mut detail = "101 Switching Protocols".to_string();
                if let Some(s) = &sub {
                    detail.push_str(&format!(", subprotocol {s}"));
                }
                if let Some(s) = &server {
                    detail.push_str(&format!(", server {}", shown(s)));
                }
                return Ok(((tail, sub, server), detail));
            }
            Err(ClientFailure::Rejected(d)) => {
                // Read the body (bounded) so the diagnosis can quote the server's reason.
                if want_body.is_none() && !eof {
                    if let Some(total) = d.body_end {
                        let total = usize::try_from(total).unwrap_or(usize::MAX);
                        want_body = Some(total.min(MAX_RESPONSE_HEAD));
                        continue;
                    }
                }
                let mut f = rejected(opts, &d, &buf);
                let own = super::differential::own_origin(url, &host_header);
                if let Some(o) = super::differential::run(opts, url, &req, &own, &d) {
                    apply_differential(&mut f, o);
                }
                return Err(f);
            }
            Err(ClientFailure::Invalid(e)) => {
                let what = match e {
                    hs::ResponseError::Malformed => format!(
                        "the answer is not HTTP (starts with \"{}\")",
                        escaped(&buf).max_bytes(40)
                    ),
                    _ => format!("invalid 101 answer: {}", e.reason()),
                };
                let mut f = finding("upgrade", e.code(), what, e.reason(), e.remedy());
                f.http_status = ClientFailure::Invalid(e).status();
                return Err(f);
            }
        }
    }
    Err(finding(
        "upgrade",
        "response_too_slow",
        "the answer arrived in too many small pieces".into(),
        "a broken server or proxy",
        "check the server",
    ))
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// Text a (possibly hostile) server sent, made safe for a terminal and a log line by the
/// core: CR, LF, ESC/OSC sequences, BEL and other controls are escaped, length bounded.
pub(crate) fn shown(s: &str) -> String {
    escaped(s.as_bytes()).max_bytes(256).to_string()
}

fn rejected(opts: &ConnectOptions, d: &hs::Diagnosis<'_>, answer: &[u8]) -> Finding {
    let from = d
        .server
        .map(|s| format!(" from {}", shown(s)))
        .unwrap_or_default();
    let status = d.status;
    let mut what = match d.kind {
        DiagnosisKind::Forbidden => match &opts.origin {
            // Only a server that names the Origin (a wsguard `origin_*` code) is known to
            // have refused it; a bare 403 may be anything (see the follow-ups).
            Some(o) if d.server_code.is_some_and(|c| c.starts_with("origin_")) => {
                format!("HTTP {status}{from}: the server refused Origin {o}")
            }
            Some(o) => format!(
                "HTTP {status}{from}: the server refused the connection (Origin {o} was sent)"
            ),
            None => format!(
                "HTTP {status}{from}: the server refused the connection (no Origin was sent)"
            ),
        },
        DiagnosisKind::OriginRefused => match &opts.origin {
            Some(o) => format!("HTTP {status}{from}: the server refused Origin {o}"),
            None => format!("HTTP {status}{from}: the server refused the connection"),
        },
        DiagnosisKind::OriginRequired => {
            format!("HTTP {status}{from}: the server refused a client without Origin")
        }
        // A bare 401 (no challenge, no wsguard code) may not be about a token at all.
        DiagnosisKind::Unauthorized if !d.auth_challenge && d.server_code.is_none() => {
            match &opts.token {
                Some(_) => format!("HTTP {status}{from}: refused (a token was sent)"),
                None => format!("HTTP {status}{from}: refused (no token was sent)"),
            }
        }
        DiagnosisKind::Unauthorized => match &opts.token {
            Some(_) => format!("HTTP {status}{from}: the token was refused"),
            None => format!("HTTP {status}{from}: a token is required and none was sent"),
        },
        DiagnosisKind::ProxyDroppedUpgrade => {
            format!("HTTP {status}{from} without Upgrade in the response")
        }
        DiagnosisKind::Redirect => format!(
            "HTTP {status}{from}: redirect to {}",
            d.location
                .map_or_else(|| "(no Location)".to_string(), shown)
        ),
        DiagnosisKind::NotWebSocket => {
            format!("HTTP {status}{from}: a plain HTTP answer, not a WebSocket upgrade")
        }
        _ => format!("HTTP {status}{from} instead of 101 Switching Protocols"),
    };
    if let Some(r) = d
        .server_reason
        .filter(|_| d.server_code.is_some() || status >= 400)
    {
        what.push_str(&format!(" — server says: {}", shown(r)));
    }
    let mut f = finding("upgrade", d.code(), what, d.reason(), d.remedy());
    if let Some(code) = d.server_code {
        f.code = shown(code);
    }
    // No Origin sent and a wsguard server says so: tell the client it sent none.
    if opts.origin.is_none() && d.server_code == Some("origin_missing") {
        f.cause = "this client sent no Origin header, and the server refuses requests without one (browsers always send one; devices and scripts do not)".into();
        f.fix = "send an Origin header (the page's origin the server allows), or have the server allow clients without Origin (`allow_missing`) and authenticate them with a token".into();
    }
    let said = ServerSaid {
        software: d.server.map(shown),
        code: d.server_code.map(shown),
        reason: d
            .server_reason
            .map(|r| match d.server_code {
                // `origin_port: the Origin's …` → the sentence after the code.
                Some(c) => r
                    .strip_prefix(c)
                    .and_then(|r| r.strip_prefix(':'))
                    .unwrap_or(r)
                    .trim(),
                None => r,
            })
            .map(shown),
        fix: d.server_fix(answer).map(shown),
    };
    // The server's own, specific fix (the exact port-list syntax …) goes first.
    if let Some(fix) = &said.fix {
        if !f.fix.contains(fix.as_str()) {
            f.fix = format!("{fix} (server's fix) — {}", f.fix);
        }
    }
    if said.software.is_some() || said.reason.is_some() || said.code.is_some() {
        f.server = Some(said);
    }
    f.http_status = Some(status);
    f
}

/// Replaces the single-answer guess with what the follow-ups established — or with
/// the two causes that remain.
fn apply_differential(f: &mut Finding, o: super::differential::Outcome) {
    use wsguard_core::handshake::Verdict;
    f.follow_ups = o.runs;
    match o.verdict {
        Verdict::Established { cause, .. } => {
            f.code = cause.code().to_string();
            f.cause = o.verdict.to_string();
            f.fix = cause.remedy().to_string();
        }
        Verdict::Undecided { causes, .. } => {
            f.remaining = causes.as_slice().iter().map(|c| c.code()).collect();
            f.cause = o.verdict.to_string();
            f.fix = causes
                .as_slice()
                .iter()
                .map(|c| c.remedy())
                .collect::<Vec<_>>()
                .join(" — or: ");
        }
    }
}

/// `url → … → upgrade` without a report: the connection, or the finding of the step that
/// failed.
pub(crate) fn establish_or_finding(opts: &ConnectOptions) -> Result<Established, Box<Finding>> {
    let mut rec = Recorder::new();
    match establish(opts, &mut rec) {
        Some(est) => Ok(est),
        None => Err(Box::new(rec.failure.unwrap_or_else(|| {
            finding(
                "upgrade",
                "other",
                "the connection could not be established".into(),
                "",
                "",
            )
        }))),
    }
}
