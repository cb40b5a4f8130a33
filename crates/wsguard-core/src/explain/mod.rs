//! The explain exchange: the reason behind a browser's `1006`, delivered to the page.
//!
//! Browsers hide the HTTP status of a refused upgrade. After a failed `new WebSocket`,
//! the client asks the same URL over plain HTTP (`GET <path>?wsguard-explain=1&…`) what
//! the verdict for its request would be; the guard answers from this module, so every
//! guard (`wsguard serve`, the ASGI guard, `wsguard.channels`, …) answers identically.
//! Stateless: the answer is the core's [`validate_request`] verdict on the request the
//! facts describe (Origin, Host, path, offered subprotocols, token placement — never a
//! token value), so any replica behind a load balancer gives it. Protocol: docs/EXPLAIN.md.
//!
//! ```
//! use wsguard_core::explain::{explain, write_answer, ExplainQuery, Mode};
//! use wsguard_core::handshake::ServerConfig;
//! use wsguard_core::origin::{OriginPolicy, Pattern};
//! let allowed = [Pattern::parse("https://app.example.com").unwrap()];
//! let cfg = ServerConfig::new(OriginPolicy::new(&allowed));
//! let q = ExplainQuery::parse("wsguard-explain=1&token=none").unwrap();
//! let mut scratch = [0u8; 1024];
//! let verdict = explain(&cfg, "/ws", "api.example.com", Some(b"https://evil.example"), &q, &mut scratch);
//! let mut out = [0u8; 1024];
//! let n = write_answer(&verdict, Mode::Public, &mut out).unwrap();
//! let text = core::str::from_utf8(&out[..n]).unwrap();
//! assert!(text.contains("\"code\":\"origin_host\"") && text.contains("\"status\":403"));
//! assert!(text.contains("Access-Control-Allow-Origin: *"));
//! ```

#[cfg(test)]
mod tests;

use crate::handshake::{validate_request, Rejection, ServerConfig};
use crate::{BufferTooSmall, Cursor, Diagnostic, Status};

/// The query parameter that marks an explain request.
pub const MARKER: &str = "wsguard-explain";

/// What the guard answers explain requests with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Mode {
    /// Do not answer (the request goes on as a plain HTTP request).
    Off,
    /// Code, status and the public sentence (the default).
    Public,
    /// Also the remedy.
    Full,
}

impl Mode {
    /// The mode named `off`, `public` or `full` (the `WSGUARD_EXPLAIN` values of every
    /// guard); `None` for anything else.
    ///
    /// ```
    /// use wsguard_core::explain::Mode;
    /// assert_eq!(Mode::parse("full"), Some(Mode::Full));
    /// assert_eq!(Mode::parse("on"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Mode> {
        match name {
            "off" => Some(Mode::Off),
            "public" => Some(Mode::Public),
            "full" => Some(Mode::Full),
            _ => None,
        }
    }
}

/// Where the client put the token (the value itself is never sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TokenFact<'a> {
    /// No token.
    None,
    /// A query parameter with this name.
    Query(&'a str),
    /// A `Sec-WebSocket-Protocol` marker entry followed by the token.
    SubprotocolPair(&'a str),
    /// One `Sec-WebSocket-Protocol` entry `<prefix><token>`.
    SubprotocolPrefix(&'a str),
}

/// The facts of an explain request, borrowed from its query string (values still
/// percent-encoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ExplainQuery<'a> {
    /// The offered subprotocols, comma-separated (`protocols=`).
    pub protocols: Option<&'a str>,
    /// The token placement (`token=none|query:<name>|subprotocol_pair:<marker>|subprotocol_prefix:<prefix>`).
    pub token: TokenFact<'a>,
    /// The page origin (`origin=`), used only when the request has no `Origin` header
    /// (browsers omit it on same-origin GET).
    pub origin: Option<&'a str>,
}

impl<'a> ExplainQuery<'a> {
    /// Reads the facts from a query string (without `?`); `None` when it is not an
    /// explain request (no `wsguard-explain` parameter). Unknown parameters are ignored.
    ///
    /// ```
    /// use wsguard_core::explain::{ExplainQuery, TokenFact};
    /// let q = ExplainQuery::parse("wsguard-explain=1&token=query:access_token").unwrap();
    /// assert_eq!(q.token, TokenFact::Query("access_token"));
    /// assert!(ExplainQuery::parse("room=1").is_none());
    /// ```
    pub fn parse(query: &'a str) -> Option<Self> {
        let mut marked = false;
        let mut q = ExplainQuery {
            protocols: None,
            token: TokenFact::None,
            origin: None,
        };
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                MARKER => marked = true,
                "protocols" if !v.is_empty() => q.protocols = Some(v),
                "origin" if !v.is_empty() => q.origin = Some(v),
                "token" => {
                    q.token = match v
                        .split_once(':')
                        .or(v.split_once("%3A"))
                        .or(v.split_once("%3a"))
                    {
                        Some(("query", n)) => TokenFact::Query(n),
                        Some(("subprotocol_pair", n)) => TokenFact::SubprotocolPair(n),
                        Some(("subprotocol_prefix", n)) => TokenFact::SubprotocolPrefix(n),
                        _ => TokenFact::None,
                    }
                }
                _ => {}
            }
        }
        marked.then_some(q)
    }
}

/// The verdict an explain request describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Verdict {
    /// The upgrade would be accepted (token values are checked by the application, not here).
    Accepted,
    /// The upgrade would be refused.
    Refused(Rejection),
    /// The facts do not fit in the scratch buffer (answered as `explain_too_large`).
    TooLarge,
}

/// A token stand-in: present where the facts say, never a real value.
const PLACEHOLDER: &str = "wsguard-explain-placeholder";
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// The core's verdict on the upgrade request the facts describe: `path` and `host` of the
/// explain request, its `Origin` header (or else `query.origin`). `scratch` holds the
/// described request (1 KiB is plenty for real pages).
pub fn explain(
    config: &ServerConfig<'_>,
    path: &str,
    host: &str,
    origin_header: Option<&[u8]>,
    query: &ExplainQuery<'_>,
    scratch: &mut [u8],
) -> Verdict {
    let mut c = Cursor::new(scratch);
    if describe(&mut c, path, host, origin_header, query).is_err() {
        return Verdict::TooLarge;
    }
    let n = c.len();
    match validate_request(config, scratch.get(..n).unwrap_or(&[])) {
        Ok(Status::Complete(_)) => Verdict::Accepted,
        Ok(Status::Partial) => Verdict::TooLarge,
        Err(r) => Verdict::Refused(r),
    }
}

fn describe(
    c: &mut Cursor<'_>,
    path: &str,
    host: &str,
    origin_header: Option<&[u8]>,
    q: &ExplainQuery<'_>,
) -> Result<(), BufferTooSmall> {
    c.put_str("GET ")?;
    c.put_str(path)?;
    if let TokenFact::Query(name) = q.token {
        c.put_str("?")?;
        decode_into(c, name)?;
        c.put_str("=")?;
        c.put_str(PLACEHOLDER)?;
    }
    c.put_str(" HTTP/1.1\r\nHost: ")?;
    c.put_str(host)?;
    c.put_str("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ")?;
    c.put_str(KEY)?;
    match (origin_header, q.origin) {
        (Some(o), _) => {
            c.put_str("\r\nOrigin: ")?;
            c.put(o)?;
        }
        (None, Some(o)) => {
            c.put_str("\r\nOrigin: ")?;
            decode_into(c, o)?;
        }
        (None, None) => {}
    }
    let mut first = true;
    let mut entry =
        |c: &mut Cursor<'_>, parts: &[&str], decode: bool| -> Result<(), BufferTooSmall> {
            c.put_str(if first {
                "\r\nSec-WebSocket-Protocol: "
            } else {
                ", "
            })?;
            first = false;
            for p in parts {
                if decode {
                    decode_into(c, p)?
                } else {
                    c.put_str(p)?
                }
            }
            Ok(())
        };
    match q.token {
        TokenFact::SubprotocolPair(m) => {
            entry(c, &[m], true)?;
            entry(c, &[PLACEHOLDER], false)?;
        }
        TokenFact::SubprotocolPrefix(p) => entry(c, &[p, PLACEHOLDER], true)?,
        TokenFact::None | TokenFact::Query(_) => {}
    }
    if let Some(list) = q.protocols {
        entry(c, &[list], true)?;
    }
    c.put_str("\r\n\r\n")
}

/// Percent-decodes `s` (and `+` as space) into `c`; CR, LF and NUL are dropped so a fact
/// can never add a header line.
fn decode_into(c: &mut Cursor<'_>, s: &str) -> Result<(), BufferTooSmall> {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&x) = b.get(i) {
        let (byte, step) = match (
            x,
            b.get(i + 1).and_then(|h| hex(*h)),
            b.get(i + 2).and_then(|l| hex(*l)),
        ) {
            (b'%', Some(h), Some(l)) => (h * 16 + l, 3),
            (b'+', _, _) => (b' ', 1),
            _ => (x, 1),
        };
        if !matches!(byte, b'\r' | b'\n' | 0) {
            c.put(&[byte])?;
        }
        i += step;
    }
    Ok(())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Writes the whole HTTP answer (200, JSON body, CORS that grants nothing but reading
/// this answer, `Cache-Control: no-store`) into `out`; returns its length.
///
/// The body: `{"wsguard":1,"ok":…,"code":…,"status":…,"reason":…}` plus `"remedy"` in
/// [`Mode::Full`]. [`Mode::Off`] writes nothing (returns 0): let the request through.
pub fn write_answer(
    verdict: &Verdict,
    mode: Mode,
    out: &mut [u8],
) -> Result<usize, BufferTooSmall> {
    if mode == Mode::Off {
        return Ok(0);
    }
    let n = write_body(verdict, mode, out)?;
    let mut head = [0u8; 256];
    let mut c = Cursor::new(&mut head);
    c.put_str("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n")?;
    c.put_str("Access-Control-Allow-Origin: *\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\nContent-Length: ")?;
    c.put_u64(n as u64)?;
    c.put_str("\r\n\r\n")?;
    let h = c.finish()?;
    let total = h + n;
    if out.len() < total {
        return Err(BufferTooSmall { needed: total });
    }
    out.copy_within(..n, h);
    out[..h].copy_from_slice(&head[..h]);
    Ok(total)
}

/// The HTTP status of every explain answer (the verdict is in the body), for guards
/// whose framework writes the status line itself.
pub const STATUS: u16 = 200;

/// The headers of the answer, for guards whose framework writes the status line and
/// length itself (ASGI, Django): `(name, value)` pairs.
pub const HEADERS: [(&str, &str); 4] = [
    ("Content-Type", "application/json"),
    ("Cache-Control", "no-store"),
    ("Access-Control-Allow-Origin", "*"),
    ("X-Content-Type-Options", "nosniff"),
];

/// Writes only the JSON body of the answer into `out`; returns its length.
pub fn write_body(verdict: &Verdict, mode: Mode, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
    let mut c = Cursor::new(out);
    body(&mut c, verdict, mode)?;
    c.finish()
}

fn body(c: &mut Cursor<'_>, verdict: &Verdict, mode: Mode) -> Result<(), BufferTooSmall> {
    let (ok, code, status, reason, remedy) = match verdict {
        Verdict::Accepted => (true, "explain_accepted", 101, "the server would accept this upgrade; if it still fails, the token value or the application refused it, or a proxy in between did", "check the token's value and expiry, and the proxies between the page and the server"),
        Verdict::Refused(r) => (false, r.code(), r.status(), r.reason(), r.remedy()),
        Verdict::TooLarge => (false, "explain_too_large", 431, "the explain request describes an upgrade too large to check", "shorten the URL, the subprotocol list or the origin"),
    };
    c.put_str("{\"wsguard\":1,\"ok\":")?;
    c.put_str(if ok { "true" } else { "false" })?;
    c.put_str(",\"code\":")?;
    json_str(c, code)?;
    c.put_str(",\"status\":")?;
    c.put_u16(status)?;
    c.put_str(",\"reason\":")?;
    json_str(c, reason)?;
    if mode == Mode::Full {
        c.put_str(",\"remedy\":")?;
        json_str(c, remedy)?;
    }
    c.put_str("}")
}

fn json_str(c: &mut Cursor<'_>, s: &str) -> Result<(), BufferTooSmall> {
    c.put_str("\"")?;
    for ch in s.chars() {
        match ch {
            '"' => c.put_str("\\\"")?,
            '\\' => c.put_str("\\\\")?,
            '\u{0}'..='\u{1f}' => c.put_str(" ")?,
            _ => {
                let mut b = [0u8; 4];
                c.put_str(ch.encode_utf8(&mut b))?
            }
        }
    }
    c.put_str("\"")
}
