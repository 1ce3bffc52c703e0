//! Who sent a request: its peer address, or — when the peer is one of the configured
//! `[serve] trusted_proxies` (a reverse proxy, a load balancer) — the address the proxy names in
//! `X-Forwarded-For`. Feedback's client identity, its rate limit and the search-miss
//! coalescing all read it, so that operators behind a proxy are not one client.

use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

/// The client's address. `X-Forwarded-For` is read from the right, skipping the trusted
/// proxies, and only when the peer itself is trusted: anyone else could write the header.
pub fn client_address(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?.ip();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !trusted.contains(a))
            .unwrap_or(peer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn only_a_trusted_peer_names_the_client() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let peer = |ip: &str| Some(SocketAddr::new(ip.parse().unwrap(), 5000));
        let h = headers("203.0.113.7, 10.0.0.1");
        assert_eq!(
            client_address(&h, peer("10.0.0.1"), &[proxy]),
            Some("203.0.113.7".parse().unwrap())
        );
        // An untrusted peer's header is anyone's to write.
        assert_eq!(
            client_address(&h, peer("192.0.2.9"), &[proxy]),
            Some("192.0.2.9".parse().unwrap())
        );
        // A forged left-most entry is not read past the proxy's own.
        let forged = headers("1.1.1.1, 198.51.100.4");
        assert_eq!(
            client_address(&forged, peer("10.0.0.1"), &[proxy]),
            Some("198.51.100.4".parse().unwrap())
        );
        assert_eq!(client_address(&HeaderMap::new(), None, &[proxy]), None);
    }
}
