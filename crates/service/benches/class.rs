#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is right
//! A class (研修) of 500 seats, against the release service binary on
//! loopback, opened and served the way an operator does it:
//! `kaigo-onboard-service open-class --no-serve --seats 500 …` writes the
//! class's CA, server certificate and service key and opens the class in
//! the database; `serve --class-ca-key … --trainer-listen …` (with the
//! rate limit lifted, as the other benches do) runs it.
//!
//! 500 simulated attendees start at once (tokio tasks released together),
//! each with its own P-256 key pair and certificate request, made before
//! the start as a PC has its key. Each goes through the client crate as
//! the app does: the class's CA fetched and checked against the short pin
//! the CLI printed (`fetch_class_authority`), `join_class`, then Step 3 with
//! the seat's certificate, as the first test of `tests/service/classes.rs`
//! walks it: office login, the code from the seat's practice mailbox (and
//! the seat's security code, every third seat), admin registration, the
//! initial password from the mailbox, admin login, code, password change,
//! then the terminal's pre-setup (issue, redeem the activation code with a
//! device key, prove it). A call answered `rate_limited` is made again
//! after its Retry-After, as an attendee would press again; those retries
//! are counted and printed, never hidden. (The rate limit is lifted, but a
//! service holds at most 64 connections without a client certificate at
//! once, `ConnectionLimits::max_without_certificate`, which `serve` has no
//! flag for: fetching the CA, joining and the device's activation have no
//! certificate, so of 500 PCs joining at once most are first answered
//! `rate_limited`, Retry-After 1 s.) Any other refusal ends that attendee
//! with an error.
//!
//! The trainer signs in with the link's secret on the trainer's loopback
//! listener (`/trainer/sign-in` → cookie) and follows `/v1/trainer/events`
//! (server-sent `grid` events) for the whole run. For each seat's step
//! change (joined → 3-1, office signed in → 3-2, admin registered → 3-3,
//! password changed → 3-4, terminal linked → 完了) the benchmark keeps when
//! the attendee got the answer that caused it and when the trainer's stream
//! first showed the seat at that step or past it; the delay's p50/p99 is
//! printed (goal: p99 ≤ 1 s).
//!
//! Two configurations: (a) one instance on SQLite; (b) two instances on
//! one PostgreSQL database, the attendees split half and half between them
//! (every call of an attendee goes to its instance), the trainer on the
//! first one, which must see every seat. PostgreSQL is the server named by
//! `KAIGO_TEST_POSTGRES_URL`; without it, one is started with
//! `scripts/pg-test-server.sh start` in a folder of this run's own
//! (`KAIGO_PG_DIR`, so that another user of the script is not disturbed; the
//! port is one the kernel chose) and stopped at the end; if neither works, (b) is
//! printed as skipped with the reason.
//!
//! The floor is the password hashing the class's Step 3 needs, measured on
//! the same cores in the same run: raw Argon2id with the parameters the
//! service really uses (read back from a hash it made), as many threads
//! hashing at once as the service's pool has (one per core), each reusing
//! its work area; measured before and after each configuration, averaged.
//! The hashes a seat's Step 3 costs, counted from the code path (which
//! calls hash or verify a password, `PasswordHasher::hash`/`verify`):
//! - `office_login` (3-1): 1 verify of the office password
//!   (`onboarding/login.rs`, `password_step`);
//! - `office_verify`: 1 verify of the security code, only for a seat whose
//!   office has one (`onboarding/office_login.rs`; `open_class` gives one
//!   to every third seat, 166 of 500); the one-time code is an HMAC, no hash;
//! - `register_admin` (3-2): 1 hash of the initial password
//!   (`onboarding/registration.rs`);
//! - `user_login` (3-3): 1 verify of the initial password (`password_step`);
//!   `send_user_code`, `user_verify`: none (HMAC);
//! - `change_password`: 1 verify of the current password and 1 hash of the
//!   new one (`onboarding/password_change.rs`);
//! - joining, the mailbox, the terminal's issue/redeem/prove (HMAC and
//!   Ed25519) and the trainer's calls (HMAC, SHA-256): none.
//!
//! So 5 a seat, 6 for a seat with a security code: 5 × 500 + 166 = 2,666
//! for the class (the benchmark counts them from the seats that finished).
//! The floor is that count over the raw hashes/s, and wall/floor is printed
//! (goal ≤ 1.3×). Opening the class (500 office passwords and 166 security
//! codes hashed by `open-class`) happens before the attendees start; its
//! time is printed apart, with its own floor.
//!
//! Also printed per configuration: seats finished / 500 and errors (the
//! first few messages), wall time, p50/p99 of each kind of call (the
//! answering try; the retries beside), the wait for mail, CPU used by the
//! service and by the benchmark, and each service process's peak RSS
//! (VmHWM). Times are printed against goals, never asserted; the program
//! exits non-zero if any seat did not finish.
//! Run: `cargo bench -p kaigo-service --bench class`.

#[allow(dead_code)] // shared with the tests, which use more of it
#[path = "../tests/service/process.rs"]
mod process;

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine as _;
use kaigo_api::class::{JoinedClass, TrainerGrid, TrainerGridChange};
use kaigo_api::office::AdminRegistrationRequest;
use kaigo_api::user::UserLoginOutcome;
use kaigo_client::class::fetch_class_authority;
use kaigo_client::{ClientError, ClientIdentity, ErrorCode, OnboardingClient, ServerTrust};
use kaigo_domain::class::{CaPin, ClassStep};
use kaigo_domain::DeliveryChannel;
use kaigo_service::config::default_hashing_concurrency;
use kaigo_service::secrets::PasswordHasher;
use secrecy::SecretString;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SEATS: usize = 500;
const BIN: &str = env!("CARGO_BIN_EXE_kaigo-onboard-service");
/// The rate limit lifted, as `benches/common` does.
const NO_LIMIT: [&str; 4] = ["--rate-per-second", "100000", "--rate-burst", "100000"];
const RAW_RUN: Duration = Duration::from_secs(3);
/// How often an attendee looks in the seat's mailbox while waiting for mail.
const MAIL_POLL: Duration = Duration::from_millis(200);
/// How long an attendee waits for a message, or retries a refused call.
const GIVE_UP: Duration = Duration::from_secs(120);
/// How long the trainer's stream may take to show the last seats finished.
const TRAINER_GRACE: Duration = Duration::from_secs(10);
const NEW_PASSWORD: &str = "Seat-pass-2026x";
/// Steps as ordinals: NotJoined 0 … Finished 5.
const STEP_NAMES: [&str; 6] = ["未参加", "3-1 office login", "3-2 admin registration", "3-3 admin login", "3-4 terminal", "完了 finished"];
const KINDS: [&str; 13] = [
    "class authority",
    "join",
    "office login",
    "office verify",
    "register admin",
    "user login",
    "send user code",
    "user verify",
    "change password",
    "issue terminal",
    "redeem activation",
    "prove terminal",
    "mailbox read",
];

fn step_ordinal(step: ClassStep) -> u8 {
    match step {
        ClassStep::NotJoined => 0,
        ClassStep::OfficeLogin => 1,
        ClassStep::AdminRegistration => 2,
        ClassStep::AdminLogin => 3,
        ClassStep::Terminal => 4,
        ClassStep::Finished => 5,
    }
}

// ---- the floor ----

/// Raw Argon2id hashes/s of `threads` threads hashing at once for `run`,
/// each with its own reused work area (as the service's pool threads).
fn raw_hash_rate(params: &Params, threads: usize, run: Duration) -> f64 {
    let start = Instant::now();
    let deadline = start + run;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let params = params.clone();
                s.spawn(move || {
                    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
                    let mut memory = vec![Block::default(); params.block_count()];
                    let salt = [t as u8; 16];
                    let mut out = [0u8; 32];
                    let mut n = 0usize;
                    while Instant::now() < deadline {
                        argon.hash_password_into_with_memory(format!("Seat-pass-{n:04}").as_bytes(), &salt, &mut out, &mut memory).unwrap();
                        n += 1;
                    }
                    n as f64 / start.elapsed().as_secs_f64()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

// ---- /proc ----

/// CPU seconds a process has used (its ended threads included).
fn process_cpu(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    ticks(&stat)
}

/// utime + stime of a `stat` line, in seconds.
fn ticks(stat: &str) -> f64 {
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    (fields.get(11).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) + fields.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0))
        / 100.0 // USER_HZ on Linux
}

/// CPU seconds of the service's password hashing threads (`argon2-N`).
fn hashing_cpu(pid: u32) -> f64 {
    let mut secs = 0.0;
    for entry in std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten() {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        if stat.contains("(argon2-") {
            secs += ticks(&stat);
        }
    }
    secs
}

/// CPU seconds of every `postgres` process on the machine (the server and
/// its backends, with those ended since: their time is the server's
/// children's).
fn postgres_cpu() -> f64 {
    let mut secs = 0.0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        if stat.contains(" (postgres) ") {
            let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
            // utime stime cutime cstime
            secs += (11..=14).filter_map(|i| fields.get(i).and_then(|v| v.parse::<f64>().ok())).sum::<f64>() / 100.0;
        }
    }
    secs
}

/// CPU seconds the whole machine has been busy (all processes), and those
/// the host took from it (steal).
fn machine_busy() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<f64> = stat.lines().next().unwrap_or_default().split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    let at = |i: usize| f.get(i).copied().unwrap_or(0.0) / 100.0;
    // user nice system idle iowait irq softirq steal
    (at(0) + at(1) + at(2) + at(5) + at(6), at(7))
}

/// What the machine did besides `pids` (and PostgreSQL's processes, when
/// `postgres`) from `start` to `stop`: other programs' cores busy, cores
/// stolen by the host, and `pids`' own CPU.
struct Load {
    pids: Vec<u32>,
    postgres: bool,
    busy: (f64, f64),
    ours: f64,
    at: Instant,
}

impl Load {
    fn start(pids: &[u32], postgres: bool) -> Load {
        let mut load = Load { pids: pids.to_vec(), postgres, busy: machine_busy(), ours: 0.0, at: Instant::now() };
        load.ours = load.ours_now();
        load
    }

    fn ours_now(&self) -> f64 {
        self.pids.iter().map(|&p| process_cpu(p)).sum::<f64>() + if self.postgres { postgres_cpu() } else { 0.0 }
    }

    /// (other programs' cores, stolen cores, CPU seconds of ours).
    fn stop(self) -> (f64, f64, f64) {
        let (busy, steal) = machine_busy();
        let ours = self.ours_now() - self.ours;
        let wall = self.at.elapsed().as_secs_f64();
        (((busy - self.busy.0) - ours).max(0.0) / wall, (steal - self.busy.1) / wall, ours)
    }
}

/// A line of /proc/<pid>/status in MiB (`VmHWM`: the peak RSS).
fn status_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim_start_matches(':').trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

// ---- small helpers ----

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

/// The first run of six digits in a message (the one-time code).
fn code_in(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(6).find(|w| w.iter().all(|c| c.is_ascii_digit())).map(|w| w.iter().collect())
}

/// The value after `label` on its line (the initial password).
fn value_after(text: &str, label: &str) -> Option<String> {
    let start = text.find(label)? + label.len();
    text[start..].split(char::is_whitespace).next().map(str::to_owned)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn goal(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

// ---- an attendee ----

/// What one attendee did and when.
#[derive(Default)]
struct SeatRun {
    seat: Option<u32>,
    security_code: bool,
    /// (step ordinal, when the answer that moved the seat there arrived).
    steps: Vec<(u8, Instant)>,
    /// (kind, time of the answering try).
    calls: Vec<(&'static str, Duration)>,
    /// Kinds of the tries answered `rate_limited` and made again.
    rate_limited: Vec<&'static str>,
    /// From the answer that queued a message to its reading in the mailbox.
    mail_waits: Vec<Duration>,
    error: Option<String>,
    finished: bool,
    ended: Option<Instant>,
}

impl SeatRun {
    /// Makes the call `f` makes; a `rate_limited` answer is waited out and
    /// the call made again (counted), any other refusal is the error.
    async fn call<T, Fut>(&mut self, kind: &'static str, mut f: impl FnMut() -> Fut) -> Result<T, String>
    where
        Fut: std::future::Future<Output = Result<T, ClientError>>,
    {
        let first = Instant::now();
        loop {
            let t = Instant::now();
            match f().await {
                Ok(v) => {
                    self.calls.push((kind, t.elapsed()));
                    return Ok(v);
                }
                Err(e) if e.code() == ErrorCode::RateLimited && first.elapsed() < GIVE_UP => {
                    self.rate_limited.push(kind);
                    tokio::time::sleep(Duration::from_secs(e.retry_after_seconds().unwrap_or(1).max(1))).await;
                }
                Err(e) => return Err(format!("{kind}: {} ({e})", e.code().as_str())),
            }
        }
    }

    /// The newest message to `to` once there are more than `seen`.
    async fn mail(&mut self, client: &OnboardingClient, to: &str, seen: usize, since: Instant) -> Result<String, String> {
        loop {
            tokio::time::sleep(MAIL_POLL).await;
            let messages = self.call("mailbox read", || client.practice_mailbox(Some(to))).await?;
            if messages.len() > seen {
                self.mail_waits.push(since.elapsed());
                return Ok(messages[0].body.clone());
            }
            if since.elapsed() > GIVE_UP {
                return Err(format!("no message to {to} within {} s", GIVE_UP.as_secs()));
            }
        }
    }

    fn reached(&mut self, step: u8) {
        self.steps.push((step, Instant::now()));
    }
}

/// What an attendee is given: the address and the codes on the projector.
struct Invitation {
    url: String,
    pin: CaPin,
    join_code: String,
}

/// One attendee's PC: its own key and certificate request.
struct Pc {
    key_pem: String,
    request_pem: String,
}

impl Pc {
    fn new() -> Pc {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let request_pem = rcgen::CertificateParams::default().serialize_request(&key).unwrap().pem().unwrap();
        Pc { key_pem: key.serialize_pem(), request_pem }
    }
}

async fn attend(n: usize, pc: Pc, to: Invitation, start: Arc<tokio::sync::Barrier>) -> SeatRun {
    let mut run = SeatRun::default();
    start.wait().await;
    match walk(&mut run, n, &pc, &to).await {
        Ok(()) => run.finished = true,
        Err(e) => run.error = Some(format!("attendee {n} (seat {}): {e}", run.seat.map_or("-".to_owned(), |s| s.to_string()))),
    }
    run.ended = Some(Instant::now());
    run
}

/// Joining and Step 3 through to the terminal, as `classes.rs`'s first test.
async fn walk(run: &mut SeatRun, n: usize, pc: &Pc, to: &Invitation) -> Result<(), String> {
    let url = to.url.as_str();
    let ca = run.call("class authority", || fetch_class_authority(url, &to.pin)).await?;
    let joining = OnboardingClient::for_joining(url, &ca).map_err(|e| e.to_string())?;
    let joined: JoinedClass = run.call("join", || joining.join_class(&to.join_code, &pc.request_pem)).await?;
    run.reached(1);
    drop(joining);
    run.seat = Some(joined.seat_number);
    let s = &joined.sign_in;
    run.security_code = s.security_code.is_some();

    // 3-1 with the seat's certificate.
    let trust = ServerTrust::CaPem(ca.clone());
    let identity = ClientIdentity::from_pem(&joined.certificate_pem, &pc.key_pem).map_err(|e| e.to_string())?;
    let seat = OnboardingClient::new(url, &trust, Some(&identity)).map_err(|e| e.to_string())?;
    let challenge = run.call("office login", || seat.office_login(&s.electronic_billing_id, &s.password)).await?;
    let mail = run.mail(&seat, &s.office_email, 0, Instant::now()).await?;
    let code = code_in(&mail).ok_or("no code in the office's mail")?;
    let office = run.call("office verify", || seat.office_verify(&challenge.challenge_id, &code, s.security_code.as_deref())).await?;
    run.reached(2);

    // 3-2.
    let user_id = format!("seatadmin{n:03}");
    let email = format!("{user_id}@example.jp");
    let req = AdminRegistrationRequest {
        name: "介護 花子".into(),
        email: Some(email.clone()),
        phone: None,
        service_types: vec!["43".into(), "11".into()],
        job_category: "01".into(),
        user_id: user_id.clone(),
    };
    let key = OnboardingClient::new_idempotency_key();
    run.call("register admin", || seat.register_admin(&office.session_token, &key, &req)).await?;
    run.reached(3);
    let mail = run.mail(&seat, &email, 0, Instant::now()).await?;
    let initial = value_after(&mail, "初期パスワード：").ok_or("no initial password in the admin's mail")?;

    // 3-3: the initial password, a code by mail, the password changed.
    let outcome = run.call("user login", || seat.user_login(&user_id, &initial, None)).await?;
    let UserLoginOutcome::CodeRequired { challenge_id, .. } = outcome else { return Err("user login: no code step".into()) };
    run.call("send user code", || seat.send_user_code(&challenge_id, DeliveryChannel::Email)).await?;
    let mail = run.mail(&seat, &email, 1, Instant::now()).await?;
    let code = code_in(&mail).ok_or("no code in the admin's mail")?;
    let verified = run.call("user verify", || seat.user_verify(&challenge_id, &code, false)).await?;
    let session = run.call("change password", || seat.change_password(&verified.session.session_token, &initial, NEW_PASSWORD)).await?;
    run.reached(4);

    // 3-4: a terminal issued, its activation code redeemed by the device.
    let kind = kaigo_domain::terminal::TerminalKind::Mobile;
    let issued = run.call("issue terminal", || seat.issue_terminal(&session.session_token, "受付PC", kind)).await?;
    let device = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let b64 = base64::engine::general_purpose::STANDARD;
    let device_key = b64.encode(device.verifying_key().as_bytes());
    let id = issued.terminal.terminal_id.clone();
    let phone = OnboardingClient::new(url, &trust, None).map_err(|e| e.to_string())?;
    let ch = run.call("redeem activation", || phone.redeem_terminal_activation(&id, &issued.activation.code, &device_key)).await?;
    let signature = ed25519_dalek::Signer::sign(&device, &kaigo_api::terminal::terminal_link_message(&id, &ch.challenge));
    let signature = b64.encode(signature.to_bytes());
    run.call("prove terminal", || phone.prove_terminal(&id, &signature)).await?;
    run.reached(5);
    Ok(())
}

// ---- the trainer ----

/// What the trainer's stream showed.
#[derive(Default)]
struct Seen {
    /// (seat, step ordinal) → when a `grid` event first showed the seat at
    /// that step or past it.
    first: HashMap<(u32, u8), Instant>,
    events: usize,
    bytes: usize,
    last: Option<TrainerGrid>,
}

/// The trainer's browser: signed in, its cookie.
struct TrainerBrowser {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl TrainerBrowser {
    /// One `GET /v1/trainer/grid`, timed (the query each grid event costs).
    async fn timed_grid(&self) -> Result<Duration, String> {
        let t = Instant::now();
        let resp = self
            .http
            .get(format!("{}/v1/trainer/grid", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let grid: TrainerGrid = resp.json().await.map_err(|e| e.to_string())?;
        let elapsed = t.elapsed();
        if grid.seats.len() != SEATS {
            return Err(format!("a grid of {} seats", grid.seats.len()));
        }
        Ok(elapsed)
    }
}

/// Signs in with the link's secret and opens the stream of `grid` events.
async fn trainer_stream(base: &str, secret: &str) -> Result<(TrainerBrowser, reqwest::Response), String> {
    let http = reqwest::Client::builder().no_proxy().build().map_err(|e| e.to_string())?;
    let resp = http.get(format!("{base}/trainer/sign-in?secret={secret}")).send().await.map_err(|e| e.to_string())?;
    if resp.status() != 200 {
        return Err(format!("trainer sign-in answered {}", resp.status()));
    }
    let set = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).ok_or("no cookie from the trainer's sign-in")?;
    let cookie = set.split(';').next().unwrap_or_default().to_owned();
    let events = http.get(format!("{base}/v1/trainer/events")).header("cookie", &cookie).send().await.map_err(|e| e.to_string())?;
    if events.status() != 200 {
        return Err(format!("trainer events answered {}", events.status()));
    }
    Ok((TrainerBrowser { http, base: base.to_owned(), cookie }, events))
}

/// Reads `grid` events until `stop`, noting when each seat's step first showed.
async fn follow(mut resp: reqwest::Response, seen: Arc<Mutex<Seen>>, mut stop: tokio::sync::oneshot::Receiver<()>) -> Result<(), String> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let chunk = tokio::select! {
            c = resp.chunk() => c.map_err(|e| format!("trainer's stream: {e}"))?,
            _ = &mut stop => return Ok(()),
        };
        let Some(chunk) = chunk else { return Err("the trainer's stream ended".into()) };
        let at = Instant::now();
        buf.extend_from_slice(&chunk);
        while let Some(end) = buf.windows(2).position(|w| w == b"\n\n") {
            let event: Vec<u8> = buf.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&event);
            let data: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("data:")).map(|d| d.strip_prefix(' ').unwrap_or(d)).collect();
            if data.is_empty() {
                continue; // a comment
            }
            // The first event is the whole grid, then `change` events carry
            // the seats that moved: merged as the trainer's page does.
            let change = text.lines().any(|l| l == "event: change");
            let mut s = seen.lock().unwrap();
            let grid = if change {
                let change: TrainerGridChange = serde_json::from_str(&data.join("\n")).map_err(|e| format!("a change event: {e}"))?;
                let mut grid = s.last.take().ok_or("a change before the grid")?;
                for seat in change.seats {
                    match grid.seats.iter_mut().find(|g| g.seat_number == seat.seat_number) {
                        Some(g) => *g = seat,
                        None => grid.seats.push(seat),
                    }
                }
                grid.counts = change.counts;
                grid
            } else {
                serde_json::from_str(&data.join("\n")).map_err(|e| format!("a grid event: {e}"))?
            };
            s.events += 1;
            s.bytes += event.len();
            for seat in &grid.seats {
                for step in 1..=step_ordinal(seat.step) {
                    s.first.entry((seat.seat_number, step)).or_insert(at);
                }
            }
            s.last = Some(grid);
        }
    }
}

// ---- a configuration ----

/// What `open-class --no-serve` printed.
struct OpenedClass {
    trainer_secret: String,
    join_code: String,
    short_pin: String,
}

/// `kaigo-onboard-service open-class --no-serve`, as the operator runs it.
async fn open_class(dir: &Path, database: &str) -> Result<OpenedClass, String> {
    let out = tokio::process::Command::new(BIN)
        .args(["open-class", "--no-serve", "--name", "ベンチ研修", "--seats", &SEATS.to_string(), "--host", "127.0.0.1", "--dir"])
        .arg(dir)
        .args(["--database-url", database])
        .env("KAIGO_LOG", "warn")
        .output()
        .await
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("open-class failed: {}{}", text, String::from_utf8_lossy(&out.stderr)));
    }
    let after = |label: &str| text.lines().find_map(|l| l.split_once(label).map(|(_, v)| v.trim().to_owned()));
    Ok(OpenedClass {
        trainer_secret: after("secret=").ok_or("no trainer's link printed")?,
        join_code: after("参加コード (join code):").ok_or("no join code printed")?,
        short_pin: after("確認コード (check code):").ok_or("no check code printed")?,
    })
}

/// A service instance and where its trainer's page is.
struct Instance {
    process: process::ServiceProcess,
    pid: u32,
    trainer: String,
}

/// `serve` with the class's CA key and a trainer's page on loopback.
async fn serve(dir: &Path, database: &str) -> Instance {
    let trainer = format!("127.0.0.1:{}", free_port());
    let ca_key = dir.join("ca-key.pem").to_string_lossy().into_owned();
    let mut extra = vec!["--class-ca-key", ca_key.as_str(), "--trainer-listen", trainer.as_str()];
    extra.extend(NO_LIMIT);
    let process = process::start_service_process(dir, Path::new(database), &extra).await;
    let pid = process.child.id().unwrap();
    Instance { process, pid, trainer: format!("http://{trainer}") }
}

struct Floor {
    params: Params,
    phc_params: String,
    threads: usize,
}

impl Floor {
    async fn new() -> Floor {
        let phc = PasswordHasher::new(1).hash(&SecretString::from("Seat-pass-2026x")).await.unwrap();
        let params = Params::try_from(&PasswordHash::new(&phc).unwrap()).unwrap();
        Floor { params, phc_params: phc.split('$').nth(3).unwrap_or_default().to_owned(), threads: default_hashing_concurrency() }
    }

    /// Raw hashes/s now; also what else the machine did meanwhile: other
    /// programs' cores, stolen cores, the service processes' (and
    /// PostgreSQL's) CPU seconds.
    fn rate(&self, services: &[u32], postgres: bool) -> (f64, (f64, f64, f64)) {
        let mut ours = services.to_vec();
        ours.push(std::process::id());
        let all = Load::start(&ours, postgres);
        let service = Load::start(services, postgres);
        let rate = raw_hash_rate(&self.params, self.threads, RAW_RUN);
        let (others, steal, _) = all.stop();
        let (_, _, service_cpu) = service.stop();
        (rate, (others, steal, service_cpu))
    }
}

/// Runs the class on `instances` instances of `database`; prints what it
/// measured; returns whether every seat finished without an error.
async fn run_class(label: &str, dir: &Path, database: &str, instances: usize, floor: &Floor) -> bool {
    println!("{label}");
    let opening = Instant::now();
    let opened = match open_class(dir, database).await {
        Ok(o) => o,
        Err(e) => {
            println!("  FAILED to open the class: {e}");
            return false;
        }
    };
    let open_secs = opening.elapsed().as_secs_f64();
    let mut running = Vec::new();
    for _ in 0..instances {
        running.push(serve(dir, database).await);
    }
    let pids: Vec<u32> = running.iter().map(|i| i.pid).collect();
    let own = std::process::id();
    let postgres = database.starts_with("postgres");
    let (raw_before, load_before) = floor.rate(&pids, postgres);

    // The trainer, signed in on the first instance, follows the grid.
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (stop_trainer, stop) = tokio::sync::oneshot::channel();
    let (browser, trainer) = match trainer_stream(&running[0].trainer, &opened.trainer_secret).await {
        Ok((browser, resp)) => (browser, tokio::spawn(follow(resp, seen.clone(), stop))),
        Err(e) => {
            println!("  FAILED: the trainer could not follow the class: {e}");
            return false;
        }
    };
    let waiting = Instant::now();
    while seen.lock().unwrap().events == 0 {
        if waiting.elapsed() > TRAINER_GRACE {
            println!("  FAILED: no grid event on the trainer's stream within {} s", TRAINER_GRACE.as_secs());
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // 500 PCs, each with its key, released together.
    let pin = CaPin::parse(&opened.short_pin).unwrap();
    let start = Arc::new(tokio::sync::Barrier::new(SEATS + 1));
    let attendees: Vec<_> = (0..SEATS)
        .map(|n| {
            let to = Invitation { url: running[n % instances].process.url.clone(), pin: pin.clone(), join_code: opened.join_code.clone() };
            tokio::spawn(attend(n, Pc::new(), to, start.clone()))
        })
        .collect();
    let cpu_before =
        (pids.iter().map(|&p| process_cpu(p)).sum::<f64>(), pids.iter().map(|&p| hashing_cpu(p)).sum::<f64>(), process_cpu(own));
    let mut ours = pids.clone();
    ours.push(own);
    let pg_before = if postgres { postgres_cpu() } else { 0.0 };
    let load = Load::start(&ours, postgres);
    start.wait().await;
    let started = Instant::now();
    let mut runs = Vec::with_capacity(SEATS);
    for a in attendees {
        runs.push(a.await.unwrap());
    }
    let wall = runs.iter().filter_map(|r| r.ended).max().map_or(0.0, |t| (t - started).as_secs_f64());
    let cpu_after =
        (pids.iter().map(|&p| process_cpu(p)).sum::<f64>(), pids.iter().map(|&p| hashing_cpu(p)).sum::<f64>(), process_cpu(own));
    let pg_class = if postgres { postgres_cpu() - pg_before } else { 0.0 };
    let (others_class, steal_class, _) = load.stop();

    // The trainer's stream is given a moment to show the last seats.
    let finished_seats: Vec<u32> = runs.iter().filter(|r| r.finished).filter_map(|r| r.seat).collect();
    let waiting = Instant::now();
    while waiting.elapsed() < TRAINER_GRACE && !finished_seats.iter().all(|s| seen.lock().unwrap().first.contains_key(&(*s, 5))) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop_trainer.send(());
    let trainer_result = trainer.await.unwrap();
    // What one grid costs now, the class done: each event of the stream
    // reads it anew (every 250 ms while seats move).
    let mut grid_reads = Vec::new();
    for _ in 0..3 {
        grid_reads.push(browser.timed_grid().await);
    }
    let (raw_after, load_after) = floor.rate(&pids, postgres);
    let peaks: Vec<f64> = pids.iter().map(|&p| status_mib(p, "VmHWM")).collect();
    for mut i in running {
        i.process.child.start_kill().unwrap();
        let _ = i.process.child.wait().await;
    }

    // What the attendees saw.
    let finished = runs.iter().filter(|r| r.finished).count();
    let errors: Vec<&String> = runs.iter().filter_map(|r| r.error.as_ref()).collect();
    let mut calls: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut retries: BTreeMap<&str, usize> = BTreeMap::new();
    let mut mail_waits = Vec::new();
    for r in &runs {
        for (kind, d) in &r.calls {
            calls.entry(*kind).or_default().push(*d);
        }
        for kind in &r.rate_limited {
            *retries.entry(*kind).or_default() += 1;
        }
        mail_waits.extend(&r.mail_waits);
    }
    mail_waits.sort();
    let with_code = runs.iter().filter(|r| r.finished && r.security_code).count();
    let hashes = 5 * finished + with_code;
    let raw = (raw_before + raw_after) / 2.0;
    let floor_secs = hashes as f64 / raw;
    // Opening: each seat's office password, and the security codes.
    let open_hashes = SEATS + (1..=SEATS).filter(|s| s % 3 == 0).count();

    println!(
        "  class opened by `open-class --no-serve`: {SEATS} seats in {open_secs:.1} s ({open_hashes} hashes; raw floor {:.1} s)",
        open_hashes as f64 / raw
    );
    println!("  seats finished: {finished} / {SEATS}   errors: {}", errors.len());
    for e in errors.iter().take(5) {
        println!("    {e}");
    }
    // The errors by what failed (the attendee and seat left out).
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &errors {
        *kinds.entry(e.split_once("): ").map_or(e.as_str(), |(_, what)| what)).or_default() += 1;
    }
    let mut kinds: Vec<_> = kinds.into_iter().collect();
    kinds.sort_by_key(|k| std::cmp::Reverse(k.1));
    for (what, n) in kinds.iter().take(8) {
        println!("    {n:>4} x {what}");
    }
    println!("  wall time: {wall:.1} s (all {SEATS} attendees released at once, to the last one's end)");
    println!(
        "  floor: {hashes} password hashes (5 a seat, +1 for each of the {with_code} finished seats with a security code) \
         at {raw:.1} raw Argon2id hashes/s ({}, {} threads; {raw_before:.1} before, {raw_after:.1} after) = {floor_secs:.1} s",
        floor.phc_params, floor.threads
    );
    let ratio = wall / floor_secs;
    println!("  wall / floor: {ratio:.2}x   (goal <= 1.3x: {})", goal(finished > 0 && ratio <= 1.3));
    println!("  calls, ms (the answering try)      n     p50      p99      max   retried after rate_limited");
    for kind in KINDS {
        let mut v = calls.remove(kind).unwrap_or_default();
        v.sort();
        println!(
            "    {kind:<24} {:>7} {:>7.1} {:>8.1} {:>8.1}   {}",
            v.len(),
            percentile_ms(&v, 0.5),
            percentile_ms(&v, 0.99),
            percentile_ms(&v, 1.0),
            retries.get(kind).copied().unwrap_or(0)
        );
    }
    println!(
        "  mail, from the answer to the message read in the seat's mailbox (read every {} ms): p50 {:.0} ms  p99 {:.0} ms",
        MAIL_POLL.as_millis(),
        percentile_ms(&mail_waits, 0.5),
        percentile_ms(&mail_waits, 0.99)
    );

    // What the trainer saw.
    let seen = seen.lock().unwrap();
    let mut delays = Vec::new();
    let (mut early, mut missing) = (0usize, [0usize; 6]);
    for r in &runs {
        let Some(seat) = r.seat else { continue };
        for (step, answered) in &r.steps {
            match seen.first.get(&(seat, *step)) {
                Some(shown) if shown >= answered => delays.push(*shown - *answered),
                Some(_) => {
                    // Shown between the commit and the answer's arrival.
                    early += 1;
                    delays.push(Duration::ZERO);
                }
                None => missing[usize::from(*step)] += 1,
            }
        }
    }
    delays.sort();
    let changes: usize = runs.iter().map(|r| r.steps.len()).sum();
    let p99 = percentile_ms(&delays, 0.99);
    println!(
        "  trainer (stream of instance 1): {} events (the grid, then changes), {:.2} MB (goal <= 2 MB for 500 seats); step changes shown {} / {changes} ({early} shown before the attendee had the answer, counted 0)",
        seen.events,
        seen.bytes as f64 / 1e6,
        delays.len()
    );
    for (step, n) in missing.iter().enumerate().filter(|(_, n)| **n > 0) {
        println!("    NEVER SHOWN: {n} changes to {}", STEP_NAMES[step]);
    }
    println!(
        "    delay from the answer to the trainer's stream: p50 {:.0} ms  p99 {p99:.0} ms  max {:.0} ms   (goal p99 <= 1 s: {})",
        percentile_ms(&delays, 0.5),
        percentile_ms(&delays, 1.0),
        goal(!delays.is_empty() && p99 <= 1000.0 && missing.iter().all(|n| *n == 0))
    );
    if let Err(e) = trainer_result {
        println!("    THE TRAINER'S STREAM FAILED: {e}");
    }
    if let Some(grid) = &seen.last {
        let done = grid.seats.iter().filter(|s| s.step == ClassStep::Finished).count();
        println!("    the trainer's last grid: {} seats, {done} at 完了 (attendees finished: {finished})", grid.seats.len());
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    println!(
        "  CPU during the class: service {:.1} core-s (of it password hashing {:.1}), {}benchmark {:.1} core-s; {:.1} available ({cores} cores x wall)",
        cpu_after.0 - cpu_before.0,
        cpu_after.1 - cpu_before.1,
        if postgres { format!("PostgreSQL {pg_class:.1} core-s, ") } else { String::new() },
        cpu_after.2 - cpu_before.2,
        cores * wall
    );
    let grid_reads: Vec<String> = grid_reads
        .iter()
        .map(|r| r.as_ref().map_or_else(|e| format!("failed: {e}"), |d| format!("{:.0} ms", d.as_secs_f64() * 1000.0)))
        .collect();
    println!("  one GET /v1/trainer/grid of the {SEATS} seats, the class done: {}", grid_reads.join(", "));
    println!(
        "  other programs kept {:.2} cores busy during the raw runs and {others_class:.2} during the class; the host took {:.2} cores (steal) during the raw runs and {steal_class:.2} during the class",
        (load_before.0 + load_after.0) / 2.0,
        (load_before.1 + load_after.1) / 2.0
    );
    if load_before.2 + load_after.2 > 0.5 {
        println!(
            "    the service{} itself used {:.1} core-s during the raw runs (before {:.1}, after {:.1})",
            if postgres { " and PostgreSQL" } else { "" },
            load_before.2 + load_after.2,
            load_before.2,
            load_after.2
        );
    }
    if [load_before.0, load_after.0, others_class, load_before.1, load_after.1, steal_class].iter().any(|l| *l > 0.25) {
        println!("    THE MACHINE WAS BUSY: the floor and the times above do not measure the service alone; run again on idle cores");
    }
    let peaks: Vec<String> = peaks.iter().map(|p| format!("{p:.1} MiB")).collect();
    println!("  service peak RSS (VmHWM): {}", peaks.join(", "));
    finished == SEATS && errors.is_empty()
}

// ---- PostgreSQL ----

/// A PostgreSQL server this run started, stopped when dropped.
struct StartedPostgres {
    script: std::path::PathBuf,
    env: [(&'static str, String); 1],
}

impl Drop for StartedPostgres {
    fn drop(&mut self) {
        let _ = std::process::Command::new(&self.script).arg("stop").envs(self.env.iter().cloned()).output();
    }
}

/// The server's URL (and the server, if this run started it), or why not.
fn postgres() -> Result<(String, Option<StartedPostgres>), String> {
    if let Ok(url) = std::env::var("KAIGO_TEST_POSTGRES_URL") {
        if !url.is_empty() {
            return Ok((url, None));
        }
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-test-server.sh");
    let env = [("KAIGO_PG_DIR", format!("/tmp/kaigo-pg-bench-class-{}", std::process::id()))];
    let out = std::process::Command::new(&script)
        .arg("start")
        .envs(env.iter().cloned())
        .output()
        .map_err(|e| format!("{}: {e}", script.display()))?;
    let server = StartedPostgres { script, env };
    if !out.status.success() {
        return Err(format!(
            "KAIGO_TEST_POSTGRES_URL is not set and scripts/pg-test-server.sh start failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    Ok((url, Some(server)))
}

/// A database of its own on the server; dropped with [`drop_database`].
async fn create_database(admin: &str) -> Result<(String, String), String> {
    use sqlx::Connection as _;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin).await.map_err(|e| format!("connecting to {admin}: {e}"))?;
    let name = format!("kaigo_bench_class_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.map_err(|e| e.to_string())?;
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    Ok((format!("{base}/{name}"), name))
}

async fn drop_database(admin: &str, name: &str) {
    use sqlx::Connection as _;
    if let Ok(mut conn) = sqlx::AnyConnection::connect(admin).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` probing: nothing to list.
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!("kaigo-onboard class benchmark: {SEATS} seats at once ({cores} cores, release build, mTLS on loopback)");
    let floor = Floor::new().await;
    let mut all_ok = true;

    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("class.db").to_string_lossy().into_owned();
    all_ok &= run_class("(a) one instance, SQLite", dir.path(), &database, 1, &floor).await;
    drop(dir);

    match postgres() {
        Err(why) => println!("(b) two instances, one PostgreSQL database: SKIPPED ({why})"),
        Ok((admin, server)) => match create_database(&admin).await {
            Err(why) => println!("(b) two instances, one PostgreSQL database: SKIPPED ({why})"),
            Ok((url, name)) => {
                let dir = tempfile::tempdir().unwrap();
                all_ok &=
                    run_class("(b) two instances, one PostgreSQL database, attendees half and half", dir.path(), &url, 2, &floor).await;
                drop_database(&admin, &name).await;
                drop(server);
            }
        },
    }
    if !all_ok {
        println!("NOT EVERY SEAT FINISHED (see above)");
        std::process::exit(1);
    }
}
