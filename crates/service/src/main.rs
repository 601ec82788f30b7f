//! `kaigo-onboard-service`: run the onboarding service and look after its
//! certificates and offices.

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use kaigo_service::clock::{Clock as _, SystemClock};
use kaigo_service::config::{default_hashing_concurrency, ClassesConfig, Config, DeliveryConfig};
use kaigo_service::connections::ConnectionLimits;
use kaigo_service::demo::{self, write_private};
use kaigo_service::offices::{add_certificate, add_office, NewOffice};
use kaigo_service::pki::CertificateAuthority;
use kaigo_service::secrets::{CodeKey, PasswordHasher};
use kaigo_service::store::{DatabaseLocation, Db};
use kaigo_service::tls::TlsMaterial;
use kaigo_service::Application;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "kaigo-onboard-service", version, about = "The Kaigo Onboard onboarding service (介護WEBサービス Step 3)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service.
    Serve(ServeArgs),
    /// Create a certificate authority and a server certificate into a folder.
    InitCa {
        #[arg(long, default_value = "pki")]
        dir: PathBuf,
        /// Host names and IP addresses the server certificate is for.
        #[arg(long = "host", default_values_t = ["localhost".to_string(), "127.0.0.1".to_string()])]
        hosts: Vec<String>,
    },
    /// Add an office and mint its client certificate (.p12 and PEM).
    AddOffice(AddOfficeArgs),
    /// Make a demo folder (CA, office, certificate) and serve it in practice mode.
    Demo {
        #[arg(long, default_value = "demo-data")]
        dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// Requests per second per client (the API test raises it to be
        /// limited by its own pace, not refused).
        #[arg(long, default_value_t = kaigo_service::http::rate_limit::RateLimit::default().per_second)]
        rate_per_second: u32,
        /// Also run a class (研修) of this many seats, signed by the demo's
        /// CA, its trainer's page on the same address (the API test).
        #[arg(long)]
        class_seats: Option<u32>,
    },
    /// 研修を開く: open a class of practice offices for a room of PCs to
    /// rehearse Step 3 together, print the trainer's link and what the
    /// attendees type, and run it. Everything of the class is deleted when
    /// it ends; no mail or SMS ever leaves the service.
    OpenClass(OpenClassArgs),
    /// 失効: revoke an office's client certificate (a lost or stolen PC).
    /// Every instance on the database refuses it from its next call on,
    /// and the sessions opened with it end.
    RevokeCertificate(RevokeArgs),
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Args)]
struct OpenClassArgs {
    /// The class's name, shown to the trainer and the attendees.
    #[arg(long, default_value = "介護WEBサービス 初期設定の研修")]
    name: String,
    /// Seats (one practice office each).
    #[arg(long, default_value_t = 30)]
    seats: u32,
    /// Hours until the class ends and is deleted (more than 0, at most a year).
    #[arg(long, default_value = "3", value_parser = class_hours)]
    hours: f64,
    /// Folder for the class's CA, service key and database (made once,
    /// reused by later classes).
    #[arg(long, default_value = "class-data")]
    dir: PathBuf,
    /// Host names or IP addresses the attendees' PCs reach this machine by
    /// (this machine's address on the room's network); the first is the
    /// address they type.
    #[arg(long = "host")]
    hosts: Vec<String>,
    #[arg(long, default_value = "0.0.0.0:8443")]
    listen: SocketAddr,
    /// Where the trainer's page is served over plain HTTP, for a browser on
    /// this machine (loopback only).
    #[arg(long, default_value = "127.0.0.1:8080")]
    trainer_listen: SocketAddr,
    /// The database (default: class.db in --dir), or `postgres://…` shared
    /// by several instances.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<DatabaseLocation>,
    /// Open the class in the database and print its codes, but do not
    /// serve it (instances already running `serve --class-ca-key` do).
    #[arg(long)]
    no_serve: bool,
    /// The address attendees type, when it is not `https://<first host>:<port>`
    /// (behind a load balancer).
    #[arg(long)]
    public_url: Option<String>,
}

#[derive(Args)]
struct ServeArgs {
    #[arg(long, env = "KAIGO_LISTEN", default_value = "0.0.0.0:8443")]
    listen: SocketAddr,
    /// The SQLite file (made if missing), or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "onboarding.db")]
    database_url: DatabaseLocation,
    #[arg(long, env = "KAIGO_TLS_CERT")]
    tls_cert: PathBuf,
    #[arg(long, env = "KAIGO_TLS_KEY")]
    tls_key: PathBuf,
    /// CA whose client certificates are accepted.
    #[arg(long, env = "KAIGO_CLIENT_CA")]
    client_ca: PathBuf,
    /// That CA's certificate revocation list (PEM or DER), checked in every
    /// handshake and read again when the file changes.
    #[arg(long, env = "KAIGO_CLIENT_CRL")]
    client_crl: Option<PathBuf>,
    /// File with the 32-byte service key (hex); shared by all instances.
    #[arg(long, env = "KAIGO_SERVICE_KEY_FILE")]
    service_key_file: PathBuf,
    #[arg(long, env = "KAIGO_SMTP_URL")]
    smtp_url: Option<String>,
    #[arg(long, env = "KAIGO_MAIL_FROM")]
    mail_from: Option<String>,
    #[arg(long, env = "KAIGO_SMS_WEBHOOK_URL")]
    sms_webhook_url: Option<String>,
    #[arg(long, env = "KAIGO_SMS_WEBHOOK_TOKEN", hide_env_values = true)]
    sms_webhook_token: Option<String>,
    /// Keep messages in the practice mailbox instead of sending them.
    #[arg(long, env = "KAIGO_PRACTICE_MAILBOX")]
    practice_mailbox: bool,
    /// First retry delay for a failed delivery, in milliseconds.
    #[arg(long, env = "KAIGO_DELIVERY_RETRY_MS", default_value_t = 5000)]
    delivery_retry_ms: u64,
    /// One-time code lifetime in minutes (the service's rule is 30).
    #[arg(long, env = "KAIGO_CODE_LIFETIME_MINUTES", default_value_t = 30)]
    code_lifetime_minutes: i64,
    #[arg(long, env = "KAIGO_RATE_PER_SECOND", default_value_t = 10)]
    rate_per_second: u32,
    #[arg(long, env = "KAIGO_RATE_BURST", default_value_t = 30)]
    rate_burst: u32,
    #[arg(long, env = "KAIGO_PUBLIC_URL")]
    public_url: Option<String>,
    /// Connections open at once (lowered to fit the open-file limit).
    #[arg(long, env = "KAIGO_MAX_CONNECTIONS", default_value_t = ConnectionLimits::default().max_connections)]
    max_connections: usize,
    /// Connections one client certificate may hold at once.
    #[arg(long, env = "KAIGO_MAX_CONNECTIONS_PER_CERTIFICATE", default_value_t = ConnectionLimits::default().max_per_certificate)]
    max_connections_per_certificate: usize,
    /// Seconds a client has for the headers of a request (and an idle
    /// connection is kept).
    #[arg(long, env = "KAIGO_HEADER_TIMEOUT_SECONDS", default_value_t = ConnectionLimits::default().header_timeout.as_secs())]
    header_timeout_seconds: u64,
    /// Seconds a request has, once its headers are in, for its body and
    /// its answer.
    #[arg(long, env = "KAIGO_REQUEST_TIMEOUT_SECONDS", default_value_t = ConnectionLimits::default().request_timeout.as_secs())]
    request_timeout_seconds: u64,
    /// Seconds a stop waits for the requests in flight.
    #[arg(long, env = "KAIGO_DRAIN_TIMEOUT_SECONDS", default_value_t = ConnectionLimits::default().drain_timeout.as_secs())]
    drain_timeout_seconds: u64,
    /// 研修: the key of the client CA (--client-ca), to run classes with it
    /// (their seats' certificates are signed by it; messages stay in the
    /// practice mailbox).
    #[arg(long, env = "KAIGO_CLASS_CA_KEY")]
    class_ca_key: Option<PathBuf>,
    /// 研修: also serve the trainer's page over plain HTTP here (loopback).
    #[arg(long, env = "KAIGO_TRAINER_LISTEN")]
    trainer_listen: Option<SocketAddr>,
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["office", "certificate", "fingerprint"])))]
struct RevokeArgs {
    /// The SQLite file, or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "onboarding.db")]
    database_url: DatabaseLocation,
    /// Every certificate of this office (its KJ ID or 事業所番号).
    #[arg(long)]
    office: Option<String>,
    /// This certificate (a PEM file).
    #[arg(long)]
    certificate: Option<PathBuf>,
    /// The certificate with this SHA-256 fingerprint (hex).
    #[arg(long)]
    fingerprint: Option<String>,
    /// Why, kept with the revocation (e.g. "PC stolen 2026-12-06").
    #[arg(long)]
    reason: String,
}

#[derive(Args)]
struct AddOfficeArgs {
    /// The SQLite file (made if missing), or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "onboarding.db")]
    database_url: DatabaseLocation,
    /// Folder made by `init-ca`.
    #[arg(long, default_value = "pki")]
    ca_dir: PathBuf,
    /// 事業所番号 (10 digits).
    #[arg(long)]
    office_number: String,
    #[arg(long)]
    name: String,
    /// 電子請求受付システムのユーザID (KJ + 10 or 12).
    #[arg(long)]
    kj_id: String,
    #[arg(long, env = "KAIGO_OFFICE_PASSWORD", hide_env_values = true)]
    password: String,
    #[arg(long, env = "KAIGO_OFFICE_SECURITY_CODE", hide_env_values = true)]
    security_code: Option<String>,
    /// The office's registered mail address (one-time codes go there).
    #[arg(long)]
    email: String,
    /// Password protecting the minted .p12 file.
    #[arg(long, env = "KAIGO_P12_PASSWORD", hide_env_values = true)]
    p12_password: String,
    /// Certificate validity in days.
    #[arg(long, default_value_t = 365)]
    days: i64,
    /// Folder for the office's .p12 and PEM files.
    #[arg(long, default_value = ".")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kaigo_service::telemetry::init();
    match Cli::parse().command {
        Command::Serve(a) => serve(a).await,
        Command::InitCa { dir, hosts } => init_ca(&dir, &hosts),
        Command::AddOffice(a) => add_office_cmd(a).await,
        Command::RevokeCertificate(a) => revoke_cmd(a).await,
        Command::Demo { dir, listen, rate_per_second, class_seats } => demo_cmd(&dir, listen, rate_per_second, class_seats).await,
        Command::OpenClass(a) => open_class_cmd(a).await,
        Command::Openapi => {
            print!("{}", kaigo_service::http::openapi::json());
            Ok(())
        }
    }
}

fn read(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

async fn serve(a: ServeArgs) -> anyhow::Result<()> {
    let classes = match &a.class_ca_key {
        Some(key) => Some(ClassesConfig { ca_cert_pem: read(&a.client_ca)?, ca_key_pem: read(key)?, trainer_listen: a.trainer_listen }),
        None => None,
    };
    let policy =
        kaigo_domain::Policy { one_time_code_lifetime: time::Duration::minutes(a.code_lifetime_minutes.max(1)), ..Default::default() };
    let config = Config {
        listen: a.listen,
        database: a.database_url,
        tls: TlsMaterial {
            server_cert_chain_pem: read(&a.tls_cert)?,
            server_key_pem: read(&a.tls_key)?,
            client_ca_pem: read(&a.client_ca)?,
            client_crl: a.client_crl,
        },
        code_key: CodeKey::from_hex(&read(&a.service_key_file)?)?,
        delivery: DeliveryConfig {
            // A service running classes keeps every message.
            practice_mailbox: a.practice_mailbox || classes.is_some(),
            smtp_url: a.smtp_url,
            mail_from: a.mail_from.unwrap_or_else(|| DeliveryConfig::default().mail_from),
            sms_webhook_url: a.sms_webhook_url,
            sms_webhook_token: a.sms_webhook_token,
            retry_base: std::time::Duration::from_millis(a.delivery_retry_ms.max(1)),
            ..DeliveryConfig::default()
        },
        policy,
        rate_limit: kaigo_service::http::rate_limit::RateLimit { per_second: a.rate_per_second, burst: a.rate_burst },
        connections: ConnectionLimits {
            max_connections: a.max_connections.max(1),
            max_per_certificate: a.max_connections_per_certificate.max(1),
            header_timeout: std::time::Duration::from_secs(a.header_timeout_seconds.max(1)),
            request_timeout: std::time::Duration::from_secs(a.request_timeout_seconds.max(1)),
            drain_timeout: std::time::Duration::from_secs(a.drain_timeout_seconds),
            ..ConnectionLimits::default()
        },
        hashing_concurrency: default_hashing_concurrency(),
        public_url: a.public_url,
        classes,
    };
    let app = Application::build(config, Arc::new(SystemClock)).await?;
    // Tests and scripts read this line to find the port.
    println!("listening on https://{}", app.addr());
    app.run_until_stopped().await
}

fn init_ca(dir: &std::path::Path, hosts: &[String]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    anyhow::ensure!(!dir.join("ca-key.pem").exists(), "{} already holds a CA", dir.display());
    let now = SystemClock.now();
    let ca = CertificateAuthority::create(kaigo_domain::pc_certificates::rehearsal_ca::HOSTED, now)?;
    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let server = ca.issue_server(&hosts, now)?;
    std::fs::write(dir.join("ca.pem"), ca.cert_pem())?;
    write_private(&dir.join("ca-key.pem"), ca.key_pem().as_bytes())?;
    std::fs::write(dir.join("server.pem"), server.cert_pem)?;
    write_private(&dir.join("server-key.pem"), server.key_pem.as_bytes())?;
    write_private(&dir.join("service.key"), CodeKey::generate().to_hex().as_bytes())?;
    println!("CA, server certificate and service key written to {}", dir.display());
    Ok(())
}

async fn add_office_cmd(a: AddOfficeArgs) -> anyhow::Result<()> {
    let now = SystemClock.now();
    let ca = CertificateAuthority::from_pem(&read(&a.ca_dir.join("ca.pem"))?, &read(&a.ca_dir.join("ca-key.pem"))?)?;
    let db = Db::connect(&a.database_url).await?;
    let hasher = PasswordHasher::new(default_hashing_concurrency());
    let office = NewOffice {
        office_number: a.office_number.clone(),
        name: a.name.clone(),
        electronic_billing_id: a.kj_id.clone(),
        password: SecretString::from(a.password),
        security_code: a.security_code.map(SecretString::from),
        email: a.email,
    };
    add_office(&db, &hasher, &office, now).await?;
    let kj = kaigo_domain::ElectronicBillingId::parse(&a.kj_id)?;
    let client = ca.issue_office_client(&a.office_number, &a.name, now - time::Duration::hours(1), now + time::Duration::days(a.days))?;
    add_certificate(&db, kj.as_str(), &client.cert_der, &a.name, client.not_after, now).await?;
    std::fs::create_dir_all(&a.out)?;
    let base = a.out.join(kj.as_str());
    let p12 = base.with_extension("p12");
    write_private(&p12, &client.to_pkcs12(&ca.cert_pem(), &a.p12_password, kj.as_str())?)?;
    std::fs::write(base.with_extension("pem"), &client.cert_pem)?;
    write_private(&a.out.join(format!("{}-key.pem", kj.as_str())), client.key_pem.as_bytes())?;
    println!("office {} added; client certificate: {}", kj.as_str(), p12.display());
    Ok(())
}

async fn revoke_cmd(a: RevokeArgs) -> anyhow::Result<()> {
    use kaigo_service::offices::{revoke_certificates, CertificatesToRevoke};
    let which = match (a.office, a.certificate, a.fingerprint) {
        (Some(office), _, _) => CertificatesToRevoke::OfOffice(office),
        (_, Some(pem), _) => {
            let der = kaigo_service::tls::certs_from_pem(&read(&pem)?)?.remove(0);
            CertificatesToRevoke::Fingerprint(kaigo_service::pki::fingerprint(&der))
        }
        (_, _, Some(fingerprint)) => CertificatesToRevoke::Fingerprint(fingerprint),
        _ => anyhow::bail!("say which certificate: --office, --certificate or --fingerprint"),
    };
    let db = Db::connect(&a.database_url).await?;
    let revoked = revoke_certificates(&db, &which, &a.reason, SystemClock.now()).await?;
    for c in &revoked {
        println!("revoked {} ({})", c.fingerprint, c.subject);
    }
    db.close().await;
    Ok(())
}

async fn demo_cmd(dir: &std::path::Path, listen: SocketAddr, rate_per_second: u32, class_seats: Option<u32>) -> anyhow::Result<()> {
    let files = demo::prepare(dir).await?;
    let mut config = demo::config(&files, listen)?;
    config.rate_limit.per_second = rate_per_second.max(1);
    config.rate_limit.burst = config.rate_limit.burst.max(rate_per_second);
    if class_seats.is_some() {
        config.classes =
            Some(ClassesConfig { ca_cert_pem: read(&files.ca_cert)?, ca_key_pem: read(&dir.join("ca-key.pem"))?, trainer_listen: None });
    }
    let app = Application::build(config, demo::clock()).await?;
    if let Some(seats) = class_seats {
        let ob = &app.onboarding;
        let now = SystemClock.now();
        let request = kaigo_service::classes::ClassRequest { name: "デモ研修".into(), seats, ends_at: now + time::Duration::hours(8) };
        let opened = kaigo_service::classes::open_class(&ob.db, &ob.hasher, &ob.code_key, &ob.class_policy, &request, now)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.code().as_str()))?;
        println!("  class join code:     {}", opened.join_code.display());
        println!(
            "  trainer's link:      https://{}/trainer/sign-in?secret={}",
            app.addr(),
            secrecy::ExposeSecret::expose_secret(&opened.trainer_secret)
        );
    }
    println!("Kaigo Onboard practice service (練習モード)");
    println!("  URL:                 https://{}", app.addr());
    println!("  KJ ID:               {}", demo::ELECTRONIC_BILLING_ID);
    println!("  password:            {}", demo::PASSWORD);
    println!("  security code:       {}", demo::SECURITY_CODE);
    println!("  client certificate:  {} (password {})", files.client_p12.display(), demo::P12_PASSWORD);
    println!("  client cert PEM:     {} + {}", files.client_cert.display(), files.client_key.display());
    println!("  CA certificate:      {}", files.ca_cert.display());
    println!("  mailbox:             https://{}/v1/practice/mailbox", app.addr());
    println!("listening on https://{}", app.addr());
    app.run_until_stopped().await
}

/// `--hours`: a number of hours a class can last; anything else (not a
/// number, `nan`, `inf`, zero or less, over a year) is refused before
/// anything is made.
fn class_hours(text: &str) -> Result<f64, String> {
    const MAX: f64 = 24.0 * 366.0;
    match text.trim().parse::<f64>() {
        Ok(h) if h.is_finite() && h > 0.0 && h <= MAX => Ok(h),
        _ => Err(format!("the class's length in hours: a number more than 0 and at most {MAX} (a year), not {text:?}")),
    }
}

async fn open_class_cmd(a: OpenClassArgs) -> anyhow::Result<()> {
    // Refused before the class is opened in the database: a refused start
    // must leave nothing behind.
    if !a.no_serve {
        anyhow::ensure!(
            a.trainer_listen.ip().is_loopback(),
            "the trainer's plain-HTTP page listens on a loopback address only, not {}",
            a.trainer_listen
        );
    }
    let now = SystemClock.now();
    let settings = kaigo_service::classes::host::HostSettings {
        dir: a.dir.clone(),
        listen: a.listen,
        hosts: a.hosts.clone(),
        trainer_listen: Some(a.trainer_listen),
        database: a.database_url.clone(),
        public_url: a.public_url.clone(),
    };
    let request = kaigo_service::classes::ClassRequest {
        name: a.name.clone(),
        seats: a.seats,
        ends_at: now + time::Duration::seconds_f64(a.hours * 3600.0),
    };
    let secrets = kaigo_service::classes::room::FolderSecrets(a.dir.clone());
    let (room, opened) = kaigo_service::classes::host::open(&settings, &secrets, &request, now).await?;
    // Instances started by `serve` (beside this one, or after `--no-serve`)
    // read the room by path.
    room.write_server_files(&a.dir)?;
    let public_url = settings.public_url(a.listen.port());
    let authority =
        kaigo_service::classes::ClassAuthority::from_pem(&room.ca_cert_pem, secrecy::ExposeSecret::expose_secret(&room.ca_key_pem))?;
    let invitation = kaigo_service::classes::ClassInvitation::new(&public_url, &opened.join_code, &authority);
    let ends = request.ends_at.to_offset(kaigo_domain::messages::JAPAN_TIME);
    let trainer_host = if a.no_serve { public_url.clone() } else { format!("http://{}", a.trainer_listen) };
    println!("研修を開きました / class opened: {} ({} seats, until {:02}:{:02} JST)", a.name, a.seats, ends.hour(), ends.minute());
    println!("  講師用リンク (trainer's link, keep it to yourself):");
    println!("    {trainer_host}/trainer/sign-in?secret={}", secrecy::ExposeSecret::expose_secret(&opened.trainer_secret));
    println!("  受講者が入力するもの (what attendees type in the app's 「研修に参加する」):");
    println!("    接続先 (address):        {}", invitation.service_url);
    println!("    参加コード (join code):  {}", invitation.join_code);
    println!("    確認コード (check code): {}", invitation.short_pin);
    println!("  参加用リンク (join link, for online classes): {}", invitation.join_link);
    if a.no_serve {
        return Ok(());
    }
    let app = kaigo_service::classes::host::build(&settings, &room, Arc::new(SystemClock)).await?;
    if let Some(at) = app.trainer_addr() {
        println!("trainer's page on http://{at}/trainer");
    }
    println!("listening on https://{}", app.addr());
    app.run_until_stopped().await
}
