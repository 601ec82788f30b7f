//! 研修: joining a class from the app (no certificate yet: the join code
//! authorises the request, and the PC's own key is certified for a seat).

use serde::{Deserialize, Serialize};

/// The class's certificate authority, for the app to check against the pin
/// the trainer shows before it trusts anything else the service says.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClassAuthority {
    /// PEM of the CA certificate that signs the service's TLS certificate
    /// and the seats' client certificates.
    pub ca_pem: String,
}

/// A PC asks for a seat: the join code from the projector and a PKCS#10
/// certificate signing request for a key the PC made and keeps.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JoinRequest {
    /// 参加コード, as typed (hyphens and case do not matter).
    pub join_code: String,
    /// PEM `CERTIFICATE REQUEST`, signed with the key it is for.
    pub certificate_request_pem: String,
}

/// The made-up sign-in data of a seat's practice office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeatSignIn {
    pub office_number: String,
    pub office_name: String,
    pub electronic_billing_id: String,
    pub password: String,
    /// Only some seats' offices have one, as at the real service.
    pub security_code: Option<String>,
    /// Where the office's codes go (the seat's practice mailbox).
    pub office_email: String,
}

/// A seat, taken: the PC's certificate for it and what to type.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JoinedClass {
    pub class_name: String,
    pub seat_number: u32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: time::OffsetDateTime,
    /// The seat office's client certificate for the requested key (PEM).
    pub certificate_pem: String,
    pub ca_pem: String,
    pub sign_in: SeatSignIn,
}

/// How a seat is doing within its step; the trainer's page names it from
/// its words (`seat_<condition>`, `seat_locked_until`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrainerSeatCondition {
    NotJoined,
    Working,
    /// コード入力待ち.
    WaitingForCode,
    /// コード期限切れ.
    CodeExpired,
    /// ロック中: until `locked_until`, or until the trainer unlocks it.
    Locked,
    Finished,
}

/// One seat on the trainer's grid. Nothing in it is a word: the page and
/// the CSV name steps, conditions and refusals from the words crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrainerSeat {
    pub seat_number: u32,
    pub office_name: String,
    pub electronic_billing_id: String,
    pub step: kaigo_domain::class::ClassStep,
    pub condition: TrainerSeatCondition,
    /// When a lock ends by itself (none: locked until the trainer unlocks it).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub locked_until: Option<time::OffsetDateTime>,
    /// The seat cannot go on alone soon (a lock, an expired code).
    pub needs_help: bool,
    /// Seconds since the seat last did anything (none once finished).
    pub idle_seconds: Option<u64>,
    /// Why the seat's last try was refused (`invalid_password`, `code`, …;
    /// the page's words are `refusal_<it>`).
    pub last_refusal: Option<String>,
}

/// How many seats are at a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrainerStepCount {
    pub step: kaigo_domain::class::ClassStep,
    pub seats: u32,
}

/// The trainer's view of a class: every seat, and the counts per step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrainerGrid {
    pub class_name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: time::OffsetDateTime,
    pub seats: Vec<TrainerSeat>,
    pub counts: Vec<TrainerStepCount>,
    /// When this view was taken.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: time::OffsetDateTime,
    /// No attendee's PC has reached the class a few minutes after it
    /// opened: the page lists what to check (firewall, network profile,
    /// a guest Wi-Fi that keeps devices apart, a VPN).
    pub nobody_reached: bool,
}

/// What moved in the grid since the trainer's stream last sent: the seats
/// whose step, condition or last refusal changed (each whole), and the
/// counts and state of the moment. The page merges it into the grid the
/// stream began with: a room of 500 is sent once, then only what moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrainerGridChange {
    pub seats: Vec<TrainerSeat>,
    pub counts: Vec<TrainerStepCount>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: time::OffsetDateTime,
    pub nobody_reached: bool,
}

/// 接続先: the address attendees type for a class served on `host` (a name
/// or an address; an IPv6 one is bracketed) at `port`. The projector, the
/// join link and the classes found on the network all write it so.
pub fn class_service_url(host: &str, port: u16) -> String {
    if host.parse::<std::net::Ipv6Addr>().is_ok() {
        format!("https://[{host}]:{port}")
    } else {
        format!("https://{host}:{port}")
    }
}

/// The scheme the app registers to open join links with.
pub const JOIN_LINK_SCHEME: &str = include_str!("../data/join-link-scheme").trim_ascii();

/// A join link: the service's address, the join code and the CA's pin
/// (SHA-256, hex), all the app needs to join without typing.
pub fn join_link(service_url: &str, join_code: &str, pin: &str) -> String {
    let mut link = url::Url::parse(&format!("{JOIN_LINK_SCHEME}://join")).unwrap_or_else(|_| unreachable!("a constant URL"));
    link.query_pairs_mut().append_pair("url", service_url).append_pair("code", join_code).append_pair("pin", pin);
    link.to_string()
}

/// What a join link holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinLink {
    pub service_url: String,
    pub join_code: String,
    pub pin: String,
}

/// Reads a join link; `None` if it is not one.
pub fn parse_join_link(link: &str) -> Option<JoinLink> {
    let url = url::Url::parse(link.trim()).ok()?;
    if url.scheme() != JOIN_LINK_SCHEME || url.host_str() != Some("join") {
        return None;
    }
    let get = |key: &str| url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned());
    Some(JoinLink { service_url: get("url")?, join_code: get("code")?, pin: get("pin")? })
}

/// The join link among a program's arguments: how Windows and Linux hand
/// the app a link it is registered for (`kaigo-onboard.exe "<link>"`).
/// Any argument of the scheme is taken, a malformed one too, so that
/// joining can say what is wrong with it.
pub fn join_link_in_args<S: AsRef<str>>(args: impl IntoIterator<Item = S>) -> Option<String> {
    let prefix = format!("{JOIN_LINK_SCHEME}:");
    args.into_iter()
        .map(|a| a.as_ref().trim().to_owned())
        .find(|a| a.len() > prefix.len() && a.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(&prefix)))
}

/// The trainer's session, for the page: the class, the codes to show and
/// the token every action must carry (`X-CSRF-Token`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrainerSessionInfo {
    pub class_name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: time::OffsetDateTime,
    pub seats: u32,
    pub csrf_token: String,
    pub service_url: String,
    pub join_code: String,
    pub short_pin: String,
    pub join_link: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_address_is_https_with_an_ipv6_host_bracketed() {
        assert_eq!(class_service_url("192.168.1.10", 8443), "https://192.168.1.10:8443");
        assert_eq!(class_service_url("trainer-pc.local", 8443), "https://trainer-pc.local:8443");
        assert_eq!(class_service_url("fe80::1", 8443), "https://[fe80::1]:8443");
    }

    #[test]
    fn the_join_link_is_found_among_the_arguments_windows_and_linux_pass() {
        let link = join_link("https://192.0.2.10:8443", "ABCD-EFGH", &"0a".repeat(32));
        assert_eq!(join_link_in_args(["--flag", link.as_str()]), Some(link.clone()));
        assert_eq!(join_link_in_args(["KAIGO-ONBOARD://join?x"]).as_deref(), Some("KAIGO-ONBOARD://join?x"));
        assert_eq!(join_link_in_args(["kaigo-onboard:"]), None);
        assert_eq!(join_link_in_args(["https://example.jp", "C:\\kaigo-onboard.exe"]), None);
        assert_eq!(join_link_in_args(Vec::<String>::new()), None);
        // A Japanese argument (a folder, a file) is no link, and no panic.
        assert_eq!(join_link_in_args(["介護WEBサービス初期設定.lnk"]), None);
    }

    #[test]
    fn a_join_link_reads_back_what_it_carries() {
        let link = join_link("https://192.0.2.7:8443", "7KQM-4XPR", &"ab".repeat(32));
        assert!(link.starts_with("kaigo-onboard://join?url=https%3A%2F%2F192.0.2.7%3A8443&code=7KQM-4XPR&pin="), "{link}");
        let read = parse_join_link(&link).unwrap();
        assert_eq!(read, JoinLink { service_url: "https://192.0.2.7:8443".into(), join_code: "7KQM-4XPR".into(), pin: "ab".repeat(32) });
        assert_eq!(parse_join_link("https://example.com/join?url=x&code=y&pin=z"), None);
        assert_eq!(parse_join_link("kaigo-onboard://join?url=x&code=y"), None);
    }
}
