//! The SSRF guard: which addresses WebFetch may connect to. A host is resolved first and every
//! address it resolves to is checked, so a name that points at 127.0.0.1 is refused like the
//! address itself; the connection then goes to the checked address only (no second lookup).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Why an address is not public, or `None` when it is.
pub fn private_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_kind(v4);
            }
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if first & 0xfe00 == 0xfc00 {
                Some("private (unique local)")
            } else if first & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if v6.is_multicast() {
                Some("multicast")
            } else if first == 0x64 && v6.segments()[1] == 0xff9b {
                // NAT64 embeds an IPv4 address in the last 32 bits.
                let [.., a, b] = v6.segments();
                v4_kind(Ipv4Addr::from(((a as u32) << 16) | b as u32))
            } else {
                None
            }
        }
    }
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip == Ipv4Addr::new(169, 254, 169, 254) {
        Some("the cloud metadata service")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_private() {
        Some("private")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (CGNAT)")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_broadcast() || ip.is_multicast() || a >= 240 {
        Some("broadcast, multicast or reserved")
    } else {
        None
    }
}

/// Resolves `host` and returns an address to connect to, refusing private ones unless
/// `allowed` (a rule names the host). `Err` is the message for the model.
pub async fn checked_address(host: &str, port: u16, allowed: bool) -> Result<SocketAddr, String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| format!("cannot resolve the host {host}: {e}"))?
            .collect(),
    };
    let Some(first) = addresses.first().copied() else {
        return Err(format!("the host {host} resolves to no address"));
    };
    if !allowed {
        for address in &addresses {
            if let Some(kind) = private_kind(address.ip()) {
                return Err(format!(
                    "{host} resolves to {} ({kind}), which WebFetch does not reach unless the \
                     user allows the host (a rule such as 'WebFetch(domain:{bare})')",
                    address.ip()
                ));
            }
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_ranges_are_named() {
        let kind = |text: &str| private_kind(text.parse().unwrap());
        assert_eq!(kind("127.0.0.1"), Some("loopback"));
        assert_eq!(kind("10.1.2.3"), Some("private"));
        assert_eq!(kind("172.16.0.1"), Some("private"));
        assert_eq!(kind("192.168.1.1"), Some("private"));
        assert_eq!(kind("169.254.169.254"), Some("the cloud metadata service"));
        assert_eq!(kind("169.254.1.1"), Some("link-local"));
        assert_eq!(kind("100.64.0.1"), Some("shared (CGNAT)"));
        assert_eq!(kind("0.0.0.0"), Some("unspecified"));
        assert_eq!(kind("::1"), Some("loopback"));
        assert_eq!(kind("fd00::1"), Some("private (unique local)"));
        assert_eq!(kind("fe80::1"), Some("link-local"));
        assert_eq!(kind("::ffff:127.0.0.1"), Some("loopback"));
        assert_eq!(kind("64:ff9b::a00:1"), Some("private"));
        assert_eq!(kind("93.184.216.34"), None);
        assert_eq!(kind("2606:2800:220:1::1"), None);
    }

    #[tokio::test]
    async fn names_are_checked_after_resolution() {
        let refused = checked_address("localhost", 80, false).await.unwrap_err();
        assert!(refused.contains("loopback"), "{refused}");
        assert!(checked_address("localhost", 80, true).await.is_ok());
        let metadata = checked_address("169.254.169.254", 80, false)
            .await
            .unwrap_err();
        assert!(metadata.contains("metadata"), "{metadata}");
    }
}
