//! The networks a class can be served on (研修を開く): this PC's adapters by
//! the names Windows shows (Wi-Fi, イーサネット) with their addresses, the
//! one the PC's default route leaves by first. Never every address at once
//! without saying so: the trainer picks the room's network.

use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr};

/// An adapter as the system reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adapter {
    /// The name staff know it by (Windows' friendly name, else the system's).
    pub name: String,
    pub addresses: Vec<IpAddr>,
    /// The PC's default route leaves by it.
    pub default_route: bool,
    pub up: bool,
}

/// A network the class may be served on, as the screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassNetwork {
    pub adapter: String,
    pub address: IpAddr,
    /// Listed first and chosen unless staff choose another.
    pub default_route: bool,
}

/// Whether attendees' PCs in a room could reach this address: an IPv4
/// address of the PC on a network, not loopback, not the address Windows
/// gives itself when no network answered (169.254.x.x), not "any".
pub(crate) fn reachable_by_a_room(address: &IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => !(v4.is_loopback() || v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast()),
        // Staff type the address from the projector: an IPv6 address is
        // not something to type, and offices' LANs give IPv4.
        IpAddr::V6(_) => false,
    }
}

/// The networks to offer, the default route's first, then by adapter name.
pub fn class_networks(adapters: &[Adapter]) -> Vec<ClassNetwork> {
    let mut networks: Vec<ClassNetwork> = adapters
        .iter()
        .filter(|a| a.up)
        .flat_map(|a| {
            a.addresses.iter().filter(|ip| reachable_by_a_room(ip)).map(|ip| ClassNetwork {
                adapter: a.name.clone(),
                address: *ip,
                default_route: a.default_route,
            })
        })
        .collect();
    networks.sort_by(|a, b| b.default_route.cmp(&a.default_route).then_with(|| a.adapter.cmp(&b.adapter)).then(a.address.cmp(&b.address)));
    networks
}

/// Whether `address` is one of the networks offered now (a choice made on
/// a screen before the PC moved to another network is refused).
pub fn is_offered(networks: &[ClassNetwork], address: IpAddr) -> bool {
    networks.iter().any(|n| n.address == address)
}

/// This PC's adapters, as the system reports them now.
pub fn this_pcs_adapters() -> Vec<Adapter> {
    netdev::get_interfaces()
        .into_iter()
        .map(|i| Adapter {
            name: i.friendly_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| i.name.clone()),
            addresses: i.ipv4.iter().map(|n| IpAddr::V4(n.addr())).chain(i.ipv6.iter().map(|n| IpAddr::V6(n.addr()))).collect(),
            default_route: i.default,
            up: i.is_up() && !i.is_loopback(),
        })
        .collect()
}

/// This PC's networks a class may be served on.
pub fn this_pcs_class_networks() -> Vec<ClassNetwork> {
    class_networks(&this_pcs_adapters())
}

/// Loopback, for a class tried on this PC alone (no network to pick).
pub const THIS_PC_ONLY: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter(name: &str, addresses: &[&str], default_route: bool) -> Adapter {
        Adapter { name: name.into(), addresses: addresses.iter().map(|a| a.parse().unwrap()).collect(), default_route, up: true }
    }

    #[test]
    fn the_default_routes_adapter_comes_first_and_what_a_room_cannot_reach_is_left_out() {
        let adapters = [
            adapter("イーサネット", &["10.0.5.20", "fe80::1"], false),
            adapter("Wi-Fi", &["192.168.1.10", "2001:db8::10"], true),
            adapter("Loopback", &["127.0.0.1", "::1"], false),
            adapter("未接続", &["169.254.10.3"], false),
            Adapter { up: false, ..adapter("VPN", &["172.16.0.2"], false) },
        ];
        let listed = class_networks(&adapters);
        let shown: Vec<(String, String)> = listed.iter().map(|n| (n.adapter.clone(), n.address.to_string())).collect();
        assert_eq!(shown, [("Wi-Fi".to_owned(), "192.168.1.10".to_owned()), ("イーサネット".to_owned(), "10.0.5.20".to_owned())]);
        assert!(listed[0].default_route && !listed[1].default_route);
    }

    #[test]
    fn a_pc_on_no_network_offers_nothing_and_a_stale_choice_is_refused() {
        let listed = class_networks(&[adapter("Loopback", &["127.0.0.1"], false), adapter("未接続", &["169.254.1.1"], true)]);
        assert!(listed.is_empty());
        let listed = class_networks(&[adapter("Wi-Fi", &["192.168.1.10"], true)]);
        assert!(is_offered(&listed, "192.168.1.10".parse().unwrap()));
        assert!(!is_offered(&listed, "192.168.2.99".parse().unwrap()));
    }
}
