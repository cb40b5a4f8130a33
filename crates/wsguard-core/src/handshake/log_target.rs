//! The request target as a log line may show it: escaped, and with the token redacted.
//!
//! A refused `/ws?token=SECRET` must not put `SECRET` into a log file. The core knows
//! where the token lives ([`TokenConfig::query`]), so it is the core that hides it:
//! [`TokenConfig::log_target`] writes the target through [`escaped`] and replaces the
//! value of the configured query parameter — and of the conventional `token` and
//! `access_token` parameters, which carry secrets even when the guard does not read
//! them — with `[redacted]`.

use super::config::TokenConfig;
use crate::text::escaped;
use core::fmt;

/// Query parameters always redacted, whatever the token configuration says.
pub const ALWAYS_REDACTED: [&str; 2] = ["token", "access_token"];

/// A [`Display`](fmt::Display) view of a request target for logs (see
/// [`TokenConfig::log_target`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogTarget<'t, 'c> {
    target: &'t [u8],
    query_name: Option<&'c str>,
}

impl<'c> TokenConfig<'c> {
    /// The request target as a log line may show it: control characters escaped and
    /// query tokens replaced by `[redacted]`.
    ///
    /// ```
    /// use wsguard_core::handshake::TokenConfig;
    /// # extern crate std; use std::string::ToString;
    /// let cfg = TokenConfig::DISABLED.query("auth");
    /// let line = cfg.log_target(b"/ws?room=1&auth=SECRET&token=T2%0d\r\n").to_string();
    /// assert_eq!(line, "/ws?room=1&auth=[redacted]&token=[redacted]");
    /// ```
    pub fn log_target<'t>(&self, target: &'t [u8]) -> LogTarget<'t, 'c> {
        LogTarget {
            target,
            query_name: self.query,
        }
    }
}

impl LogTarget<'_, '_> {
    fn secret(&self, name: &[u8]) -> bool {
        self.query_name.is_some_and(|q| q.as_bytes() == name)
            || ALWAYS_REDACTED.iter().any(|n| n.as_bytes() == name)
    }
}

impl fmt::Display for LogTarget<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, query) = match self.target.iter().position(|&b| b == b'?') {
            Some(q) => (
                self.target.get(..q).unwrap_or(&[]),
                self.target.get(q + 1..),
            ),
            None => (self.target, None),
        };
        write!(f, "{}", escaped(path))?;
        let Some(query) = query else {
            return Ok(());
        };
        f.write_str("?")?;
        for (i, pair) in query.split(|&b| b == b'&').enumerate() {
            if i > 0 {
                f.write_str("&")?;
            }
            match pair.iter().position(|&b| b == b'=') {
                Some(eq) if self.secret(pair.get(..eq).unwrap_or(&[])) => {
                    write!(f, "{}=[redacted]", escaped(pair.get(..eq).unwrap_or(&[])))?
                }
                _ => write!(f, "{}", escaped(pair))?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn no_query_and_escapes() {
        let cfg = TokenConfig::DISABLED;
        assert_eq!(cfg.log_target(b"/ws\r\nX: y").to_string(), "/ws\\r\\nX: y");
        assert_eq!(cfg.log_target(b"/a?b").to_string(), "/a?b");
        assert_eq!(
            cfg.log_target(b"/a?access_token=s&x=\x1b").to_string(),
            "/a?access_token=[redacted]&x=\\x1b"
        );
    }

    #[test]
    fn a_name_without_value_or_a_lookalike_is_kept() {
        let cfg = TokenConfig::DISABLED.query("t");
        assert_eq!(
            cfg.log_target(b"/?t&tt=1&t=2").to_string(),
            "/?t&tt=1&t=[redacted]"
        );
    }
}
