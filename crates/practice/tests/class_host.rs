#![allow(clippy::unwrap_used)] // tests: failing loudly is right
//! 研修を開く in the app: a class opened, served, resumed after the app
//! stopped, entered by the trainer's windows with one-time tickets, and
//! gone — every file and keychain entry of it — once the trainer ends it.

use kaigo_app_core::keychain::{MemorySecrets, SecretStore as _};
use kaigo_domain::ErrorCode;
use kaigo_practice::class_host::{keychain_entry, ClassHosting, ClassOpening, HostedClass, TrainerPage};
use kaigo_service::classes::room::RoomSecret;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

/// The trainer's PC: the app's folder and its keychain, which outlive the
/// app's runs.
struct TrainersPc {
    folder: tempfile::TempDir,
    keychain: Arc<MemorySecrets>,
}

impl TrainersPc {
    fn new() -> TrainersPc {
        TrainersPc { folder: tempfile::tempdir().unwrap(), keychain: Arc::default() }
    }

    /// The app started on this PC.
    fn hosting(&self) -> ClassHosting {
        hosting(self.folder.path(), self.keychain.clone())
    }

    /// The class's secrets in the keychain.
    fn kept_secrets(&self) -> Vec<RoomSecret> {
        RoomSecret::ALL.into_iter().filter(|s| self.keychain.get(&keychain_entry(*s)).unwrap().is_some()).collect()
    }

    /// Nothing of a class: no record, no folder, no keychain entry.
    fn nothing_left(&self) -> bool {
        nothing_left(self.folder.path()) && self.kept_secrets().is_empty()
    }
}

fn hosting(root: &Path, keychain: Arc<MemorySecrets>) -> ClassHosting {
    // The system chooses the port: tests never hold a fixed one.
    ClassHosting::new(root.to_path_buf(), keychain).with_port(0)
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn opening(name: &str) -> ClassOpening {
    ClassOpening { name: name.into(), seats: 3, hours: 2.0, address: IpAddr::from([127, 0, 0, 1]) }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The trainer's window opening its ticket: the session cookie, or the refusal's status.
async fn sign_in(url: &str) -> Result<(String, String), u16> {
    let resp = http().get(url).send().await.unwrap();
    if resp.status() != 200 {
        return Err(resp.status().as_u16());
    }
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    Ok((cookie, resp.text().await.unwrap()))
}

fn base(url: &str) -> String {
    url.split("/trainer/").next().unwrap().to_owned()
}

fn nothing_left(root: &Path) -> bool {
    !root.join("class.json").exists() && !root.join("class").exists()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_opened_in_the_app_resumes_after_a_restart_and_is_gone_once_ended() {
    let pc = TrainersPc::new();
    let first = pc.hosting();
    assert_eq!(first.current().await.unwrap(), None);
    let opened: HostedClass = first.open(&opening("初期設定の研修")).await.unwrap();
    // The class's secrets are in the keychain, and no key is in a file.
    assert_eq!(pc.kept_secrets(), RoomSecret::ALL);
    let on_disk: Vec<String> = files_under(pc.folder.path()).iter().map(|f| std::fs::read_to_string(f).unwrap_or_default()).collect();
    assert!(!on_disk.iter().any(|text| text.contains("PRIVATE KEY")), "a private key in the class's folder");
    let service_key = pc.keychain.get(&keychain_entry(RoomSecret::ServiceKey)).unwrap().unwrap();
    let service_key = secrecy::ExposeSecret::expose_secret(&service_key).to_owned();
    assert!(!on_disk.iter().any(|text| text.contains(&service_key)), "the service key in the class's folder");
    assert_eq!((opened.name.as_str(), opened.seats), ("初期設定の研修", 3));
    assert!(opened.service_url.starts_with("https://127.0.0.1:"), "{}", opened.service_url);
    assert!(opened.join_link.starts_with("kaigo-onboard://join?"), "{}", opened.join_link);
    assert!(!opened.announced, "a class for this PC alone is not announced on any network");
    assert!(first.is_serving());
    // The attendees' address answers (the class's own CA in front).
    let port: u16 = opened.service_url.rsplit(':').next().unwrap().parse().unwrap();
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok());

    // A second class while one runs: refused, the first untouched.
    let again = first.open(&opening("もう一つ")).await.unwrap_err();
    assert_eq!(again.code(), ErrorCode::ClassAlreadyOpen);

    // The trainer's window: a one-time ticket, no secret kept in its URL's history.
    let grid = first.trainer_url(TrainerPage::Grid).await.unwrap();
    assert!(grid.starts_with("http://127.0.0.1:") && grid.contains("ticket=") && !grid.contains("secret="), "{grid}");
    let (cookie, page) = sign_in(&grid).await.unwrap();
    assert!(page.contains("url=/trainer\""), "the grid's window goes on to the grid: {page}");
    assert_eq!(sign_in(&grid).await.unwrap_err(), 401, "a ticket is good once");
    // A second window beside an open one: the page itself, no new sign-in
    // (its session would replace the one whose token the open page holds).
    let beside = first.trainer_page_url(TrainerPage::Projector).await.unwrap();
    assert!(beside == format!("{}/trainer/projector", base(&grid)), "{beside}");
    let projector = first.trainer_url(TrainerPage::Projector).await.unwrap();
    let (_, page) = sign_in(&projector).await.unwrap();
    assert!(page.contains("url=/trainer/projector\""), "{page}");
    let session: serde_json::Value =
        http().get(format!("{}/v1/trainer/session", base(&grid))).header("cookie", &cookie).send().await.unwrap().json().await.unwrap();
    assert_eq!(session["class_name"], "初期設定の研修", "{session}");

    // The app stops (closed, or the PC restarted): the next start serves
    // the same class — same codes — from its record.
    first.stop().await;
    assert!(!first.is_serving());
    drop(first);
    let second = pc.hosting();
    let resumed = second.current().await.unwrap().expect("the class resumes");
    assert_eq!((resumed.join_code.as_str(), resumed.short_pin.as_str()), (opened.join_code.as_str(), opened.short_pin.as_str()));
    assert!(second.is_serving());

    // The trainer ends the class in the grid's window: everything of it goes.
    let grid = second.trainer_url(TrainerPage::Grid).await.unwrap();
    let (cookie, _) = sign_in(&grid).await.unwrap();
    let http = http();
    let session: serde_json::Value =
        http.get(format!("{}/v1/trainer/session", base(&grid))).header("cookie", &cookie).send().await.unwrap().json().await.unwrap();
    let csrf = session["csrf_token"].as_str().unwrap();
    let closed =
        http.post(format!("{}/v1/trainer/close", base(&grid))).header("cookie", &cookie).header("x-csrf-token", csrf).send().await.unwrap();
    assert_eq!(closed.status(), 200);
    assert_eq!(second.current().await.unwrap(), None);
    assert!(!second.is_serving());
    assert!(pc.nothing_left(), "the class's folder (CA, database), record and keychain entries are deleted");
    assert_eq!(second.trainer_url(TrainerPage::Grid).await.unwrap_err().code(), ErrorCode::ClassClosed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_opening_says_which_field_to_fix_and_leaves_nothing() {
    let pc = TrainersPc::new();
    let hosting = pc.hosting();
    let cases: [(ClassOpening, ErrorCode, &str); 5] = [
        (opening("   "), ErrorCode::ClassNameInvalid, "name"),
        (ClassOpening { seats: 0, ..opening("研修") }, ErrorCode::ClassSeatsInvalid, "seats"),
        (ClassOpening { hours: f64::NAN, ..opening("研修") }, ErrorCode::ClassEndInvalid, "hours"),
        (ClassOpening { hours: 0.0, ..opening("研修") }, ErrorCode::ClassEndInvalid, "hours"),
        // An address this PC does not have (TEST-NET-1): a network chosen
        // on a screen before the PC moved.
        (ClassOpening { address: IpAddr::from([192, 0, 2, 1]), ..opening("研修") }, ErrorCode::ClassNetworkUnavailable, "address"),
    ];
    for (asked, code, field) in cases {
        let refused = hosting.open(&asked).await.unwrap_err();
        assert_eq!((refused.code(), refused.field.as_deref()), (code, Some(field)), "{asked:?}");
        assert!(!hosting.is_serving());
        assert!(pc.nothing_left(), "{asked:?} left something behind");
    }
    // The name's message is about the class's name, not a person's.
    let refused = hosting.open(&opening("")).await.unwrap_err();
    assert!(refused.message.contains("研修の名前"), "{}", refused.message);
}

/// A keychain that neither gives nor keeps anything (locked, its service
/// stopped); deleting (nothing) it lets pass, so that the refusal said is
/// the opening's own.
struct KeychainUnavailable;

impl kaigo_app_core::keychain::SecretStore for KeychainUnavailable {
    fn get(&self, _: &str) -> kaigo_app_core::AppResult<Option<secrecy::SecretString>> {
        Err(ErrorCode::KeychainUnavailable.into())
    }
    fn set(&self, _: &str, _: &secrecy::SecretString) -> kaigo_app_core::AppResult<()> {
        Err(ErrorCode::KeychainUnavailable.into())
    }
    fn delete(&self, _: &str) -> kaigo_app_core::AppResult<()> {
        Ok(())
    }
}

/// A keychain the app must not ask (a locked one would make it wait).
struct NotToBeAsked;

impl kaigo_app_core::keychain::SecretStore for NotToBeAsked {
    fn get(&self, key: &str) -> kaigo_app_core::AppResult<Option<secrecy::SecretString>> {
        panic!("the keychain was asked for {key}")
    }
    fn set(&self, key: &str, _: &secrecy::SecretString) -> kaigo_app_core::AppResult<()> {
        panic!("the keychain was asked to keep {key}")
    }
    fn delete(&self, key: &str) -> kaigo_app_core::AppResult<()> {
        panic!("the keychain was asked to delete {key}")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_opening_and_a_first_look_leave_the_keychain_alone() {
    let root = tempfile::tempdir().unwrap();
    let hosting = ClassHosting::new(root.path().to_path_buf(), Arc::new(NotToBeAsked)).with_port(0);
    assert_eq!(hosting.current().await.unwrap(), None);
    for (asked, code) in [
        (opening(""), ErrorCode::ClassNameInvalid),
        (ClassOpening { seats: 0, ..opening("研修") }, ErrorCode::ClassSeatsInvalid),
        (ClassOpening { hours: 0.0, ..opening("研修") }, ErrorCode::ClassEndInvalid),
    ] {
        assert_eq!(hosting.open(&asked).await.unwrap_err().code(), code);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_keychain_no_class_is_opened_and_the_keychain_is_named() {
    let root = tempfile::tempdir().unwrap();
    let hosting = ClassHosting::new(root.path().to_path_buf(), Arc::new(KeychainUnavailable)).with_port(0);
    let refused = hosting.open(&opening("初期設定の研修")).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::KeychainUnavailable, "{refused:?}");
    assert!(!hosting.is_serving());
    assert!(nothing_left(root.path()), "a class without its secrets left files behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_whose_keys_left_the_keychain_is_not_served_with_new_ones_and_the_trainer_is_told() {
    let pc = TrainersPc::new();
    let first = pc.hosting();
    first.open(&opening("初期設定の研修")).await.unwrap();
    first.stop().await;
    // Emptied by hand (or the folder taken to another PC): new keys would
    // turn away every attendee's PC, pin and code.
    for secret in [RoomSecret::ServiceKey, RoomSecret::CaKey] {
        pc.keychain.delete(&keychain_entry(secret)).unwrap();
        let second = pc.hosting();
        let e = second.current().await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::ClassSecretsLost, "{secret:?}: {e:?}");
        assert!(!second.is_serving());
        assert!(pc.nothing_left(), "{secret:?}: the class that cannot go on is gone");
        assert_eq!(second.current().await.unwrap(), None, "and the app goes on without it");
        if secret == RoomSecret::ServiceKey {
            second.open(&opening("初期設定の研修")).await.unwrap();
            second.stop().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_whose_time_is_over_is_deleted_at_the_next_start() {
    let pc = TrainersPc::new();
    let first = pc.hosting();
    first.open(&ClassOpening { hours: 0.0005, ..opening("短い研修") }).await.unwrap();
    first.stop().await;
    assert_eq!(pc.kept_secrets(), RoomSecret::ALL, "a class stopped, not ended, keeps its secrets");
    // Two seconds: the class (1.8 s long) is over.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let second = pc.hosting();
    assert_eq!(second.current().await.unwrap(), None);
    assert!(pc.nothing_left());
}

/// 研修をさがす on a real network: a room's PCs are network namespaces
/// joined by a veth pair, not loopback. The class opened in the app on the
/// trainer's PC is found by an attendee's PC, by name and address, and is
/// gone from its list once the class stops; a PC on another network (next
/// door to the attendee's, not the class's) finds nothing.
#[cfg(target_os = "linux")]
mod on_a_room_network {
    use super::*;
    use kaigo_app_core::class_discovery::{self, FoundClass};
    use std::os::fd::AsFd as _;
    use std::process::Command;

    fn ip(args: &[&str]) {
        let out = Command::new("ip").args(args).output().expect("`ip` (iproute2) runs");
        assert!(out.status.success(), "ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }

    /// The room's PCs (network namespaces), deleted with it — their veth
    /// ends go with them.
    struct Room {
        pcs: Vec<String>,
    }

    impl Room {
        /// PCs `trainer` (10.213.7.1) and `attendee` (10.213.7.2) on one
        /// network, and `apart` on another one (10.213.8.0/24, with the
        /// attendee's PC: a network next door, not the class's).
        fn make() -> Room {
            let id = std::process::id();
            let room = Room { pcs: ["trainer", "attendee", "apart"].iter().map(|pc| format!("kaigo-{pc}-{id}")).collect() };
            for pc in &room.pcs {
                ip(&["netns", "add", pc]);
                ip(&["-n", pc, "link", "set", "lo", "up"]);
            }
            let (trainer_end, attendee_end) = (format!("kvt{id}"), format!("kva{id}"));
            ip(&["link", "add", &trainer_end, "type", "veth", "peer", "name", &attendee_end]);
            let (next_door, apart_end) = (format!("kvn{id}"), format!("kvp{id}"));
            ip(&["link", "add", &next_door, "type", "veth", "peer", "name", &apart_end]);
            for (end, pc, address) in [
                (&trainer_end, &room.pcs[0], "10.213.7.1/24"),
                (&attendee_end, &room.pcs[1], "10.213.7.2/24"),
                (&next_door, &room.pcs[1], "10.213.8.1/24"),
                (&apart_end, &room.pcs[2], "10.213.8.2/24"),
            ] {
                ip(&["link", "set", end, "netns", pc]);
                ip(&["-n", pc, "addr", "add", address, "dev", end]);
                ip(&["-n", pc, "link", "set", end, "up"]);
            }
            room
        }

        fn pc(&self, which: usize) -> String {
            self.pcs[which].clone()
        }
    }

    impl Drop for Room {
        fn drop(&mut self) {
            for pc in &self.pcs {
                let _ = Command::new("ip").args(["netns", "del", pc]).status();
            }
        }
    }

    /// Runs `f` on a thread inside PC `pc`: the sockets it opens and the
    /// threads it starts are on that PC's network.
    fn on_pc<T: Send + 'static>(pc: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
        let path = format!("/run/netns/{pc}");
        std::thread::spawn(move || {
            let netns = std::fs::File::open(&path).unwrap();
            rustix::thread::move_into_link_name_space(netns.as_fd(), Some(rustix::thread::LinkNameSpaceType::Network)).unwrap();
            f()
        })
        .join()
        .unwrap()
    }

    fn listen_on(pc: &str) -> Vec<FoundClass> {
        on_pc(pc, || class_discovery::listen(class_discovery::LISTEN_FOR).unwrap())
    }

    #[test]
    fn a_class_opened_on_the_trainers_pc_is_found_by_the_attendees_and_not_once_stopped() {
        if !rustix::process::geteuid().is_root() {
            assert!(std::env::var_os("KAIGO_FULL_SUITE").is_none(), "the full suite runs as root: network namespaces need it");
            eprintln!("not root: the room's network cannot be made; test skipped");
            return;
        }
        let room = Room::make();
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().to_path_buf();
        // The trainer's PC: the app's 研修を開く on its room network; the
        // class is served until the test says stop.
        let (opened_tx, opened_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let trainer = room.pc(0);
        let trainer_pc = std::thread::spawn(move || {
            on_pc(&trainer, move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(async move {
                    let hosting = hosting(&dir, Arc::default());
                    let opening = ClassOpening { address: IpAddr::from([10, 213, 7, 1]), ..opening("初期設定の研修") };
                    opened_tx.send(hosting.open(&opening).await).unwrap();
                    let _ = stop_rx.await;
                    hosting.stop().await;
                });
            })
        });
        let opened = opened_rx.recv().unwrap().unwrap();
        assert!(opened.service_url.starts_with("https://10.213.7.1:"), "{}", opened.service_url);
        assert!(opened.announced, "a class on a room's network is announced");

        let heard = listen_on(&room.pc(1));
        let expected =
            FoundClass { name: "初期設定の研修".into(), address: [10, 213, 7, 1].into(), service_url: opened.service_url.clone() };
        assert_eq!(heard, [expected], "the attendee's PC lists the class, by its name and 接続先");
        assert_eq!(listen_on(&room.pc(2)), [], "a PC on another network hears no class");

        stop_tx.send(()).unwrap();
        trainer_pc.join().unwrap();
        assert_eq!(listen_on(&room.pc(1)), [], "a class stopped is not listed");
    }
}
