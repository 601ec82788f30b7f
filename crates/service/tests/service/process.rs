//! The service program as its own process, started the way an operator
//! starts it. Shared by the tests and the benches (`benches/common`).

use std::time::Duration;

/// The service binary running as its own process.
pub struct ServiceProcess {
    pub child: tokio::process::Child,
    pub url: String,
}

/// Starts `kaigo-onboard-service serve` with the PKI files in `dir`
/// (`server.pem`, `server-key.pem`, `ca.pem`, `service.key`) on a free port.
pub async fn start_service_process(dir: &std::path::Path, database: &std::path::Path, extra: &[&str]) -> ServiceProcess {
    start_service_process_under(&[], dir, database, extra).await
}

/// The same, started through `wrapper` (e.g. `prlimit …`), which must exec it.
pub async fn start_service_process_under(
    wrapper: &[&str], dir: &std::path::Path, database: &std::path::Path, extra: &[&str],
) -> ServiceProcess {
    spawn_service_process(wrapper, dir, database, extra, None).await
}

/// The same, logging at `filter` (`KAIGO_LOG`) to a piped stderr, which the
/// test reads from `child.stderr`.
pub async fn start_service_process_logging(
    dir: &std::path::Path, database: &std::path::Path, extra: &[&str], filter: &str,
) -> ServiceProcess {
    spawn_service_process(&[], dir, database, extra, Some(filter)).await
}

/// The service process, started through `wrapper` if any, logging at
/// `log` to a piped stderr if given (else `warn`, to the test's stderr).
pub async fn spawn_service_process(
    wrapper: &[&str], dir: &std::path::Path, database: &std::path::Path, extra: &[&str], log: Option<&str>,
) -> ServiceProcess {
    use tokio::io::AsyncBufReadExt as _;
    let bin = env!("CARGO_BIN_EXE_kaigo-onboard-service");
    let mut command = match wrapper.split_first() {
        Some((program, args)) => {
            let mut c = tokio::process::Command::new(program);
            c.args(args).arg(bin);
            c
        }
        None => tokio::process::Command::new(bin),
    };
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url"])
        .arg(database)
        .args(extra)
        .arg("--tls-cert")
        .arg(dir.join("server.pem"))
        .arg("--tls-key")
        .arg(dir.join("server-key.pem"))
        .arg("--client-ca")
        .arg(dir.join("ca.pem"))
        .arg("--service-key-file")
        .arg(dir.join("service.key"))
        .env("KAIGO_LOG", log.unwrap_or("warn"))
        .stdout(std::process::Stdio::piped())
        .stderr(if log.is_some() { std::process::Stdio::piped() } else { std::process::Stdio::inherit() })
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await.unwrap().unwrap().unwrap();
    let url = line.strip_prefix("listening on ").unwrap().to_owned();
    ServiceProcess { child, url }
}
