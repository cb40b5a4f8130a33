//! [`Malformed`]: the exact rule a malformed Origin value, Host header or pattern broke,
//! with its stable sub-code, a sentence and the fix.

/// What exactly is wrong with a malformed Origin value (or a Host header, or a pattern).
///
/// `code()` is a stable snake_case sub-code, e.g. `"path"`.
///
/// ```
/// use wsguard_core::origin::{Origin, OriginDenial, Malformed};
/// let err = Origin::parse(b"https://app.example.com/").unwrap_err();
/// assert_eq!(err, OriginDenial::Malformed(Malformed::TrailingSlash));
/// assert_eq!(Malformed::TrailingSlash.code(), "trailing_slash");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Malformed {
    /// The value is empty.
    Empty,
    /// The value is longer than [`MAX_ORIGIN_LEN`](super::MAX_ORIGIN_LEN) bytes.
    TooLong,
    /// No `scheme://` at the start.
    NoScheme,
    /// The scheme is empty or has characters a scheme cannot have.
    BadScheme,
    /// `user@` or `user:pass@` before the host.
    Userinfo,
    /// A path after the host.
    Path,
    /// A lone `/` after the host.
    TrailingSlash,
    /// A `?query`.
    Query,
    /// A `#fragment`.
    Fragment,
    /// Spaces or tabs.
    Whitespace,
    /// Control bytes (below 0x20 or 0x7f).
    Control,
    /// A `%` (percent-encoding) in the host.
    Percent,
    /// A backslash.
    Backslash,
    /// A byte outside ASCII (IDNs must arrive as punycode `xn--`).
    NonAscii,
    /// Nothing between `://` and the port or the end.
    EmptyHost,
    /// A character a host name cannot have.
    BadHost,
    /// An IPv4 address not written as the canonical dotted quad.
    Ipv4Noncanonical,
    /// An IPv6 address not written in bracketed RFC 5952 form.
    Ipv6Noncanonical,
    /// An IPv6 zone id (`%eth0`).
    ZoneId,
    /// The host ends with a dot.
    TrailingDot,
    /// Two dots in a row or a leading dot.
    EmptyLabel,
    /// A host label longer than 63 bytes.
    LabelTooLong,
    /// A host longer than 253 bytes.
    HostTooLong,
    /// A `:` with no port after it.
    PortEmpty,
    /// The port has characters other than digits.
    PortInvalid,
    /// Port 0.
    PortZero,
    /// A port above 65535.
    PortRange,
    /// A port with leading zeros (`:0443`).
    PortLeadingZero,
}

impl Malformed {
    /// Parses a sub-code back (for bindings and vector runners).
    ///
    /// ```
    /// use wsguard_core::origin::Malformed;
    /// assert_eq!(Malformed::from_code("path"), Some(Malformed::Path));
    /// ```
    pub fn from_code(code: &str) -> Option<Malformed> {
        Malformed::ALL.iter().copied().find(|m| m.code() == code)
    }
}

crate::diag::diagnostics! {
    Malformed in "wsguard_core::origin" const display {
    }
    Empty => {
        code: "empty",
        reason: "the value is empty; an origin is scheme://host[:port]",
        remedy: "send (or configure) a full origin such as `https://app.example.com` or `http://localhost:3000`",
    },
    TooLong => {
        code: "too_long",
        reason: "the value is longer than 512 bytes, far longer than any real origin",
        remedy: "send the page's origin only: scheme://host[:port]",
    },
    NoScheme => {
        code: "no_scheme",
        reason: "the value has no `scheme://` prefix (e.g. `example.com` or `localhost:3000`); an origin always starts with its scheme",
        remedy: "send (or configure) a full origin such as `https://app.example.com` or `http://localhost:3000`",
    },
    BadScheme => {
        code: "bad_scheme",
        reason: "the scheme before `://` is empty or has characters a URL scheme cannot have",
        remedy: "send (or configure) a full origin such as `https://app.example.com` or `http://localhost:3000`",
    },
    Userinfo => {
        code: "userinfo",
        reason: "the value has a user name or password (`user@host`); an origin never carries credentials",
        remedy: "remove `user@` / `user:password@` from the origin",
    },
    Path => {
        code: "path",
        reason: "the value names a path (`https://app.example.com/app`); browsers send only scheme://host[:port]",
        remedy: "keep only scheme://host[:port], e.g. `https://app.example.com` instead of `https://app.example.com/`",
    },
    TrailingSlash => {
        code: "trailing_slash",
        reason: "the value ends with `/` (`https://app.example.com/`); browsers send only scheme://host[:port], without a slash",
        remedy: "keep only scheme://host[:port], e.g. `https://app.example.com` instead of `https://app.example.com/`",
    },
    Query => {
        code: "query",
        reason: "the value has a `?query`; browsers send only scheme://host[:port]",
        remedy: "keep only scheme://host[:port], e.g. `https://app.example.com` instead of `https://app.example.com/`",
    },
    Fragment => {
        code: "fragment",
        reason: "the value has a `#fragment`; browsers send only scheme://host[:port]",
        remedy: "keep only scheme://host[:port], e.g. `https://app.example.com` instead of `https://app.example.com/`",
    },
    Whitespace => {
        code: "whitespace",
        reason: "the value contains spaces or tabs; a serialized origin never does",
        remedy: "remove the spaces and control characters around or inside the origin",
    },
    Control => {
        code: "control",
        reason: "the value contains control bytes (below 0x20 or 0x7f)",
        remedy: "remove the spaces and control characters around or inside the origin",
    },
    Percent => {
        code: "percent",
        reason: "the host contains `%` (percent-encoding); browsers send hosts decoded and in punycode",
        remedy: "write the host as the browser shows it in the address bar, e.g. `app.example.com`",
    },
    Backslash => {
        code: "backslash",
        reason: "the value contains a backslash; browsers never send one in an origin",
        remedy: "write the host as the browser shows it in the address bar, e.g. `app.example.com`",
    },
    NonAscii => {
        code: "non_ascii",
        reason: "the value contains non-ASCII bytes; browsers send international domain names as punycode (`xn--…`)",
        remedy: "write international domain names in punycode, e.g. `https://xn--bcher-kva.example`",
    },
    EmptyHost => {
        code: "empty_host",
        reason: "there is no host after `://`",
        remedy: "write a complete host name such as `app.example.com`",
    },
    BadHost => {
        code: "bad_host",
        reason: "the host contains a character a host name cannot have (only letters, digits, `-`, `_` and `.`)",
        remedy: "write the host as the browser shows it in the address bar, e.g. `app.example.com`",
    },
    Ipv4Noncanonical => {
        code: "ipv4_noncanonical",
        reason: "the IPv4 address is not the canonical dotted quad (short, integer, hex, octal, zero-padded or out of range)",
        remedy: "write the IPv4 address as four decimal numbers without leading zeros, e.g. `127.0.0.1`",
    },
    Ipv6Noncanonical => {
        code: "ipv6_noncanonical",
        reason: "the IPv6 address is not the bracketed RFC 5952 form browsers send (`[::1]`, `[2001:db8::1]`)",
        remedy: "write the IPv6 address in brackets, compressed and without zone id, e.g. `http://[::1]:3000`",
    },
    ZoneId => {
        code: "zone_id",
        reason: "the IPv6 address has a zone id (`%eth0`); origins never carry one",
        remedy: "write the IPv6 address in brackets, compressed and without zone id, e.g. `http://[::1]:3000`",
    },
    TrailingDot => {
        code: "trailing_dot",
        reason: "the host ends with a dot (`example.com.`); browsers send it without",
        remedy: "remove the dot at the end of the host",
    },
    EmptyLabel => {
        code: "empty_label",
        reason: "the host has an empty label (a leading dot or two dots in a row)",
        remedy: "write a complete host name such as `app.example.com`",
    },
    LabelTooLong => {
        code: "label_too_long",
        reason: "a host label is longer than 63 bytes, the DNS limit",
        remedy: "use a real DNS host name (labels up to 63 bytes, 253 in total)",
    },
    HostTooLong => {
        code: "host_too_long",
        reason: "the host is longer than 253 bytes, the DNS limit",
        remedy: "use a real DNS host name (labels up to 63 bytes, 253 in total)",
    },
    PortEmpty => {
        code: "port_empty",
        reason: "there is a `:` after the host but no port",
        remedy: "write the port as a number from 1 to 65535 without leading zeros, or leave it out for the default port",
    },
    PortInvalid => {
        code: "port_invalid",
        reason: "the port contains characters other than digits",
        remedy: "write the port as a number from 1 to 65535 without leading zeros, or leave it out for the default port",
    },
    PortZero => {
        code: "port_zero",
        reason: "the port is 0, which no server listens on",
        remedy: "write the port as a number from 1 to 65535 without leading zeros, or leave it out for the default port",
    },
    PortRange => {
        code: "port_range",
        reason: "the port is above 65535",
        remedy: "write the port as a number from 1 to 65535 without leading zeros, or leave it out for the default port",
    },
    PortLeadingZero => {
        code: "port_leading_zero",
        reason: "the port has leading zeros (`:08080`); browsers never send them",
        remedy: "write the port as a number from 1 to 65535 without leading zeros, or leave it out for the default port",
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_codes_round_trip() {
        for &m in Malformed::ALL {
            assert_eq!(Malformed::from_code(m.code()), Some(m));
        }
    }
}
