//! Classes found without typing the address: a class served on a room's
//! network announces itself with DNS-SD over multicast DNS (RFC 6762,
//! 6763), and 研修に参加する lists the classes it hears. Typing the address
//! is always offered too: many office and guest networks drop multicast.
//!
//! What is announced is nothing secret — the class's name and where it is
//! served. Anyone on the network could announce a class of the same name,
//! so a class found here is no more trusted than an address typed: the
//! check code from the projector still has to match the class's CA.

use kaigo_domain::ClassName;
use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent, ServiceInfo};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, SocketAddrV4};
use std::time::{Duration, Instant};

/// The DNS-SD service type of a class.
pub const SERVICE_TYPE: &str = "_kaigo-class._tcp.local.";

/// How long 研修をさがす listens: announcements answer a query within a
/// second on a quiet network; three leave room for a busy one.
pub const LISTEN_FOR: Duration = Duration::from_secs(3);

/// At most this many classes listed (a room has one or two).
pub const MAX_LISTED: usize = 20;

/// The TXT keys, and the version of what they say.
const KEY_VERSION: &str = "v";
const KEY_NAME: &str = "name";
const VERSION: &str = "1";

/// A TXT value holds 255 bytes with its key: the name is cut to fit.
const NAME_BYTES: usize = 240;

#[derive(Debug, thiserror::Error)]
#[error("multicast DNS: {0}")]
pub struct DiscoveryError(#[from] mdns_sd::Error);

/// A class as heard on the network, before it is judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeardClass {
    pub version: Option<String>,
    pub name: Option<String>,
    pub addresses: Vec<IpAddr>,
    pub port: u16,
}

/// A class 研修に参加する offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundClass {
    pub name: String,
    pub address: Ipv4Addr,
    /// 接続先, as the projector shows it.
    pub service_url: String,
}

/// The classes to list from what was heard: only this version's, with a
/// class's name, at an address a room's PC can reach (not this PC's own
/// loopback, not 169.254.x.x); each address once, by name then address.
pub fn found_classes(heard: &[HeardClass]) -> Vec<FoundClass> {
    let mut found: Vec<FoundClass> = heard
        .iter()
        .filter(|h| h.version.as_deref() == Some(VERSION) && h.port != 0)
        .filter_map(|h| Some((ClassName::parse(h.name.as_deref()?).ok()?, h)))
        .flat_map(|(name, h)| {
            h.addresses.iter().filter_map(move |ip| match ip {
                IpAddr::V4(v4) if crate::class_network::reachable_by_a_room(ip) => Some(FoundClass {
                    name: name.as_str().to_owned(),
                    address: *v4,
                    service_url: kaigo_api::class::class_service_url(&v4.to_string(), h.port),
                }),
                _ => None,
            })
        })
        .collect();
    // Each address once (heard twice, or under two names: the first kept).
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| seen.insert(f.service_url.clone()));
    found.sort_by(|a, b| a.name.cmp(&b.name).then(a.address.cmp(&b.address)));
    found.truncate(MAX_LISTED);
    found
}

/// `name` cut at a character's edge to fit a TXT value.
fn announced_name(name: &str) -> &str {
    let mut end = name.len().min(NAME_BYTES);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// A class announced while this lives; dropped, it says goodbye (so that
/// lists drop it at once) and stops.
pub struct Announcer {
    daemon: ServiceDaemon,
    fullname: String,
}

/// Announces the class `name` served at `address` on the network of that
/// address only (not over a VPN's or another adapter's).
pub fn announce(name: &str, address: SocketAddrV4) -> Result<Announcer, DiscoveryError> {
    // One instance per address and port: two classes in one room never
    // share a name on the network.
    let label = format!("kaigo-{}-{}", address.ip().to_string().replace('.', "-"), address.port());
    let info = ServiceInfo::new(
        SERVICE_TYPE,
        &label,
        &format!("{label}.local."),
        IpAddr::V4(*address.ip()),
        address.port(),
        &[(KEY_VERSION, VERSION), (KEY_NAME, announced_name(name))][..],
    )?;
    // Made first, so that a failure below stops the daemon again.
    let announcer = Announcer { daemon: ServiceDaemon::new()?, fullname: info.get_fullname().to_owned() };
    announcer.daemon.disable_interface(IfKind::All)?;
    announcer.daemon.enable_interface(IfKind::Addr(IpAddr::V4(*address.ip())))?;
    announcer.daemon.register(info)?;
    tracing::info!(fullname = %announcer.fullname, "class announced");
    Ok(announcer)
}

impl Drop for Announcer {
    fn drop(&mut self) {
        // The goodbye goes out before the daemon stops.
        if let Ok(done) = self.daemon.unregister(&self.fullname) {
            let _ = done.recv_timeout(Duration::from_secs(1));
        }
        if let Ok(stopped) = self.daemon.shutdown() {
            let _ = stopped.recv_timeout(Duration::from_secs(1));
        }
    }
}

/// Listens for `wait` and lists the classes heard (blocking: call it off
/// the window's thread).
pub fn listen(wait: Duration) -> Result<Vec<FoundClass>, DiscoveryError> {
    let daemon = ServiceDaemon::new()?;
    let heard = hear(&daemon, wait);
    if let Ok(stopped) = daemon.shutdown() {
        let _ = stopped.recv_timeout(Duration::from_secs(1));
    }
    Ok(found_classes(&heard?))
}

fn hear(daemon: &ServiceDaemon, wait: Duration) -> Result<Vec<HeardClass>, DiscoveryError> {
    daemon.disable_interface(IfKind::IPv6)?;
    let events = daemon.browse(SERVICE_TYPE)?;
    let until = Instant::now() + wait;
    let mut heard = Vec::new();
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(ServiceEvent::ServiceResolved(s)) => heard.push(HeardClass {
                version: s.get_property_val_str(KEY_VERSION).map(str::to_owned),
                name: s.get_property_val_str(KEY_NAME).map(str::to_owned),
                addresses: s.get_addresses().iter().map(|a| a.to_ip_addr()).collect(),
                port: s.get_port(),
            }),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let _ = daemon.stop_browse(SERVICE_TYPE);
    Ok(heard)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heard(name: &str, addresses: &[&str], port: u16) -> HeardClass {
        HeardClass {
            version: Some(VERSION.into()),
            name: Some(name.into()),
            addresses: addresses.iter().map(|a| a.parse().unwrap()).collect(),
            port,
        }
    }

    #[test]
    fn a_class_is_listed_once_at_each_address_a_room_can_reach() {
        let listed = found_classes(&[
            heard("午後の研修", &["192.168.1.10", "127.0.0.1", "169.254.3.4", "fe80::1"], 8443),
            heard("午後の研修", &["192.168.1.10"], 8443),
            heard("別の名前", &["192.168.1.10"], 8443),
            heard("午前の研修", &["10.0.0.5"], 8444),
        ]);
        let listed: Vec<(&str, &str)> = listed.iter().map(|f| (f.name.as_str(), f.service_url.as_str())).collect();
        assert_eq!(listed, [("午前の研修", "https://10.0.0.5:8444"), ("午後の研修", "https://192.168.1.10:8443")]);
    }

    #[test]
    fn what_is_not_a_class_of_ours_is_not_listed() {
        let mut old = heard("研修", &["192.168.1.10"], 8443);
        old.version = Some("0".into());
        let mut nameless = heard("研修", &["192.168.1.11"], 8443);
        nameless.name = None;
        let blank = heard("   ", &["192.168.1.12"], 8443);
        let no_port = heard("研修", &["192.168.1.13"], 0);
        assert!(found_classes(&[old, nameless, blank, no_port]).is_empty());
        assert_eq!(found_classes(&[heard("研修", &["192.168.1.14"], 8443)]).len(), 1);
    }

    #[test]
    fn a_long_name_is_cut_at_a_characters_edge() {
        let name = "研".repeat(100);
        let cut = announced_name(&name);
        assert_eq!(cut.len(), 240);
        assert!(name.starts_with(cut));
        assert_eq!(announced_name("初期設定"), "初期設定");
    }

    #[test]
    fn the_list_is_bounded() {
        let many: Vec<HeardClass> = (1..=40).map(|i| heard("研修", &[&format!("10.0.0.{i}")], 8443)).collect();
        assert_eq!(found_classes(&many).len(), MAX_LISTED);
    }
}
