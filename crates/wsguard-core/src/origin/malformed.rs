//! [`Malformed`]: the exact rule a malformed Origin value, Host header or pattern broke,
//! with its stable sub-code, a sentence and the fix.

use crate::Diagnostic;
use core::fmt;

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
    /// Stable sub-code, e.g. `"path"`, `"ipv4_noncanonical"`.
    ///
    /// ```
    /// assert_eq!(wsguard_core::origin::Malformed::ZoneId.code(), "zone_id");
    /// ```
    pub const fn code(&self) -> &'static str {
        use Malformed::*;
        match self {
            Empty => "empty",
            TooLong => "too_long",
            NoScheme => "no_scheme",
            BadScheme => "bad_scheme",
            Userinfo => "userinfo",
            Path => "path",
            TrailingSlash => "trailing_slash",
            Query => "query",
            Fragment => "fragment",
            Whitespace => "whitespace",
            Control => "control",
            Percent => "percent",
            Backslash => "backslash",
            NonAscii => "non_ascii",
            EmptyHost => "empty_host",
            BadHost => "bad_host",
            Ipv4Noncanonical => "ipv4_noncanonical",
            Ipv6Noncanonical => "ipv6_noncanonical",
            ZoneId => "zone_id",
            TrailingDot => "trailing_dot",
            EmptyLabel => "empty_label",
            LabelTooLong => "label_too_long",
            HostTooLong => "host_too_long",
            PortEmpty => "port_empty",
            PortInvalid => "port_invalid",
            PortZero => "port_zero",
            PortRange => "port_range",
            PortLeadingZero => "port_leading_zero",
        }
    }

    /// Parses a sub-code back (for bindings and vector runners).
    ///
    /// ```
    /// use wsguard_core::origin::Malformed;
    /// assert_eq!(Malformed::from_code("path"), Some(Malformed::Path));
    /// ```
    pub fn from_code(code: &str) -> Option<Malformed> {
        ALL_MALFORMED.iter().copied().find(|m| m.code() == code)
    }

    /// One sentence saying what is wrong.
    pub const fn reason(&self) -> &'static str {
        use Malformed::*;
        match self {
            Empty => "the value is empty; an origin is scheme://host[:port]",
            TooLong => "the value is longer than 512 bytes, far longer than any real origin",
            NoScheme => "the value has no `scheme://` prefix (e.g. `example.com` or `localhost:3000`); an origin always starts with its scheme",
            BadScheme => "the scheme before `://` is empty or has characters a URL scheme cannot have",
            Userinfo => "the value has a user name or password (`user@host`); an origin never carries credentials",
            Path => "the value names a path (`https://app.example.com/app`); browsers send only scheme://host[:port]",
            TrailingSlash => "the value ends with `/` (`https://app.example.com/`); browsers send only scheme://host[:port], without a slash",
            Query => "the value has a `?query`; browsers send only scheme://host[:port]",
            Fragment => "the value has a `#fragment`; browsers send only scheme://host[:port]",
            Whitespace => "the value contains spaces or tabs; a serialized origin never does",
            Control => "the value contains control bytes (below 0x20 or 0x7f)",
            Percent => "the host contains `%` (percent-encoding); browsers send hosts decoded and in punycode",
            Backslash => "the value contains a backslash; browsers never send one in an origin",
            NonAscii => "the value contains non-ASCII bytes; browsers send international domain names as punycode (`xn--…`)",
            EmptyHost => "there is no host after `://`",
            BadHost => "the host contains a character a host name cannot have (only letters, digits, `-`, `_` and `.`)",
            Ipv4Noncanonical => "the IPv4 address is not the canonical dotted quad (short, integer, hex, octal, zero-padded or out of range)",
            Ipv6Noncanonical => "the IPv6 address is not the bracketed RFC 5952 form browsers send (`[::1]`, `[2001:db8::1]`)",
            ZoneId => "the IPv6 address has a zone id (`%eth0`); origins never carry one",
            TrailingDot => "the host ends with a dot (`example.com.`); browsers send it without",
            EmptyLabel => "the host has an empty label (a leading dot or two dots in a row)",
            LabelTooLong => "a host label is longer than 63 bytes, the DNS limit",
            HostTooLong => "the host is longer than 253 bytes, the DNS limit",
            PortEmpty => "there is a `:` after the host but no port",
            PortInvalid => "the port contains characters other than digits",
            PortZero => "the port is 0, which no server listens on",
            PortRange => "the port is above 65535",
            PortLeadingZero => "the port has leading zeros (`:08080`); browsers never send them",
        }
    }

    /// What to write instead.
    pub const fn remedy(&self) -> &'static str {
        use Malformed::*;
        match self {
            Empty | NoScheme | BadScheme => "send (or configure) a full origin such as `https://app.example.com` or `http://localhost:3000`",
            TooLong => "send the page's origin only: scheme://host[:port]",
            Userinfo => "remove `user@` / `user:password@` from the origin",
            Path | TrailingSlash | Query | Fragment => "keep only scheme://host[:port], e.g. `https://app.example.com` instead of `https://app.example.com/`",
            Whitespace | Control => "remove the spaces and control characters around or inside the origin",
            Percent | Backslash | BadHost => "write the host as the browser shows it in the address bar, e.g. `app.example.com`",
            NonAscii => "write international domain names in punycode, e.g. `https://xn--bcher-kva.example`",
            EmptyHost | EmptyLabel => "write a complete host name such as `app.example.com`",
            Ipv4Noncanonical => "write the IPv4 address as four decimal numbers without leading zeros, e.g. `127.0.0.1`",
            Ipv6Noncanonical | ZoneId => "write the IPv6 address in brackets, compressed and without zone id, e.g. `http://[::1]:3000`",
            TrailingDot => "remove the dot at the end of the host",
            LabelTooLong | HostTooLong => "use a real DNS host name (labels up to 63 bytes, 253 in total)",
            PortEmpty | PortInvalid | PortZero | PortRange | PortLeadingZero => "write the port as a number from 1 to 65535 without leading zeros, or leave it out for the default port",
        }
    }
}

impl Diagnostic for Malformed {
    fn code(&self) -> &'static str {
        Malformed::code(self)
    }
    fn reason(&self) -> &'static str {
        Malformed::reason(self)
    }
    fn remedy(&self) -> &'static str {
        Malformed::remedy(self)
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

const ALL_MALFORMED: [Malformed; 28] = {
    use Malformed::*;
    [
        Empty,
        TooLong,
        NoScheme,
        BadScheme,
        Userinfo,
        Path,
        TrailingSlash,
        Query,
        Fragment,
        Whitespace,
        Control,
        Percent,
        Backslash,
        NonAscii,
        EmptyHost,
        BadHost,
        Ipv4Noncanonical,
        Ipv6Noncanonical,
        ZoneId,
        TrailingDot,
        EmptyLabel,
        LabelTooLong,
        HostTooLong,
        PortEmpty,
        PortInvalid,
        PortZero,
        PortRange,
        PortLeadingZero,
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_codes_round_trip() {
        for m in ALL_MALFORMED {
            assert_eq!(Malformed::from_code(m.code()), Some(m));
        }
    }
}
