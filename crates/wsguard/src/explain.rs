//! The explain exchange for std guards: answers `GET <path>?wsguard-explain=1&…` with the
//! core's verdict on the upgrade the request describes (see `wsguard_core::explain` and
//! docs/EXPLAIN.md). Stateless; never reveals the allowlist or a token value.

use crate::guard::Guard;
use wsguard_core::explain::{self, ExplainQuery, Mode};

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
            match explain::write_answer(&verdict, mode, &mut out) {
                Ok(n) => Some(n),
                Err(e) => {
                    out.resize(e.needed, 0);
                    explain::write_answer(&verdict, mode, &mut out).ok()
                }
            }
        })?;
        out.truncate(n);
        Some(out)
    }
}
