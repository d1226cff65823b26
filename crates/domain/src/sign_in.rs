//! Who is trying a password, and whether they may try now.
//!
//! Failed sign-ins are counted per client address and per username at that address, never per username alone:
//! a count per username would let anyone lock a named person out by guessing wrong five times, while a count
//! per address stops one client from trying passwords across many usernames. The right password from another
//! address is never refused because of failures elsewhere.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::net::{IpAddr, Ipv6Addr};

use crate::rules::Rules;

/// Failures older than this are forgiven.
pub const FORGIVEN_AFTER_HOURS: i64 = 24;

/// An address or a network (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`) whose machines are trusted proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    net: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(s: &str) -> Result<IpRange, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let net: IpAddr = addr.parse().map_err(|_| format!("“{s}” is not an IP address or network"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => {
                p.parse::<u8>().ok().filter(|p| *p <= max).ok_or(format!("“{s}”: the prefix must be 0 to {max}"))?
            }
        };
        Ok(IpRange { net, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => same_prefix(&net.octets(), &ip.octets(), self.prefix),
            (IpAddr::V6(net), IpAddr::V6(ip)) => same_prefix(&net.octets(), &ip.octets(), self.prefix),
            _ => false,
        }
    }
}

impl std::fmt::Display for IpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let max = if self.net.is_ipv4() { 32 } else { 128 };
        if self.prefix == max {
            write!(f, "{}", self.net)
        } else {
            write!(f, "{}/{}", self.net, self.prefix)
        }
    }
}

impl Serialize for IpRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IpRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IpRange::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

fn same_prefix(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let (whole, rest) = ((prefix / 8) as usize, prefix % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || (a[whole] ^ b[whole]) >> (8 - rest) == 0
}

/// IPv4 addresses written as IPv6 (`::ffff:192.0.2.1`, as a dual-stack socket reports them) are IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client behind a request: the TCP peer, or — when the peer is a trusted proxy — the last hop of
/// `X-Forwarded-For` (the header's values in order) that is not a trusted proxy. Hops further left are
/// whatever the client claimed and are ignored. A hop that is not an address ends the walk at the proxy that
/// wrote it, and when every hop is a trusted proxy the leftmost one is the client.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpRange]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
    let mut client = canonical(peer);
    if !is_trusted(client) {
        return client;
    }
    let hops = forwarded_for.iter().flat_map(|v| v.split(',')).map(str::trim).filter(|h| !h.is_empty());
    let hops: Vec<&str> = hops.collect();
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else { return client };
        client = canonical(ip);
        if !is_trusted(client) {
            return client;
        }
    }
    client
}

/// A forwarded hop: an address, possibly with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    hop.rsplit_once(':').and_then(|(ip, port)| port.parse::<u16>().ok().and(ip.parse().ok()))
}

/// The key failures from `ip` are counted under. An IPv6 client usually holds a whole /64, so its addresses
/// count together.
pub fn address_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => format!("ip {v4}"),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("ip {}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

/// The key failures for `username` from `ip` are counted under.
pub fn account_key(username: &str, ip: IpAddr) -> String {
    format!("user {username} from {}", address_key(ip))
}

/// A stored count of failed sign-ins and when the last one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last: DateTime<Utc>,
}

/// Seconds to wait before a sign-in may be tried with these counts (per username and address, per address),
/// or `None` when it may be tried now.
pub fn wait(rules: &Rules, account: Option<Failures>, address: Option<Failures>, now: DateTime<Utc>) -> Option<u64> {
    let pending = |f: Option<Failures>, free: u32| -> Option<i64> {
        let f = f.filter(|f| now - f.last < Duration::hours(FORGIVEN_AFTER_HOURS))?;
        let ready = f.last + Duration::seconds(rules.sign_in_delay_after(free, f.count) as i64);
        (now < ready).then(|| (ready - now).num_seconds().max(1))
    };
    let account = pending(account, rules.sign_in_free_failures);
    let address = pending(address, rules.sign_in_address_free_failures);
    account.into_iter().chain(address).max().map(|s| s as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn ranges(list: &[&str]) -> Vec<IpRange> {
        list.iter().map(|r| IpRange::parse(r).unwrap()).collect()
    }

    #[test]
    fn ranges_parse_and_match() {
        let r = IpRange::parse("10.0.0.0/8").unwrap();
        assert!(r.contains(ip("10.200.3.4")) && !r.contains(ip("11.0.0.1")));
        assert!(r.contains(ip("::ffff:10.1.1.1")), "IPv4-mapped IPv6 is IPv4");
        let r = IpRange::parse("192.168.1.0/23").unwrap();
        assert!(r.contains(ip("192.168.0.255")) && !r.contains(ip("192.168.2.0")));
        assert!(IpRange::parse("::1").unwrap().contains(ip("::1")));
        assert!(IpRange::parse("fd00::/8").unwrap().contains(ip("fd12::3")));
        assert!(IpRange::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.1")));
        for bad in ["", "10.0.0.0/33", "example.org", "10.0.0.0/x", "::/129"] {
            assert!(IpRange::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(IpRange::parse("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(IpRange::parse("127.0.0.1").unwrap().to_string(), "127.0.0.1");
    }

    #[test]
    fn the_peer_is_the_client_unless_it_is_a_trusted_proxy() {
        let none: Vec<IpRange> = vec![];
        assert_eq!(client_address(ip("203.0.113.5"), &["198.51.100.1"], &none), ip("203.0.113.5"));
        let trusted = ranges(&["10.0.0.0/8"]);
        assert_eq!(client_address(ip("203.0.113.5"), &["198.51.100.1"], &trusted), ip("203.0.113.5"));
    }

    #[test]
    fn behind_proxies_the_last_untrusted_hop_is_the_client() {
        let trusted = ranges(&["10.0.0.0/8", "127.0.0.1"]);
        let peer = ip("127.0.0.1");
        // The client may claim anything to the left of the hop our proxies saw.
        assert_eq!(client_address(peer, &["1.2.3.4, 203.0.113.9, 10.0.0.2"], &trusted), ip("203.0.113.9"));
        assert_eq!(client_address(peer, &["1.2.3.4", "203.0.113.9, 10.0.0.2"], &trusted), ip("203.0.113.9"));
        assert_eq!(client_address(peer, &["203.0.113.9:5123"], &trusted), ip("203.0.113.9"));
        assert_eq!(client_address(peer, &["[2001:db8::7]:443"], &trusted), ip("2001:db8::7"));
        // No header, or only proxies: the leftmost proxy.
        assert_eq!(client_address(peer, &[], &trusted), peer);
        assert_eq!(client_address(peer, &["10.0.0.3, 10.0.0.2"], &trusted), ip("10.0.0.3"));
        // Garbage stops the walk at the proxy that wrote it.
        assert_eq!(client_address(peer, &["203.0.113.9, unknown, 10.0.0.2"], &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        assert_eq!(address_key(ip("2001:db8:1:2:aaaa::1")), address_key(ip("2001:db8:1:2:bbbb::9")));
        assert_ne!(address_key(ip("2001:db8:1:2::1")), address_key(ip("2001:db8:1:3::1")));
        assert_eq!(address_key(ip("::ffff:192.0.2.1")), "ip 192.0.2.1");
        assert_eq!(account_key("admin", ip("192.0.2.1")), "user admin from ip 192.0.2.1");
    }

    #[test]
    fn waits_follow_the_larger_count_and_are_forgiven_after_a_day() {
        let r = Rules::default();
        let now = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").unwrap().with_timezone(&Utc);
        let f = |count, secs_ago| Some(Failures { count, last: now - Duration::seconds(secs_ago) });
        assert_eq!(wait(&r, None, None, now), None);
        assert_eq!(wait(&r, f(4, 0), f(4, 0), now), None, "four failures are free");
        assert_eq!(wait(&r, f(5, 0), f(5, 0), now), Some(30));
        assert_eq!(wait(&r, f(5, 10), f(5, 10), now), Some(20));
        assert_eq!(wait(&r, f(5, 30), f(5, 30), now), None);
        assert_eq!(wait(&r, f(6, 0), None, now), Some(60));
        // One address trying many usernames: each name once, twenty together.
        assert_eq!(wait(&r, f(1, 0), f(19, 0), now), None);
        assert_eq!(wait(&r, f(1, 0), f(20, 0), now), Some(30));
        assert_eq!(wait(&r, None, f(21, 0), now), Some(60));
        assert_eq!(wait(&r, f(40, 86_400), f(40, 86_400), now), None, "forgiven after a day");
    }
}
