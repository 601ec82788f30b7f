//! The way every call of the app leaves the PC (onboarding, 研修, updates):
//! staff's 「プロキシ」 choice, the PC's own setting read where the PC
//! keeps it, and the proxy's password from the keychain. The rule of which
//! route a host takes is the domain's (`kaigo_domain::proxy`).

use crate::keychain::SecretStore;
use crate::AppResult;
use kaigo_client::{Network, ProxyCredentials};
use kaigo_domain::proxy::{route_for, ProxyChoice, Route, SystemProxy};
use secrecy::ExposeSecret;

/// The keychain entry of a manually set proxy's password.
pub const PROXY_PASSWORD_KEY: &str = "proxy-password";

/// The PC's proxy setting: Windows' Internet settings (what Edge and
/// WebView2 follow), elsewhere the environment.
pub fn system_proxy() -> SystemProxy {
    #[cfg(windows)]
    {
        kaigo_domain::proxy::from_windows(&windows::internet_settings())
    }
    #[cfg(not(windows))]
    {
        kaigo_domain::proxy::from_environment(|name| std::env::var(name).ok())
    }
}

/// The host of a service address (`https://host:port/…`).
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default().to_owned();
    }
    authority.split(':').next().unwrap_or_default().to_ascii_lowercase()
}

/// The client's way out to `url`.
pub fn network_for(choice: &ProxyChoice, system: &SystemProxy, secrets: &dyn SecretStore, url: &str) -> AppResult<(Route, Network)> {
    let route = route_for(choice, system, &host_of(url));
    let network = match &route {
        Route::Direct => Network::Direct,
        Route::Via { proxy, user } => {
            let credentials = match user {
                Some(user) => {
                    let password = secrets.get(PROXY_PASSWORD_KEY)?.map(|p| p.expose_secret().to_owned()).unwrap_or_default();
                    Some(ProxyCredentials { user: user.clone(), password })
                }
                None => None,
            };
            Network::Proxy { address: proxy.clone(), credentials }
        }
    };
    Ok((route, network))
}

#[cfg(windows)]
mod windows {
    use kaigo_domain::proxy::WindowsInternetSettings;
    use winreg::enums::HKEY_CURRENT_USER;
    use winreg::RegKey;

    const KEY: &str = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings";

    /// HKCU's Internet settings; what is missing reads as off.
    pub fn internet_settings() -> WindowsInternetSettings {
        let Ok(key) = RegKey::predef(HKEY_CURRENT_USER).open_subkey(KEY) else { return WindowsInternetSettings::default() };
        let text = |name: &str| key.get_value::<String, _>(name).ok().filter(|v| !v.trim().is_empty());
        WindowsInternetSettings {
            proxy_enable: key.get_value::<u32, _>("ProxyEnable").is_ok_and(|v| v != 0),
            proxy_server: text("ProxyServer"),
            proxy_override: text("ProxyOverride"),
            auto_config_url: text("AutoConfigURL"),
            auto_detect: auto_detect(&key),
        }
    }

    /// 「設定を自動的に検出する」: bit 0x08 of the flags (the ninth byte) of
    /// `Connections\DefaultConnectionSettings`.
    fn auto_detect(key: &RegKey) -> bool {
        let Ok(connections) = key.open_subkey("Connections") else { return false };
        match connections.get_raw_value("DefaultConnectionSettings") {
            Ok(value) => value.bytes.get(8).is_some_and(|flags| flags & 0x08 != 0),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keychain::MemorySecrets;
    use kaigo_domain::proxy::ProxyAddress;
    use secrecy::SecretString;

    /// Windows' own registry (under Wine in the suite): the per-protocol
    /// form, the bypass list, a PAC script and automatic detection.
    #[cfg(windows)]
    #[test]
    fn the_pcs_setting_is_read_from_the_registry() {
        use kaigo_domain::proxy::Unfollowed;
        use winreg::enums::HKEY_CURRENT_USER;
        let (key, _) = winreg::RegKey::predef(HKEY_CURRENT_USER)
            .create_subkey(r"Software\Microsoft\Windows\CurrentVersion\Internet Settings")
            .unwrap();
        let (connections, _) = key.create_subkey("Connections").unwrap();
        let saved = windows::internet_settings();
        key.set_value("ProxyEnable", &1u32).unwrap();
        key.set_value("ProxyServer", &"http=web:80;https=secure.office:8443").unwrap();
        key.set_value("ProxyOverride", &"*.intra;<local>").unwrap();
        key.set_value("AutoConfigURL", &"http://wpad.intra/proxy.pac").unwrap();
        let mut flags = vec![0x46u8, 0, 0, 0, 1, 0, 0, 0, 0x09, 0, 0, 0];
        let raw = |bytes: &[u8]| winreg::RegValue { bytes: bytes.to_vec().into(), vtype: winreg::enums::RegType::REG_BINARY };
        connections.set_raw_value("DefaultConnectionSettings", &raw(&flags)).unwrap();

        let proxy = system_proxy();
        assert_eq!(proxy.https.as_ref().map(ToString::to_string).as_deref(), Some("secure.office:8443"));
        assert_eq!(route_for(&ProxyChoice::System, &proxy, "a.intra"), Route::Direct);
        assert!(matches!(route_for(&ProxyChoice::System, &proxy, "kaigo.example.jp"), Route::Via { .. }));
        assert_eq!(
            proxy.unfollowed,
            vec![Unfollowed::ConfigurationScript { url: "http://wpad.intra/proxy.pac".into() }, Unfollowed::AutoDetect]
        );

        key.set_value("ProxyEnable", &0u32).unwrap();
        key.delete_value("AutoConfigURL").unwrap();
        flags[8] = 0x01;
        connections.set_raw_value("DefaultConnectionSettings", &raw(&flags)).unwrap();
        assert_eq!(system_proxy(), SystemProxy { bypass: Vec::new(), ..SystemProxy::default() }, "switched off: direct");
        key.set_value("ProxyEnable", &u32::from(saved.proxy_enable)).unwrap();
    }

    #[test]
    fn the_host_of_an_address() {
        assert_eq!(host_of("https://Kaigo.Example.jp:8443/path?q"), "kaigo.example.jp");
        assert_eq!(host_of("https://[::1]:8443/"), "::1");
        assert_eq!(host_of("https://localhost"), "localhost");
    }

    #[test]
    fn a_manual_proxy_takes_its_password_from_the_keychain() {
        let secrets = MemorySecrets::default();
        secrets.set(PROXY_PASSWORD_KEY, &SecretString::from("s3cret".to_owned())).unwrap();
        let address = ProxyAddress::parse("proxy.office:3128").unwrap();
        let choice = ProxyChoice::Manual { address: address.clone(), user: Some("staff".into()) };
        let (route, network) = network_for(&choice, &SystemProxy::default(), &secrets, "https://svc.example.jp").unwrap();
        assert!(matches!(route, Route::Via { .. }));
        assert_eq!(
            network,
            Network::Proxy { address, credentials: Some(ProxyCredentials { user: "staff".into(), password: "s3cret".into() }) }
        );
        let (_, network) = network_for(&ProxyChoice::Direct, &SystemProxy::default(), &secrets, "https://svc.example.jp").unwrap();
        assert_eq!(network, Network::Direct);
    }
}
