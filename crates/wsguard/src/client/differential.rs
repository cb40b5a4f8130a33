//! Differential probing: drives the core's [`Plan`] when the upgrade answer is ambiguous.
//!
//! Each follow-up is one request on a fresh connection (the same address and TLS), read
//! under the probe's timeout; at most two are sent. The core decides what to send and
//! what the answers mean; this module only does the I/O.

use super::net::{self, Conn};
use super::{ConnectOptions, FollowUpRun};
use std::io::{Read, Write};
use std::time::Instant;
use wsguard_core::handshake::{
    write_follow_up, ClientRequest, Diagnosis, FollowUp, Plan, Reply, Sent, Verdict,
};
use wsguard_core::url::WsUrl;

const MAX_ANSWER: usize = 64 * 1024;

/// What the follow-ups established, for the finding.
pub(crate) struct Outcome {
    pub(crate) verdict: Verdict,
    pub(crate) runs: Vec<FollowUpRun>,
}

/// The URL's own origin (`http(s)://host[:port]`), what a page served by the same
/// server would send.
pub(crate) fn own_origin(url: &WsUrl<'_>, host_header: &str) -> String {
    let scheme = if url.secure() { "https" } else { "http" };
    format!("{scheme}://{host_header}")
}

/// Runs the plan for `first`, or `None` when the answer is not ambiguous.
pub(crate) fn run(
    opts: &ConnectOptions,
    url: &WsUrl<'_>,
    req: &ClientRequest<'_>,
    own: &str,
    first: &Diagnosis<'_>,
) -> Option<Outcome> {
    let sent = Sent {
        origin: req.origin.is_some(),
        origin_is_own: req.origin.is_some_and(|o| o.eq_ignore_ascii_case(own)),
    };
    let mut plan = Plan::for_answer(first, sent)?;
    let mut runs = Vec::new();
    while let Some(step) = plan.next() {
        let reply = ask(opts, url, req, own, step, first);
        runs.push(FollowUpRun {
            step: step.code(),
            sent: step.description(),
            status: match reply {
                Reply::Upgraded => Some(101),
                Reply::Status { status, .. } => Some(status),
                Reply::NoAnswer => None,
            },
            same_as_first: matches!(reply, Reply::Status { same: true, .. }),
        });
        plan.record(step, reply);
        if runs.len() >= 2 {
            break;
        }
    }
    Some(Outcome {
        verdict: plan.verdict(),
        runs,
    })
}

fn open(opts: &ConnectOptions, url: &WsUrl<'_>) -> Option<Conn> {
    let host = url.host_unbracketed().to_string();
    let addrs = net::resolve(&host, url.port_or_default(), opts.timeout).ok()?;
    let (tcp, _) = net::connect(&addrs, opts.timeout).ok()?;
    if !url.secure() {
        return Some(Conn::Plain(tcp));
    }
    let config = net::tls_config(opts.ca_file.as_deref()).ok()?;
    net::tls_handshake(tcp, &host, config, Instant::now() + opts.timeout).ok()
}

/// One follow-up: send it, read the answer, compare it with the first one.
fn ask(
    opts: &ConnectOptions,
    url: &WsUrl<'_>,
    req: &ClientRequest<'_>,
    own: &str,
    step: FollowUp,
    first: &Diagnosis<'_>,
) -> Reply {
    let Some(mut conn) = open(opts, url) else {
        return Reply::NoAnswer;
    };
    let mut out = vec![0u8; 2048];
    let written = wsguard_core::write_growing(
        &mut out,
        1 << 20,
        |b, n| b.resize(n, 0),
        |buf| write_follow_up(req, step, own, buf),
    );
    let Ok(n) = written else {
        return Reply::NoAnswer;
    };
    let deadline = Instant::now() + opts.timeout;
    if conn.set_deadline(deadline).is_err()
        || conn
            .write_all(&out[..n])
            .and_then(|_| conn.flush())
            .is_err()
    {
        return Reply::NoAnswer;
    }
    // The core says when the answer (head, and the body it announces) is complete.
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    for _ in 0..1000 {
        if let Some(reply) = Reply::from_answer(req, step, own, first, &buf) {
            return reply;
        }
        if buf.len() > MAX_ANSWER || conn.set_deadline(deadline).is_err() {
            return Reply::NoAnswer;
        }
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return Reply::at_end(req, step, own, first, &buf),
            Ok(k) => buf.extend_from_slice(&chunk[..k]),
        }
    }
    Reply::NoAnswer
}
