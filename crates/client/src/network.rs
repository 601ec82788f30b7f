//! How the client's connections leave the PC: direct, or through an HTTP
//! proxy (CONNECT) with a user name and password when it asks for them.
//! The caller decides which (kaigo_domain::proxy); nothing here reads the
//! environment or the registry, so a test's or a developer's proxy
//! variables never change where a call goes.

use crate::ClientError;
use base64::Engine as _;
use kaigo_domain::proxy::ProxyAddress;
use kaigo_domain::ErrorCode;

/// The way out for one client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Network {
    #[default]
    Direct,
    Proxy {
        address: ProxyAddress,
        credentials: Option<ProxyCredentials>,
    },
}

#[derive(Clone, PartialEq, Eq)]
pub struct ProxyCredentials {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for ProxyCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyCredentials").field("user", &self.user).finish_non_exhaustive()
    }
}

impl ProxyCredentials {
    /// The `Proxy-Authorization` value (Basic).
    pub(crate) fn header(&self) -> http::HeaderValue {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.user, self.password));
        let mut value = http::HeaderValue::from_str(&format!("Basic {token}")).expect("base64 is a valid header");
        value.set_sensitive(true);
        value
    }
}

impl Network {
    pub fn is_proxied(&self) -> bool {
        matches!(self, Network::Proxy { .. })
    }

    /// An HTTP client builder going this way (and no other).
    pub(crate) fn apply(&self, builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ClientError> {
        let builder = builder.no_proxy();
        match self {
            Network::Direct => Ok(builder),
            Network::Proxy { address, credentials } => {
                let mut proxy =
                    reqwest::Proxy::all(address.url()).map_err(|e| ClientError::local(ErrorCode::ProxyAddressInvalid, e.to_string()))?;
                if let Some(c) = credentials {
                    proxy = proxy.custom_http_auth(c.header());
                }
                Ok(builder.proxy(proxy))
            }
        }
    }
}
