#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is right
//! Full password logins against the release service binary, over mutual TLS
//! on loopback: a user ID, a password (Argon2id, OWASP parameters) and the
//! device-trust token of a remembered PC, answered with a session.
//!
//! Prints logins/s and latency percentiles at 64 concurrent clients, each
//! with its own certificate of the office (closed loop: each client sends
//! its next login when the last one is answered), latency at a paced 100
//! logins/s with up to 64 in flight (open loop), and the service's RSS idle
//! and after load. Run: `cargo bench -p kaigo-service --bench logins`.
//!
//! The floor, measured on the same cores in the same run: raw Argon2id with
//! the parameters the service really uses (read back from a hash it made),
//! as many threads hashing in parallel as the service's hashing pool has,
//! each reusing its work area like a pool thread. The closed loop runs in
//! three segments, with the floor measured before, between and after them
//! (each segment is set against the raw runs on either side, so a machine
//! shared with other work weighs on both alike); logins/s is printed as a
//! fraction of raw hashes/s (goal: at least 95%). Where the CPU went during
//! the closed loop (the service's hashing threads, its other threads, the
//! benchmark's clients) is read from /proc, to tell why a shortfall happens.

mod common;
use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use kaigo_api::user::UserLoginOutcome;
use kaigo_client::{ClientIdentity, OnboardingClient, ServerTrust};
use kaigo_domain::DeliveryChannel;
use kaigo_service::clock::{Clock as _, SystemClock};
use kaigo_service::config::default_hashing_concurrency;
use kaigo_service::pki::CertificateAuthority;
use kaigo_service::secrets::{CodeKey, PasswordHasher};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 64;
const RUN: Duration = Duration::from_secs(15);
/// The closed loop's 15 s, in segments with raw hashing before, between and after.
const SEGMENTS: usize = 3;
const SEGMENT: Duration = Duration::from_secs(RUN.as_secs() / SEGMENTS as u64);
const RAW_RUN: Duration = Duration::from_secs(3);
const PACED_RATE: u64 = 100;

/// Hashes/s of `threads` threads hashing in parallel for `run`, each with
/// its own reused work area (as the service's pool threads keep theirs).
/// Also the CPU seconds and the number of hashes, summed over the threads.
fn raw_hash_rate(params: &Params, threads: usize, run: Duration) -> (f64, f64, usize) {
    let start = Instant::now();
    let deadline = start + run;
    let per_thread: Vec<(usize, Duration, f64)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let params = params.clone();
                s.spawn(move || {
                    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
                    let mut memory = vec![Block::default(); params.block_count()];
                    let salt = [t as u8; 16];
                    let mut out = [0u8; 32];
                    let mut n = 0usize;
                    let cpu = own_thread_cpu();
                    while Instant::now() < deadline {
                        argon
                            .hash_password_into_with_memory(format!("Bench-pass-{n:02}").as_bytes(), &salt, &mut out, &mut memory)
                            .unwrap();
                        n += 1;
                    }
                    (n, start.elapsed(), own_thread_cpu() - cpu)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let rate = per_thread.iter().map(|(n, d, _)| *n as f64 / d.as_secs_f64()).sum();
    (rate, per_thread.iter().map(|t| t.2).sum(), per_thread.iter().map(|t| t.0).sum())
}

/// CPU seconds (user + system) used so far by each thread of a process, by name.
fn thread_cpu(pid: u32) -> Vec<(String, f64)> {
    let tick = 100.0; // USER_HZ on Linux
    let mut v = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let name = stat[open + 1..close].to_owned();
        let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap_or(0.0) + fields[12].parse::<f64>().unwrap_or(0.0);
        v.push((name, ticks / tick));
    }
    v
}

/// CPU seconds of a process's threads, summed by kind (the name without its number).
fn cpu_by_kind(pid: u32) -> std::collections::BTreeMap<String, f64> {
    let mut m = std::collections::BTreeMap::new();
    for (name, secs) in thread_cpu(pid) {
        *m.entry(name.trim_end_matches(|c: char| c.is_ascii_digit()).trim_end_matches('-').to_owned()).or_insert(0.0) += secs;
    }
    m
}

/// CPU seconds the whole machine has been busy (all processes).
fn machine_busy() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<f64> = stat.lines().next().unwrap_or_default().split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal: all but idle and iowait.
    [0, 1, 2, 5, 6, 7].iter().filter_map(|&i| fields.get(i)).sum::<f64>() / 100.0
}

/// CPU seconds a process has used, its ended threads included.
fn process_cpu(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    (fields.get(11).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) + fields.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0))
        / 100.0
}

/// Measures what other programs on the machine used meanwhile: cores busy
/// with anything but the service and this benchmark.
struct OtherLoad {
    pids: [u32; 2],
    busy: f64,
    ours: f64,
    at: Instant,
}

impl OtherLoad {
    fn start(pids: [u32; 2]) -> Self {
        Self { pids, busy: machine_busy(), ours: pids.iter().map(|&p| process_cpu(p)).sum(), at: Instant::now() }
    }
    /// (other programs' CPU seconds, wall seconds) since `start`.
    fn stop(self) -> (f64, f64) {
        let ours: f64 = self.pids.iter().map(|&p| process_cpu(p)).sum();
        (((machine_busy() - self.busy) - (ours - self.ours)).max(0.0), self.at.elapsed().as_secs_f64())
    }
}

/// CPU seconds the calling thread has used.
fn own_thread_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    (fields.get(11).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) + fields.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0))
        / 100.0
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// The percentiles of `latencies` (ms), on one line.
fn print_latency(latencies: &[Duration]) {
    let [p50, p95, p99, max] = [0.50, 0.95, 0.99, 1.0].map(|q| percentile(latencies, q));
    println!("  latency ms: p50 {p50:.1}  p95 {p95:.1}  p99 {p99:.1}  max {max:.1}");
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// `m=…,t=…,p=…` of a PHC string.
fn params_string(phc: &str) -> String {
    phc.split('$').nth(3).unwrap_or_default().to_owned()
}

fn code_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(6).find(|w| w.iter().all(|c| c.is_ascii_digit())).map(|w| w.iter().collect()).expect("code")
}

async fn newest_to(client: &OnboardingClient, to: &str, seen: usize) -> String {
    loop {
        let m = client.practice_mailbox(Some(to)).await.unwrap();
        if m.len() > seen {
            return m[0].body.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` probing: nothing to list.
    }
    let dir = tempfile::tempdir().unwrap();
    let now = SystemClock.now();
    let ca = CertificateAuthority::create("Bench CA", now).unwrap();
    let server = ca.issue_server(&["127.0.0.1"], now).unwrap();
    // One certificate a client (the office's PCs): a service may cap the
    // connections one certificate holds at once.
    let certs: Vec<_> = (0..CLIENTS)
        .map(|_| {
            ca.issue_office_client(
                common::OFFICE_NUMBER,
                common::OFFICE_NAME,
                now - time::Duration::hours(1),
                now + time::Duration::days(1),
            )
            .unwrap()
        })
        .collect();
    for (name, body) in [("server.pem", &server.cert_pem), ("server-key.pem", &server.key_pem), ("ca.pem", &ca.cert_pem())] {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    std::fs::write(dir.path().join("service.key"), CodeKey::generate().to_hex()).unwrap();
    common::bench_office(dir.path(), &PasswordHasher::new(2), &certs, now).await;

    let common::ServiceProcess { mut child, url } = common::serve(dir.path()).await;
    let pid = child.id().unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_rss = rss_mib(pid);

    let identities: Vec<ClientIdentity> = certs.iter().map(|c| ClientIdentity::from_pem(&c.cert_pem, &c.key_pem).unwrap()).collect();
    let trust = ServerTrust::CaPem(ca.cert_pem());
    let new_client = |i: usize| OnboardingClient::new(&url, &trust, Some(&identities[i])).unwrap();
    let setup = new_client(0);

    // One office session registers the users; each user then logs in once
    // with a code, asks to remember the PC and changes the initial password.
    let ch = setup.office_login(common::KJ, common::OFFICE_PASSWORD).await.unwrap();
    let code = code_in(&newest_to(&setup, "office@example.jp", 0).await);
    let office_token = setup.office_verify(&ch.challenge_id, &code, None).await.unwrap().session_token;
    let setup_start = Instant::now();
    let mut users = Vec::new();
    for i in 0..CLIENTS {
        let user_id = format!("benchuser{i:02}");
        let email = format!("{user_id}@example.jp");
        let mut req = kaigo_api::office::AdminRegistrationRequest {
            name: "ベンチ 太郎".into(),
            email: Some(email.clone()),
            phone: None,
            service_types: vec!["11".into()],
            job_category: "01".into(),
            user_id: user_id.clone(),
        };
        req.phone = None;
        setup.register_admin(&office_token, &OnboardingClient::new_idempotency_key(), &req).await.unwrap();
        let body = newest_to(&setup, &email, 0).await;
        let initial = body.split("初期パスワード：").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
        // The PC is remembered for the certificate that logs in with it.
        let pc = new_client(i);
        let UserLoginOutcome::CodeRequired { challenge_id, .. } = pc.user_login(&user_id, &initial, None).await.unwrap() else { panic!() };
        pc.send_user_code(&challenge_id, DeliveryChannel::Email).await.unwrap();
        let code = code_in(&newest_to(&setup, &email, 1).await);
        let verified = pc.user_verify(&challenge_id, &code, true).await.unwrap();
        let password = format!("Bench-pass-{i:02}");
        pc.change_password(&verified.session.session_token, &initial, &password).await.unwrap();
        users.push((user_id, password, verified.device_trust.unwrap().token));
    }
    let setup_secs = setup_start.elapsed().as_secs_f64();
    let users = Arc::new(users);

    // Each client's connection made before anything is timed.
    let clients: Arc<Vec<OnboardingClient>> = Arc::new((0..CLIENTS).map(new_client).collect());
    let warm: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let clients = clients.clone();
            tokio::spawn(async move { clients[i].policy().await.unwrap() })
        })
        .collect();
    for w in warm {
        w.await.unwrap();
    }

    // The floor: the service's own parameters, read back from a hash it made,
    // at its hashing pool's concurrency, on the same cores. Measured before,
    // between and after the closed loop's segments, so that a machine
    // shared with other work weighs on both sides alike.
    let phc = PasswordHasher::new(1).hash(&SecretString::from("Bench-pass-00")).await.unwrap();
    let params = Params::try_from(&PasswordHash::new(&phc).unwrap()).unwrap();
    let hash_threads = default_hashing_concurrency();
    let own_pid = std::process::id();
    // Other programs' CPU seconds and the wall seconds, during the raw runs and the logins.
    let (mut others_raw, mut others_logins) = ((0.0, 0.0), (0.0, 0.0));
    let measure_raw = |others: &mut (f64, f64)| {
        let load = OtherLoad::start([pid, own_pid]);
        let r = raw_hash_rate(&params, hash_threads, RAW_RUN);
        let (cpu, wall) = load.stop();
        others.0 += cpu;
        others.1 += wall;
        r
    };
    let mut raw = vec![measure_raw(&mut others_raw)];

    // Closed loop: 64 clients, each on its own connection, in segments.
    let mut lat = Vec::new();
    let mut errors = 0;
    let mut elapsed = 0.0;
    // CPU seconds by kind of thread: ("service"/"benchmark", kind).
    let mut cpu: std::collections::BTreeMap<(&str, String), f64> = Default::default();
    for _ in 0..SEGMENTS {
        let cpu_before = (cpu_by_kind(pid), cpu_by_kind(own_pid));
        let load = OtherLoad::start([pid, own_pid]);
        let started = Instant::now();
        let deadline = started + SEGMENT;
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let clients = clients.clone();
                let users = users.clone();
                tokio::spawn(async move {
                    let (user, pw, token) = &users[i];
                    let mut lat = Vec::new();
                    let mut errors = 0usize;
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        match clients[i].user_login(user, pw, Some(token)).await {
                            Ok(UserLoginOutcome::LoggedIn { .. }) => lat.push(t.elapsed()),
                            _ => errors += 1,
                        }
                    }
                    (lat, errors)
                })
            })
            .collect();
        for t in tasks {
            let (l, e) = t.await.unwrap();
            lat.extend(l);
            errors += e;
        }
        // Until the last login sent before the deadline is answered.
        elapsed += started.elapsed().as_secs_f64();
        let (other_cpu, wall) = load.stop();
        others_logins.0 += other_cpu;
        others_logins.1 += wall;
        let cpu_after = (cpu_by_kind(pid), cpu_by_kind(own_pid));
        for (process, before, after) in [("service", &cpu_before.0, &cpu_after.0), ("benchmark", &cpu_before.1, &cpu_after.1)] {
            for (kind, secs) in after {
                *cpu.entry((process, kind.clone())).or_insert(0.0) += secs - before.get(kind).copied().unwrap_or(0.0);
            }
        }
        raw.push(measure_raw(&mut others_raw));
    }
    lat.sort();
    let closed_rate = lat.len() as f64 / elapsed;
    // Each segment against the mean of the raw runs on either side of it.
    let raw_rate = raw.windows(2).map(|w| (w[0].0 + w[1].0) / 2.0).sum::<f64>() / SEGMENTS as f64;
    let raw_cpu_ms = 1000.0 * raw.iter().map(|r| r.1).sum::<f64>() / raw.iter().map(|r| r.2).sum::<usize>() as f64;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;

    // Open loop: logins started at a fixed 100/s, at most 64 in flight.
    let in_flight = Arc::new(tokio::sync::Semaphore::new(CLIENTS));
    let total = PACED_RATE * RUN.as_secs();
    let start = Instant::now();
    let mut handles = Vec::new();
    for n in 0..total {
        let due = start + Duration::from_micros(n * 1_000_000 / PACED_RATE);
        tokio::time::sleep_until(due.into()).await;
        let permit = in_flight.clone().acquire_owned().await.unwrap();
        let clients = clients.clone();
        let users = users.clone();
        handles.push(tokio::spawn(async move {
            let i = (n as usize) % CLIENTS;
            let (user, pw, token) = &users[i];
            let ok = matches!(clients[i].user_login(user, pw, Some(token)).await, Ok(UserLoginOutcome::LoggedIn { .. }));
            drop(permit);
            (due.elapsed(), ok)
        }));
    }
    let mut paced = Vec::new();
    let mut paced_errors = 0;
    for h in handles {
        let (d, ok) = h.await.unwrap();
        if ok {
            paced.push(d)
        } else {
            paced_errors += 1
        }
    }
    let paced_elapsed = start.elapsed().as_secs_f64();
    paced.sort();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let loaded_rss = rss_mib(pid);

    println!(
        "kaigo-onboard login benchmark ({} cores, release build, SQLite, mTLS on loopback)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    println!("setup: {CLIENTS} admin users registered and logged in once in {setup_secs:.1} s");
    println!("closed loop, {CLIENTS} concurrent clients, {SEGMENTS} segments, {:.0} s:", elapsed);
    println!("  full password logins/s: {closed_rate:.1}   (errors: {errors})");
    print_latency(&lat);
    let raws: Vec<String> = raw.iter().map(|r| format!("{:.1}", r.0)).collect();
    println!(
        "raw Argon2id ({}), {hash_threads} threads hashing in parallel (the service's pool), {} s before, between and after the segments:",
        params_string(&phc),
        RAW_RUN.as_secs()
    );
    println!("  raw hashes/s: {raw_rate:.1}   (runs: {}; {raw_cpu_ms:.1} ms CPU a hash)", raws.join(", "));
    println!("  logins/s as a fraction of raw hashes/s: {:.1}%   (goal >= 95%)", 100.0 * closed_rate / raw_rate);
    let (busy_raw, busy_logins) = (others_raw.0 / others_raw.1, others_logins.0 / others_logins.1);
    println!("  other programs on the machine kept {busy_raw:.2} cores busy during the raw runs and {busy_logins:.2} during the logins");
    if busy_raw.max(busy_logins) > 0.25 {
        // A CPU-bound floor and a mix of threads that sleep and wake fare
        // differently against other programs' work.
        println!("  THE MACHINE WAS BUSY: the fraction above does not measure the service; run again on idle cores");
    }
    let used: f64 = cpu.values().sum();
    let login_cpu_ms = 1000.0 * used / lat.len() as f64;
    let hashing_ms =
        1000.0 * cpu.iter().filter(|((p, kind), _)| *p == "service" && kind == "argon2").map(|(_, s)| s).sum::<f64>() / lat.len() as f64;
    // Both shares are what logins/s would be, as a fraction of raw hashes/s,
    // on cores with nothing else to run; the second is measured within the
    // logins alone, so other programs move it least.
    println!(
        "  by CPU time: a raw hash {raw_cpu_ms:.2} ms; a login {login_cpu_ms:.2} ms (all threads of both processes), {hashing_ms:.2} ms of it hashing: raw hash/login {:.1}%, hashing/login {:.1}%",
        100.0 * raw_cpu_ms / login_cpu_ms,
        100.0 * hashing_ms / login_cpu_ms
    );
    println!("  CPU in the closed loop: {used:.1} of {:.1} core-s; a login took, in ms of CPU:", cores * elapsed);
    let mut kinds: Vec<_> = cpu.iter().filter(|(_, s)| **s >= 0.01).collect();
    kinds.sort_by(|a, b| b.1.total_cmp(a.1));
    for ((process, kind), secs) in kinds {
        println!("    {:>7.2}  {process} {kind}", 1000.0 * secs / lat.len() as f64);
    }
    println!("open loop, paced {PACED_RATE}/s, <= {CLIENTS} in flight, {paced_elapsed:.0} s:");
    println!("  achieved logins/s: {:.1}   (errors: {paced_errors})", paced.len() as f64 / paced_elapsed);
    print_latency(&paced);
    println!("service RSS: idle {idle_rss:.1} MiB, after load {loaded_rss:.1} MiB");
    child.start_kill().unwrap();
    let _ = child.wait().await;
}
