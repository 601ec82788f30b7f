//! プロキシ: which way the app's calls leave an office network. Staff choose
//! the PC's setting, a proxy of their own, or none; this module reads the
//! PC's setting as Windows or the environment states it and decides, for
//! one host, whether to go direct or through which proxy. What the app
//! cannot follow (a PAC script, automatic detection, SOCKS) is named, never
//! silently replaced by a direct connection.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};

/// A proxy's host and port (`proxy.example.jp:8080`), as staff type it or
/// Windows stores it; an `http://` in front is accepted and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProxyAddress {
    host: String,
    port: u16,
}

impl ProxyAddress {
    pub fn parse(text: &str) -> Result<ProxyAddress, ErrorCode> {
        let text = crate::normalize::half_width(text.trim());
        let rest = text.strip_prefix("http://").or_else(|| text.strip_prefix("HTTP://")).unwrap_or(&text);
        let rest = rest.trim_end_matches('/');
        let (host, port) = rest.rsplit_once(':').ok_or(ErrorCode::ProxyAddressInvalid)?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port: u16 = port.parse().map_err(|_| ErrorCode::ProxyAddressInvalid)?;
        let host_ok =
            !host.is_empty() && host.len() <= 253 && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
        if !host_ok || port == 0 {
            return Err(ErrorCode::ProxyAddressInvalid);
        }
        Ok(ProxyAddress { host: host.to_ascii_lowercase(), port })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The proxy as an HTTP client takes it (`http://host:port`).
    pub fn url(&self) -> String {
        format!("http://{self}")
    }
}

impl std::fmt::Display for ProxyAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl TryFrom<String> for ProxyAddress {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ProxyAddress::parse(&s).map_err(|c| c.as_str().to_owned())
    }
}

impl From<ProxyAddress> for String {
    fn from(a: ProxyAddress) -> String {
        a.to_string()
    }
}

/// 「プロキシ」 in 設定.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ProxyChoice {
    /// このパソコンの設定を使う: what Windows (or the environment) says.
    #[default]
    System,
    /// 指定する: this proxy, with a user name when it asks for one (the
    /// password is kept in the keychain).
    Manual {
        address: ProxyAddress,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
    },
    /// 使わない: always direct.
    Direct,
}

/// What the app cannot follow of the PC's setting, said to staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unfollowed {
    /// 自動構成スクリプト (PAC): its address.
    ConfigurationScript { url: String },
    /// 設定を自動的に検出する (WPAD).
    AutoDetect,
    /// A SOCKS proxy (`socks=…`).
    Socks { address: String },
}

/// The PC's proxy setting as this app can use it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SystemProxy {
    /// The proxy for HTTPS, if the PC names one.
    pub https: Option<ProxyAddress>,
    /// Hosts that go direct (`*.example.jp`, `10.*`, `<local>`).
    pub bypass: Vec<String>,
    pub unfollowed: Vec<Unfollowed>,
    /// Part of the setting that could not be read (kept for the message).
    pub unreadable: Option<String>,
}

/// Windows' per-user Internet settings (HKCU\…\Internet Settings), which
/// Edge and WebView2 follow: `ProxyEnable`, `ProxyServer`, `ProxyOverride`,
/// `AutoConfigURL`, and the automatic-detection flag of
/// `Connections\DefaultConnectionSettings`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WindowsInternetSettings {
    pub proxy_enable: bool,
    pub proxy_server: Option<String>,
    pub proxy_override: Option<String>,
    pub auto_config_url: Option<String>,
    pub auto_detect: bool,
}

/// Reads Windows' setting: `host:port` for every protocol, or the
/// per-protocol form `http=a:80;https=b:8080;socks=c:1080` (HTTPS calls use
/// `https=`, else a bare entry; never `http=`, which Windows applies to
/// plain HTTP only).
pub fn from_windows(settings: &WindowsInternetSettings) -> SystemProxy {
    let mut proxy = SystemProxy::default();
    if let Some(url) = settings.auto_config_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        proxy.unfollowed.push(Unfollowed::ConfigurationScript { url: url.to_owned() });
    }
    if settings.auto_detect {
        proxy.unfollowed.push(Unfollowed::AutoDetect);
    }
    let server = settings.proxy_server.as_deref().map(str::trim).unwrap_or_default();
    if !settings.proxy_enable || server.is_empty() {
        return proxy;
    }
    let mut bare = None;
    let mut https = None;
    for entry in server.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        match entry.split_once('=') {
            None => bare = Some(entry),
            Some((scheme, address)) => match scheme.trim().to_ascii_lowercase().as_str() {
                "https" => https = Some(address.trim()),
                "socks" => proxy.unfollowed.push(Unfollowed::Socks { address: address.trim().to_owned() }),
                _ => {}
            },
        }
    }
    if let Some(address) = https.or(bare) {
        match ProxyAddress::parse(address) {
            Ok(a) => proxy.https = Some(a),
            Err(_) => proxy.unreadable = Some(address.to_owned()),
        }
    }
    proxy.bypass = host_list(settings.proxy_override.as_deref().unwrap_or_default(), ';');
    proxy
}

/// Reads the environment's setting as Linux programs do: `https_proxy`
/// (`HTTPS_PROXY`), else `all_proxy`, and `no_proxy`.
pub fn from_environment(var: impl Fn(&str) -> Option<String>) -> SystemProxy {
    let get = |name: &str| var(name).or_else(|| var(&name.to_ascii_uppercase())).filter(|v| !v.trim().is_empty());
    let mut proxy = SystemProxy::default();
    if let Some(value) = get("https_proxy").or_else(|| get("all_proxy")) {
        let value = value.trim();
        if value.starts_with("socks") {
            proxy.unfollowed.push(Unfollowed::Socks { address: value.to_owned() });
        } else {
            match ProxyAddress::parse(value) {
                Ok(a) => proxy.https = Some(a),
                Err(_) => proxy.unreadable = Some(value.to_owned()),
            }
        }
    }
    proxy.bypass = host_list(&get("no_proxy").unwrap_or_default(), ',');
    proxy
}

/// A bypass list as Windows (`;`) or the environment (`,`) writes it.
fn host_list(text: &str, separator: char) -> Vec<String> {
    text.split(separator).map(str::trim).filter(|h| !h.is_empty()).map(str::to_ascii_lowercase).collect()
}

/// How a call to one host goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Route {
    Direct,
    Via { proxy: ProxyAddress, user: Option<String> },
}

/// The route for `host` under the staff's choice and the PC's setting.
pub fn route_for(choice: &ProxyChoice, system: &SystemProxy, host: &str) -> Route {
    match choice {
        ProxyChoice::Direct => Route::Direct,
        ProxyChoice::Manual { address, user } => Route::Via { proxy: address.clone(), user: user.clone() },
        // As Windows does, the PC itself is never reached through its proxy.
        ProxyChoice::System => match &system.https {
            Some(proxy) if !bypassed(&system.bypass, host) && !is_loopback_host(host) => Route::Via { proxy: proxy.clone(), user: None },
            _ => Route::Direct,
        },
    }
}

/// This PC itself: never through a proxy, never seen by the network.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether `host` matches a bypass entry: Windows' `*` wildcards and
/// `<local>` (names without a dot), and the environment's `.suffix`/`suffix`.
fn bypassed(bypass: &[String], host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    bypass.iter().any(|entry| {
        let entry = entry.as_str();
        if entry == "*" {
            return true;
        }
        if entry == "<local>" {
            return !host.contains('.') && !host.contains(':');
        }
        if entry.contains('*') {
            return wildcard(entry, &host);
        }
        let suffix = entry.trim_start_matches('.');
        host == suffix || host.ends_with(&format!(".{suffix}"))
    })
}

fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(server: &str) -> WindowsInternetSettings {
        WindowsInternetSettings { proxy_enable: true, proxy_server: Some(server.into()), ..Default::default() }
    }

    #[test]
    fn an_address_is_host_and_port() {
        let a = ProxyAddress::parse(" http://Proxy.Example.jp:8080/ ").unwrap();
        assert_eq!((a.host(), a.port()), ("proxy.example.jp", 8080));
        assert_eq!(a.url(), "http://proxy.example.jp:8080");
        assert_eq!(ProxyAddress::parse("ｐｒｏｘｙ：３１２８").unwrap().to_string(), "proxy:3128", "full-width typing is read");
        assert_eq!(ProxyAddress::parse("[::1]:3128").unwrap().url(), "http://[::1]:3128");
        for bad in ["", "proxy", "proxy:", "proxy:0", "proxy:99999", ":8080", "pro xy:80", "proxy:80/path"] {
            assert_eq!(ProxyAddress::parse(bad), Err(ErrorCode::ProxyAddressInvalid), "{bad:?}");
        }
    }

    #[test]
    fn windows_one_proxy_for_all_protocols() {
        let p = from_windows(&windows("10.0.0.1:8080"));
        assert_eq!(p.https, Some(ProxyAddress::parse("10.0.0.1:8080").unwrap()));
        assert!(p.unfollowed.is_empty());
    }

    #[test]
    fn windows_per_protocol_form_uses_the_https_entry() {
        // The form reqwest reads as no proxy at all.
        let p = from_windows(&windows("http=web:80;https=secure:8443;ftp=f:21"));
        assert_eq!(p.https.unwrap().to_string(), "secure:8443");
        let p = from_windows(&windows("http=web:80"));
        assert_eq!(p.https, None, "a proxy for plain HTTP only is not used for HTTPS");
        let p = from_windows(&windows("http=web:80;socks=s:1080"));
        assert_eq!(p.unfollowed, vec![Unfollowed::Socks { address: "s:1080".into() }]);
    }

    #[test]
    fn windows_switched_off_or_automatic_is_named() {
        let mut s = windows("p:8080");
        s.proxy_enable = false;
        assert_eq!(from_windows(&s).https, None);
        let s = WindowsInternetSettings { auto_config_url: Some("http://wpad/proxy.pac".into()), auto_detect: true, ..Default::default() };
        let p = from_windows(&s);
        assert_eq!(p.unfollowed, vec![Unfollowed::ConfigurationScript { url: "http://wpad/proxy.pac".into() }, Unfollowed::AutoDetect]);
        assert_eq!(from_windows(&windows("https=not a proxy")).unreadable.as_deref(), Some("not a proxy"));
    }

    #[test]
    fn windows_bypass_list() {
        let mut s = windows("p:8080");
        s.proxy_override = Some("*.local.example;10.*;<local>".into());
        let p = from_windows(&s);
        let via = |host: &str| route_for(&ProxyChoice::System, &p, host) != Route::Direct;
        assert!(!via("a.local.example") && !via("10.1.2.3") && !via("intranet"));
        assert!(via("kaigo.example.jp") && via("11.1.2.3"));
    }

    #[test]
    fn environment_variables() {
        let env =
            |vars: &'static [(&'static str, &'static str)]| move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
        let p = from_environment(env(&[("HTTPS_PROXY", "http://p:3128"), ("no_proxy", "localhost,.example.org")]));
        assert_eq!(p.https.as_ref().unwrap().to_string(), "p:3128");
        assert_eq!(route_for(&ProxyChoice::System, &p, "a.example.org"), Route::Direct);
        assert_eq!(route_for(&ProxyChoice::System, &p, "localhost"), Route::Direct);
        let everything = from_environment(env(&[("HTTPS_PROXY", "p:3128")]));
        assert_eq!(route_for(&ProxyChoice::System, &everything, "127.0.0.1"), Route::Direct, "the PC itself goes direct");
        assert_eq!(route_for(&ProxyChoice::System, &everything, "::1"), Route::Direct);
        assert!(matches!(route_for(&ProxyChoice::System, &p, "service.jp"), Route::Via { .. }));
        assert_eq!(from_environment(env(&[("all_proxy", "p2:8080")])).https.unwrap().to_string(), "p2:8080");
        assert!(matches!(from_environment(env(&[("ALL_PROXY", "socks5://s:1080")])).unfollowed[0], Unfollowed::Socks { .. }));
        assert_eq!(from_environment(env(&[])), SystemProxy::default());
    }

    #[test]
    fn the_choice_wins_over_the_pc() {
        let p = from_windows(&windows("p:8080"));
        assert_eq!(route_for(&ProxyChoice::Direct, &p, "x.jp"), Route::Direct);
        let mine = ProxyAddress::parse("mine:3128").unwrap();
        let manual = ProxyChoice::Manual { address: mine.clone(), user: Some("staff".into()) };
        assert_eq!(route_for(&manual, &p, "x.jp"), Route::Via { proxy: mine, user: Some("staff".into()) });
        let json = serde_json::to_string(&manual).unwrap();
        assert_eq!(json, r#"{"mode":"manual","address":"mine:3128","user":"staff"}"#);
        assert_eq!(serde_json::from_str::<ProxyChoice>(&json).unwrap(), manual);
        assert!(serde_json::from_str::<ProxyChoice>(r#"{"mode":"manual","address":"nope"}"#).is_err());
    }
}
