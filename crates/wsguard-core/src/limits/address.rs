//! Grouping of client addresses for [`PeerLimits::max_per_address`](super::PeerLimits):
//! one IPv4 address (/32), or one IPv6 /64 (what one subscriber or one host usually holds;
//! counting single IPv6 addresses would let one host open 2^64 "different" clients).

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The group a client address is counted in: IPv4 /32, IPv6 /64. An IPv4-mapped IPv6
/// address (`::ffff:192.0.2.1`, what a dual-stack socket reports) counts as its IPv4.
///
/// ```
/// use wsguard_core::limits::AddressKey;
/// let a: std::net::IpAddr = "2001:db8:1:2::1".parse().unwrap();
/// let b: std::net::IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
/// assert_eq!(AddressKey::of(a), AddressKey::of(b));
/// assert_eq!(AddressKey::of(a).to_string(), "2001:db8:1:2::/64");
/// let m: std::net::IpAddr = "::ffff:192.0.2.1".parse().unwrap();
/// assert_eq!(AddressKey::of(m).to_string(), "192.0.2.1/32");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AddressKey {
    /// One IPv4 address.
    V4([u8; 4]),
    /// The first 64 bits of an IPv6 address.
    V6([u8; 8]),
}

impl AddressKey {
    /// The group of `ip`.
    ///
    /// ```
    /// use wsguard_core::limits::AddressKey;
    /// let ip = std::net::IpAddr::from([127, 0, 0, 1]);
    /// assert_eq!(AddressKey::of(ip), AddressKey::V4([127, 0, 0, 1]));
    /// ```
    pub const fn of(ip: IpAddr) -> AddressKey {
        match ip {
            IpAddr::V4(v4) => AddressKey::V4(v4.octets()),
            IpAddr::V6(v6) => {
                let o = v6.octets();
                // ::ffff:a.b.c.d (RFC 4291 §2.5.5.2).
                let mapped = matches!(o, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ..]);
                if mapped {
                    AddressKey::V4([o[12], o[13], o[14], o[15]])
                } else {
                    AddressKey::V6([o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]])
                }
            }
        }
    }
}

impl fmt::Display for AddressKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressKey::V4(o) => write!(f, "{}/32", Ipv4Addr::from(*o)),
            AddressKey::V6(p) => {
                let mut o = [0u8; 16];
                o[..8].copy_from_slice(p);
                write!(f, "{}/64", Ipv6Addr::from(o))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    fn key(s: &str) -> AddressKey {
        AddressKey::of(s.parse().unwrap())
    }

    #[test]
    fn groups() {
        assert_ne!(key("192.0.2.1"), key("192.0.2.2"));
        assert_eq!(key("2001:db8::1"), key("2001:db8::ffff:1"));
        assert_ne!(key("2001:db8:0:1::1"), key("2001:db8:0:2::1"));
        assert_eq!(key("::ffff:10.0.0.1"), key("10.0.0.1"));
        assert_eq!(key("::1").to_string(), "::/64");
        assert_eq!(key("fe80::1:2:3:4").to_string(), "fe80::/64");
        assert_eq!(key("10.1.2.3").to_string(), "10.1.2.3/32");
        // ::a.b.c.d (deprecated IPv4-compatible) is not mapped: it stays IPv6.
        assert_eq!(key("::10.0.0.1"), AddressKey::V6([0; 8]));
    }
}
