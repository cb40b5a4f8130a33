//! Server-side writers: the 101 answer and the exact rejection answer, into a caller buffer.

use super::{reason_phrase, Accepted, Rejection};
use crate::{BufferTooSmall, Cursor, Diagnostic};

/// Writes the 101 answer for `accepted`:
///
/// ```text
/// HTTP/1.1 101 Switching Protocols\r\n
/// Upgrade: websocket\r\n
/// Connection: Upgrade\r\n
/// Sec-WebSocket-Accept: <accept>\r\n
/// [Sec-WebSocket-Protocol: <chosen>\r\n]
/// \r\n
/// ```
///
/// Returns the number of bytes written (at most 160 plus the subprotocol's length), or
/// how many would have been needed.
///
/// ```
/// use wsguard_core::handshake::{validate_request, write_accept_response, ServerConfig};
/// use wsguard_core::origin::{OriginPolicy, Pattern};
/// let req = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://app.example.com\r\n\r\n";
/// let allowed = [Pattern::parse("https://app.example.com").unwrap()];
/// let cfg = ServerConfig::new(OriginPolicy::new(&allowed));
/// let s = validate_request(&cfg, req).unwrap();
/// let accepted = s.complete().unwrap();
/// let mut out = [0u8; 160];
/// let n = write_accept_response(&accepted, &mut out).unwrap();
/// assert_eq!(&out[..n], &b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"[..]);
/// ```
pub fn write_accept_response(
    accepted: &Accepted<'_>,
    out: &mut [u8],
) -> Result<usize, BufferTooSmall> {
    let mut c = Cursor::new(out);
    let _ = c.put_str("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ");
    let _ = c.put(accepted.accept.as_bytes());
    let _ = c.put_str("\r\n");
    if let Some(p) = accepted.subprotocol {
        let _ = c.put_str("Sec-WebSocket-Protocol: ");
        let _ = c.put_str(p);
        let _ = c.put_str("\r\n");
    }
    let _ = c.put_str("\r\n");
    c.finish()
}

/// The response header naming the refusal's stable code in every answer the core writes
/// ([`write_rejection_response`], the overload and custom refusals), so a proxy log, `curl
/// -i` or a client that cannot read the body (a browser's failed upgrade) sees it; the
/// same code leads the body. Read back by the client diagnosis.
///
/// ```
/// use wsguard_core::handshake::{write_rejection_response, Rejection, CODE_HEADER};
/// let mut out = [0u8; 512];
/// let n = write_rejection_response(&Rejection::TokenMissing, &mut out).unwrap();
/// let text = core::str::from_utf8(&out[..n]).unwrap();
/// assert_eq!(CODE_HEADER, "X-Wsguard-Code");
/// assert!(text.contains("\r\nX-Wsguard-Code: token_missing\r\n"));
/// ```
pub const CODE_HEADER: &str = "X-Wsguard-Code";

/// Writes the complete answer for `rejection`: status line with its reason phrase, the
/// rejection's [`extra_headers`](Rejection::extra_headers), [`CODE_HEADER`] with its code,
/// `Content-Type: text/plain; charset=utf-8`, `Content-Length`, `Connection: close`
/// (`Connection: Upgrade, close` when an `Upgrade` header is sent, as RFC 9110 §7.8
/// asks), and a body of two lines: `<code>: <reason>` and `fix: <remedy>`.
///
/// ```
/// use wsguard_core::handshake::{write_rejection_response, Rejection};
/// let mut out = [0u8; 512];
/// let n = write_rejection_response(&Rejection::MethodNotGet, &mut out).unwrap();
/// let text = core::str::from_utf8(&out[..n]).unwrap();
/// assert!(text.starts_with("HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\n"));
/// assert!(text.contains("\r\n\r\nmethod_not_get: "));
/// ```
pub fn write_rejection_response(
    rejection: &Rejection,
    out: &mut [u8],
) -> Result<usize, BufferTooSmall> {
    write_refusal(
        rejection.status(),
        rejection.extra_headers().iter().copied(),
        rejection,
        out,
    )
}

/// The one layout of every wsguard refusal: status line, `headers`, [`CODE_HEADER`], the
/// text/plain headers, `Connection: close` (`Upgrade, close` when an `Upgrade` header is sent, RFC
/// 9110 §7.8) and the body `<code>: <reason>` / `fix: <remedy>` of `why`. Used by
/// [`write_rejection_response`] and the overload refusal of [`crate::limits`].
pub(crate) fn write_refusal<'h>(
    status: u16,
    headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    why: &dyn Diagnostic,
    out: &mut [u8],
) -> Result<usize, BufferTooSmall> {
    write_refusal_text(
        status,
        headers,
        (why.code(), why.reason(), why.remedy()),
        out,
    )
}

/// [`write_refusal`] with the code, reason and remedy as borrowed text (the checked
/// [`CustomRefusal`](super::CustomRefusal) of a server's own decision).
pub(crate) fn write_refusal_text<'h>(
    status: u16,
    headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    (code, reason, remedy): (&str, &str, &str),
    out: &mut [u8],
) -> Result<usize, BufferTooSmall> {
    let body_len = code
        .len()
        .saturating_add(2)
        .saturating_add(reason.len())
        .saturating_add(1)
        .saturating_add(5)
        .saturating_add(remedy.len())
        .saturating_add(1);
    let mut c = Cursor::new(out);
    let _ = c.put_str("HTTP/1.1 ");
    let _ = c.put_u16(status);
    let _ = c.put_str(" ");
    let _ = c.put_str(reason_phrase(status));
    let _ = c.put_str("\r\n");
    let mut upgrade = false;
    for (name, value) in headers {
        upgrade |= name.eq_ignore_ascii_case("upgrade");
        let _ = c.put_str(name);
        let _ = c.put_str(": ");
        let _ = c.put_str(value);
        let _ = c.put_str("\r\n");
    }
    let _ = c.put_str(CODE_HEADER);
    let _ = c.put_str(": ");
    let _ = c.put_str(code);
    let _ = c.put_str("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ");
    let _ = c.put_u64(body_len as u64);
    let _ = c.put_str(if upgrade {
        "\r\nConnection: Upgrade, close\r\n\r\n"
    } else {
        "\r\nConnection: close\r\n\r\n"
    });
    let _ = c.put_str(code);
    let _ = c.put_str(": ");
    let _ = c.put_str(reason);
    let _ = c.put_str("\nfix: ");
    let _ = c.put_str(remedy);
    let _ = c.put_str("\n");
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_exact_and_too_small() {
        let mut out = [0u8; 1024];
        let n = write_rejection_response(&Rejection::KeyMultiple, &mut out).unwrap();
        let text = core::str::from_utf8(&out[..n]).unwrap();
        let body = "key_multiple: the request has several Sec-WebSocket-Key headers; exactly one is allowed\nfix: send exactly one Sec-WebSocket-Key header\n";
        let expected = std::format!(
            "HTTP/1.1 400 Bad Request\r\nX-Wsguard-Code: key_multiple\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            body.len(),
            body
        );
        assert_eq!(text, expected);
        let mut small = [0u8; 10];
        assert_eq!(
            write_rejection_response(&Rejection::KeyMultiple, &mut small),
            Err(BufferTooSmall { needed: n })
        );
    }
}
