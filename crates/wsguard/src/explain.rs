//! The explain exchange for std guards: answers `GET <path>?wsguard-explain=1&…` with the
//! core's verdict on the upgrade the request describes (see `wsguard_core::explain` and
//! docs/EXPLAIN.md). Stateless; never reveals the allowlist or a token value.
//!
//! Three ways in, all answered with the core's bytes:
//!
//! * [`Guard::explain_answer`] — from the pieces (path, `Host`, `Origin`, query), for a
//!   server whose HTTP library already parsed the request;
//! * [`Guard::explain_head`] — from a head parsed by [`Guard::parse_head`] (one parse,
//!   then route);
//! * `wsguard::tokio::accept_or_explain` (feature `tokio`) — a tokio server's accept
//!   loop: the upgrade goes to tokio-tungstenite, the explain request is answered and
//!   the connection closed.

use crate::guard::Guard;
use wsguard_core::explain::{self, ExplainQuery, Mode};
use wsguard_core::handshake::{Header, RequestHead, EMPTY_HEADER, MAX_HEADERS};
use wsguard_core::Status;

impl Guard {
    /// The whole HTTP answer (status line, CORS headers, JSON body) to an explain request,
    /// or `None` when `query` is not one (or `mode` is [`Mode::Off`]): serve it normally.
    /// `host` and `origin` are the request's `Host` and `Origin` header values.
    ///
    /// ```
    /// use wsguard_core::explain::Mode;
    /// let g = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// let a = g.explain_answer("/ws", "127.0.0.1:9", Some(b"https://evil.example"), "wsguard-explain=1", Mode::Public).unwrap();
    /// let text = String::from_utf8(a).unwrap();
    /// assert!(text.starts_with("HTTP/1.1 200 OK\r\n") && text.contains("\"ok\":false"));
    /// assert!(g.explain_answer("/ws", "h", None, "room=1", Mode::Public).is_none());
    /// ```
    pub fn explain_answer(
        &self,
        path: &str,
        host: &str,
        origin: Option<&[u8]>,
        query: &str,
        mode: Mode,
    ) -> Option<Vec<u8>> {
        if mode == Mode::Off {
            return None;
        }
        let q = ExplainQuery::parse(query)?;
        let parts = self.parts();
        let mut out = vec![0u8; 1024];
        let n = parts.with_server_config(|config| {
            let mut scratch = vec![0u8; 2048];
            let verdict = explain::explain(config, path, host, origin, &q, &mut scratch);
            wsguard_core::write_growing(
                &mut out,
                1 << 20,
                |b, n| b.resize(n, 0),
                |buf| explain::write_answer(&verdict, mode, buf),
            )
            .ok()
        })?;
        out.truncate(n);
        Some(out)
    }

    /// The answer to a parsed request head when it is an explain request (`GET`, the
    /// `wsguard-explain` parameter, `mode` not [`Mode::Off`]); `None` otherwise — route
    /// the head on (e.g. to [`Guard::check_head`]). The first `Host` and `Origin`
    /// headers are the facts; a head without `Host` is explained as such by the core.
    ///
    /// ```
    /// use wsguard_core::{explain::Mode, handshake::EMPTY_HEADER, Status};
    /// let mut cfg = wsguard::GuardConfig::default();
    /// cfg.origin.allowed = vec!["https://app.example.com".into()];
    /// let g = wsguard::Guard::new(cfg).unwrap();
    /// let mut headers = [EMPTY_HEADER; 16];
    /// let raw = b"GET /ws?wsguard-explain=1&token=none HTTP/1.1\r\nHost: api.example.com\r\nOrigin: https://evil.example\r\n\r\n";
    /// let Ok(Status::Complete(head)) = g.parse_head(raw, &mut headers) else { panic!() };
    /// let answer = String::from_utf8(g.explain_head(&head, Mode::Public).unwrap()).unwrap();
    /// assert!(answer.ends_with(r#""code":"origin_host","status":403,"reason":"the Origin's host is not in the allowed origins"}"#));
    /// assert!(g.explain_head(&head, Mode::Off).is_none());
    /// ```
    pub fn explain_head(&self, head: &RequestHead<'_, '_>, mode: Mode) -> Option<Vec<u8>> {
        if head.method != "GET" {
            return None;
        }
        let (path, query) = head.target.split_once('?')?;
        let first = |name: &str| {
            head.headers
                .iter()
                .find(|h: &&Header<'_>| h.name.eq_ignore_ascii_case(name))
                .map(|h| h.value)
        };
        let host = first("host").and_then(|h| std::str::from_utf8(h).ok());
        self.explain_answer(path, host.unwrap_or(""), first("origin"), query, mode)
    }

    /// [`Guard::explain_head`] on raw bytes: the answer when `head` is a complete explain
    /// request, `None` otherwise (incomplete, not HTTP, not an explain request).
    ///
    /// ```
    /// use wsguard_core::explain::Mode;
    /// let g = wsguard::Guard::new(wsguard::GuardConfig::default()).unwrap();
    /// let raw = b"GET /ws?wsguard-explain=1 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n";
    /// assert!(g.explain_raw(raw, Mode::Full).unwrap().starts_with(b"HTTP/1.1 200 OK\r\n"));
    /// assert!(g.explain_raw(b"GET /ws HTTP/1.1\r\nHost: a\r\n\r\n", Mode::Full).is_none());
    /// ```
    pub fn explain_raw(&self, head: &[u8], mode: Mode) -> Option<Vec<u8>> {
        if mode == Mode::Off {
            return None;
        }
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        let limits = self.parts().with_server_config(|sc| sc.limits);
        match wsguard_core::handshake::parse_request(&limits, head, &mut headers) {
            Ok(Status::Complete(h)) => self.explain_head(&h, mode),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Guard, GuardConfig};
    use wsguard_core::explain::Mode;

    fn guard(token: bool) -> Guard {
        let mut cfg = GuardConfig::default();
        cfg.origin.allowed = vec!["http://127.0.0.1:3000".into()];
        cfg.host.allowed = vec!["127.0.0.1:8080".into()];
        cfg.token.required = token;
        Guard::new(cfg).unwrap()
    }

    fn body(answer: Vec<u8>) -> String {
        let text = String::from_utf8(answer).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(
            head.contains("\r\nAccess-Control-Allow-Origin: *\r\n"),
            "{head}"
        );
        assert!(!head.contains("Allow-Credentials"), "{head}");
        body.to_string()
    }

    const REFUSED: &[u8] = b"GET /ws?wsguard-explain=1&token=none HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nOrigin: http://127.0.0.2:3000\r\n\r\n";

    #[test]
    fn refused_origin_public_full_off() {
        let g = guard(false);
        assert_eq!(
            body(g.explain_raw(REFUSED, Mode::Public).unwrap()),
            r#"{"wsguard":1,"ok":false,"code":"origin_host","status":403,"reason":"the Origin's host is not in the allowed origins"}"#
        );
        let full = body(g.explain_raw(REFUSED, Mode::Full).unwrap());
        assert!(full.starts_with(r#"{"wsguard":1,"ok":false,"code":"origin_host","status":403,"reason":"the Origin's host is not in the allowed origins","remedy":""#), "{full}");
        assert!(
            !full.contains("127.0.0.1:3000") && !full.contains("8080"),
            "allowlist leaked: {full}"
        );
        assert_eq!(g.explain_raw(REFUSED, Mode::Off), None);
    }

    #[test]
    fn same_origin_page_sends_origin_in_the_query() {
        let g = guard(false);
        let raw = b"GET /ws?wsguard-explain=1&origin=http%3A%2F%2F127.0.0.1%3A3000 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
        assert_eq!(
            body(g.explain_raw(raw, Mode::Public).unwrap()),
            r#"{"wsguard":1,"ok":true,"code":"explain_accepted","status":101,"reason":"the server would accept this upgrade; if it still fails, the token value or the application refused it, or a proxy in between did"}"#
        );
        // The browser's Origin header wins over the query.
        let cross = b"GET /ws?wsguard-explain=1&origin=http%3A%2F%2F127.0.0.1%3A3000 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nOrigin: http://127.0.0.2:3000\r\n\r\n";
        assert!(
            body(g.explain_raw(cross, Mode::Public).unwrap()).contains(r#""code":"origin_host""#)
        );
    }

    #[test]
    fn token_placement_and_host() {
        let g = guard(true);
        let none = b"GET /ws?wsguard-explain=1&token=none HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nOrigin: http://127.0.0.1:3000\r\n\r\n";
        assert!(body(g.explain_raw(none, Mode::Public).unwrap())
            .starts_with(r#"{"wsguard":1,"ok":false,"code":"token_missing","status":401,"#));
        let query = b"GET /ws?wsguard-explain=1&token=query:token HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nOrigin: http://127.0.0.1:3000\r\n\r\n";
        assert!(body(g.explain_raw(query, Mode::Public).unwrap())
            .contains(r#""code":"explain_accepted""#));
        let host = b"GET /ws?wsguard-explain=1&token=query:token HTTP/1.1\r\nHost: evil.example:8080\r\nOrigin: http://127.0.0.1:3000\r\n\r\n";
        let b = body(g.explain_raw(host, Mode::Full).unwrap());
        assert!(
            b.contains(r#""status":403"#) && b.contains(r#""code":"host_"#),
            "{b}"
        );
    }

    #[test]
    fn not_explain_requests_pass() {
        let g = guard(false);
        let post = b"POST /ws?wsguard-explain=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(g.explain_raw(post, Mode::Full), None);
        assert_eq!(
            g.explain_raw(b"GET /ws?room=1 HTTP/1.1\r\nHost: a\r\n\r\n", Mode::Full),
            None
        );
        assert_eq!(
            g.explain_raw(
                b"GET /ws?wsguard-explain=1 HTTP/1.1\r\nHost: a\r\n",
                Mode::Full
            ),
            None
        );
    }
}
