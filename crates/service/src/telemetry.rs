//! Logging. Lines carry ids, codes and outcomes, never passwords, codes,
//! tokens, bodies of messages or addresses.

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KAIGO_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr).try_init();
}
