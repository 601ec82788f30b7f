use kaigo_api::ErrorBody;
use kaigo_domain::ErrorCode;

/// A refusal or fault, always with the domain's error code.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service answered with an error body.
    #[error("{status}: {}", body.code.as_str())]
    Api { status: u16, body: ErrorBody },
    /// No answer: TLS refused, connection failed, or a local problem.
    #[error("{}: {detail}", code.as_str())]
    Local { code: ErrorCode, detail: String, unreached: Option<Unreached> },
}

/// Why a connection found no service, as far as this PC can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreached {
    /// The address answered that nothing listens there (connection refused).
    Refused,
    /// Nothing answered in time: a firewall, a network that keeps devices
    /// apart, or an address elsewhere.
    NoAnswer,
    /// The host name was not found.
    NameNotFound,
}

impl ClientError {
    pub(crate) fn local(code: ErrorCode, detail: impl Into<String>) -> Self {
        ClientError::Local { code, detail: detail.into(), unreached: None }
    }

    /// Why no service was reached, when that is what went wrong.
    pub fn unreached(&self) -> Option<Unreached> {
        match self {
            ClientError::Local { unreached, .. } => *unreached,
            ClientError::Api { .. } => None,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ClientError::Api { body, .. } => body.code,
            ClientError::Local { code, .. } => *code,
        }
    }

    /// The Japanese message to show staff: the service's own, or for a
    /// failure before any answer (TLS, network), the code's, which states
    /// no number of the policy.
    pub fn message_ja(&self) -> String {
        match self {
            ClientError::Api { body, .. } => body.message.clone(),
            ClientError::Local { code, .. } => code.message_ja(&kaigo_domain::Policy::default()),
        }
    }

    /// Wrong entries the service still allows before a lock or a void code.
    pub fn tries_left(&self) -> Option<u32> {
        match self {
            ClientError::Api { body, .. } => body.tries_left,
            ClientError::Local { .. } => None,
        }
    }

    /// The request field the service named as at fault.
    pub fn field(&self) -> Option<&str> {
        match self {
            ClientError::Api { body, .. } => body.field.as_deref(),
            ClientError::Local { .. } => None,
        }
    }

    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            ClientError::Api { body, .. } => body.retry_after_seconds,
            ClientError::Local { .. } => None,
        }
    }

    /// Maps a transport failure to a code by what the TLS layer said: the
    /// server's alert tells a missing, unknown or expired certificate apart.
    pub(crate) fn from_transport(e: reqwest::Error) -> Self {
        Self::from_transport_via(e, false)
    }

    /// As [`Self::from_transport`], for a call that went through a proxy:
    /// a connection that failed is then the proxy's, and the proxy's own
    /// refusals (407, any other answer to CONNECT) are told apart.
    pub(crate) fn from_transport_via(e: reqwest::Error, proxied: bool) -> Self {
        let e = e.without_url();
        let mut detail = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            detail.push_str(&format!(": {c}"));
            cause = c.source();
        }
        // io::Error hides what it wraps from `source()`: open each layer.
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(s) = source {
            if let Some(tls) = s.downcast_ref::<rustls::Error>() {
                return ClientError::local(tls_code(tls), format!("{detail}: {tls}"));
            }
            source = match s.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => s.source(),
            };
        }
        let code = if proxied && e.is_connect() {
            proxy_code(&detail)
        } else if e.is_timeout() || e.is_connect() {
            ErrorCode::ServiceUnreachable
        } else {
            ErrorCode::ServiceUnavailable
        };
        let unreached = if code == ErrorCode::ServiceUnreachable { Some(unreached_by(&e, &detail)) } else { None };
        ClientError::Local { code, detail, unreached }
    }
}

/// Why a direct connection failed: the kind of the I/O error under it, or
/// the resolver's words (hyper-util's DNS error type is not exported).
fn unreached_by(e: &reqwest::Error, detail: &str) -> Unreached {
    if e.is_timeout() {
        return Unreached::NoAnswer;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        let io = s.downcast_ref::<std::io::Error>();
        match io.map(std::io::Error::kind) {
            Some(std::io::ErrorKind::ConnectionRefused) => return Unreached::Refused,
            Some(std::io::ErrorKind::TimedOut) => return Unreached::NoAnswer,
            _ => {}
        }
        // io::Error hides what it wraps from `source()`: open it.
        source = match io.and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => s.source(),
        };
    }
    if detail.contains("dns error") || detail.contains("failed to lookup address") {
        Unreached::NameNotFound
    } else {
        Unreached::NoAnswer
    }
}

/// What a failed CONNECT through a proxy means, by what hyper-util's
/// tunnel said (its error type is not exported): asked for credentials,
/// refused, or not reached at all.
pub(crate) fn proxy_code(detail: &str) -> ErrorCode {
    if detail.contains("proxy authorization required") {
        ErrorCode::ProxyAuthenticationRequired
    } else if detail.contains("tunnel error: unsuccessful") {
        ErrorCode::ProxyRefused
    } else {
        ErrorCode::ProxyUnreachable
    }
}

pub(crate) fn tls_code(e: &rustls::Error) -> ErrorCode {
    use rustls::AlertDescription as A;
    match e {
        rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other))
            if other.0.downcast_ref::<crate::trust::InspectedBy>().is_some() =>
        {
            ErrorCode::TlsInspected
        }
        rustls::Error::AlertReceived(A::CertificateRequired) => ErrorCode::ClientCertificateRequired,
        rustls::Error::AlertReceived(A::CertificateExpired) => ErrorCode::ClientCertificateExpired,
        rustls::Error::AlertReceived(A::CertificateRevoked) => ErrorCode::ClientCertificateRevoked,
        rustls::Error::AlertReceived(
            A::UnknownCA | A::BadCertificate | A::CertificateUnknown | A::AccessDenied | A::UnsupportedCertificate,
        ) => ErrorCode::ClientCertificateRejected,
        rustls::Error::AlertReceived(A::HandshakeFailure) => ErrorCode::ClientCertificateRequired,
        rustls::Error::InvalidCertificate(_) => ErrorCode::ServerCertificateUntrusted,
        _ => ErrorCode::ServiceUnavailable,
    }
}
