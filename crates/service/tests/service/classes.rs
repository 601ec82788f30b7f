//! 研修: a class of practice offices. PCs join with the join code and a
//! certificate request after checking the CA against the trainer's pin;
//! seats walk Step 3 like any office; the trainer follows them on a page
//! of their own; at its end nothing of the class stays in the database.

use crate::harness::*;
use kaigo_api::class::{JoinedClass, TrainerGrid, TrainerSessionInfo};
use kaigo_client::class::fetch_class_authority;
use kaigo_client::{ClientError, ErrorCode, OnboardingClient};
use kaigo_domain::class::{CaPin, ClassStep};
use kaigo_service::classes::{open_class, ClassRequest, OpenedClass};
use kaigo_service::clock::Clock as _;
use secrecy::ExposeSecret as _;
use sha2::Digest as _;

async fn class_app() -> TestApp {
    spawn_with(Options { classes: true, ..Options::default() }).await.unwrap()
}

async fn open(app: &TestApp, seats: u32) -> OpenedClass {
    let ob = &app.service.onboarding;
    let req = ClassRequest { name: "テスト研修".into(), seats, ends_at: app.clock.now() + time::Duration::hours(2) };
    open_class(&ob.db, &ob.hasher, &ob.code_key, &ob.class_policy, &req, app.clock.now()).await.unwrap()
}

fn pin(app: &TestApp) -> CaPin {
    let der = rustls_pemfile::certs(&mut app.pki.ca_pem.as_bytes()).next().unwrap().unwrap();
    CaPin::Full(sha2::Sha256::digest(der.as_ref()).into())
}

/// A PC: its own key, which never leaves it.
struct Pc {
    key: rcgen::KeyPair,
}

impl Pc {
    fn new() -> Pc {
        Pc { key: rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap() }
    }

    fn request(&self) -> String {
        rcgen::CertificateParams::default().serialize_request(&self.key).unwrap().pem().unwrap()
    }

    async fn join(&self, app: &TestApp, code: &str) -> Result<JoinedClass, ClientError> {
        let ca = fetch_class_authority(&app.url(), &pin(app)).await?;
        OnboardingClient::for_joining(&app.url(), &ca)?.join_class(code, &self.request()).await
    }

    /// The seat as an office the harness can walk through Step 3.
    fn office(&self, app: &TestApp, joined: &JoinedClass) -> TestOffice {
        let office = self.seat_office(joined);
        app.others.lock().unwrap().push(office.clone());
        office
    }

    fn seat_office(&self, joined: &JoinedClass) -> TestOffice {
        let der = rustls_pemfile::certs(&mut joined.certificate_pem.as_bytes()).next().unwrap().unwrap();
        TestOffice {
            number: joined.sign_in.office_number.clone(),
            name: joined.sign_in.office_name.clone(),
            kj: joined.sign_in.electronic_billing_id.clone(),
            password: joined.sign_in.password.clone(),
            security_code: joined.sign_in.security_code.clone(),
            email: joined.sign_in.office_email.clone(),
            cert: kaigo_service::pki::IssuedIdentity {
                cert_pem: joined.certificate_pem.clone(),
                key_pem: self.key.serialize_pem(),
                cert_der: der.as_ref().to_vec(),
                not_after: joined.ends_at,
            },
        }
    }
}

/// The trainer's browser, on the loopback page.
struct Trainer {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

impl Trainer {
    fn new(app: &TestApp) -> Trainer {
        let base = format!("http://{}", app.service.trainer_addr.unwrap());
        Trainer { http: reqwest::Client::builder().no_proxy().build().unwrap(), base, cookie: None }
    }

    async fn sign_in(app: &TestApp, secret: &str) -> Trainer {
        let mut t = Trainer::new(app);
        let resp = t.http.get(format!("{}/trainer/sign-in?secret={secret}", t.base)).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let set = resp.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
        for flag in ["HttpOnly", "SameSite=Strict"] {
            assert!(set.contains(flag), "{flag} in {set}");
        }
        // Plain HTTP on loopback: WebKitGTK would keep no Secure cookie.
        assert!(!set.contains("Secure"), "{set}");
        t.cookie = Some(set.split(';').next().unwrap().to_owned());
        t
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        let req = self.http.get(format!("{}{path}", self.base));
        match &self.cookie {
            Some(c) => req.header("cookie", c),
            None => req,
        }
    }

    fn post(&self, path: &str, csrf: Option<&str>) -> reqwest::RequestBuilder {
        let mut req = self.http.post(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        match csrf {
            Some(t) => req.header("x-csrf-token", t),
            None => req,
        }
    }

    async fn session(&self) -> TrainerSessionInfo {
        self.get("/v1/trainer/session").send().await.unwrap().error_for_status().unwrap().json().await.unwrap()
    }

    async fn grid(&self) -> TrainerGrid {
        self.get("/v1/trainer/grid").send().await.unwrap().error_for_status().unwrap().json().await.unwrap()
    }
}

async fn refusal(resp: reqwest::Response) -> (u16, ErrorCode) {
    let status = resp.status().as_u16();
    let body: kaigo_api::ErrorBody = resp.json().await.unwrap();
    (status, body.code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pc_joins_with_the_code_keeps_its_seat_and_walks_step_3_while_the_trainer_watches() {
    let app = class_app().await;
    let class = open(&app, 3).await;
    let trainer = Trainer::sign_in(&app, class.trainer_secret.expose_secret()).await;
    let info = trainer.session().await;
    assert_eq!((info.join_code.as_str(), info.service_url.as_str()), (class.join_code.display().as_str(), app.url().as_str()));
    assert_eq!(
        info.short_pin,
        CaPin::short_of(&match pin(&app) {
            CaPin::Full(f) => f,
            CaPin::Short(_) => unreachable!(),
        })
    );

    let pc = Pc::new();
    // Typed in lower case without the hyphen, the code still works.
    let joined = pc.join(&app, &class.join_code.as_str().to_lowercase()).await.unwrap();
    assert_eq!((joined.seat_number, joined.class_name.as_str()), (1, "テスト研修"));
    assert!(joined.sign_in.office_number.starts_with("99") && joined.sign_in.electronic_billing_id.starts_with("KJ99"));
    // The same PC again: the same seat, the same office.
    let again = pc.join(&app, &class.join_code.display()).await.unwrap();
    assert_eq!((again.seat_number, &again.sign_in), (1, &joined.sign_in));
    // Another PC: the next seat.
    let other = Pc::new().join(&app, &class.join_code.display()).await.unwrap();
    assert_eq!(other.seat_number, 2);

    let grid = trainer.grid().await;
    let steps: Vec<ClassStep> = grid.seats.iter().map(|s| s.step).collect();
    assert_eq!(steps, [ClassStep::OfficeLogin, ClassStep::OfficeLogin, ClassStep::NotJoined]);

    // The seat is an office like any other: Step 3 through to the terminal.
    let office = pc.office(&app, &joined);
    let session = app.ready_admin(&office, "seatadmin01", "Seat-pass-2026x").await;
    let grid = trainer.grid().await;
    assert_eq!(grid.seats[0].step, ClassStep::Terminal, "{:?}", grid.seats[0]);
    let admin = app.client(&office);
    let issued = admin.issue_terminal(&session.session_token, "受付PC", kaigo_domain::terminal::TerminalKind::Mobile).await.unwrap();
    let device = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let phone = app.client_with(None);
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let id = issued.terminal.terminal_id.clone();
    let ch = phone.redeem_terminal_activation(&id, &issued.activation.code, &b64.encode(device.verifying_key().as_bytes())).await.unwrap();
    let signature = ed25519_dalek::Signer::sign(&device, &kaigo_api::terminal::terminal_link_message(&id, &ch.challenge));
    phone.prove_terminal(&id, &b64.encode(signature.to_bytes())).await.unwrap();
    let grid = trainer.grid().await;
    assert_eq!(grid.seats[0].step, ClassStep::Finished);
    let finished = grid.counts.iter().find(|c| c.step == ClassStep::Finished).unwrap();
    assert_eq!(finished.seats, 1);

    // The projector's QR code: the class's own join link, as an SVG image.
    let qr = trainer.get("/v1/trainer/join-qr.svg").send().await.unwrap();
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    let svg = qr.text().await.unwrap();
    assert!(svg.contains("<svg"), "{svg}");
    assert_eq!(svg, kaigo_service::classes::join_qr_svg(&trainer.session().await.join_link).unwrap());
    assert_ne!(svg, kaigo_service::classes::join_qr_svg("kaigo-onboard://join?url=x&code=y&pin=z").unwrap());

    // The grid reaches the page as server-sent events too.
    let mut events = trainer.get("/v1/trainer/events").send().await.unwrap();
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    // Lossy: a chunk may end inside a character (the class's name is Japanese).
    let first = String::from_utf8_lossy(&events.chunk().await.unwrap().unwrap()).into_owned();
    assert!(first.starts_with("event: grid\ndata: {"), "{first}");
    assert!(first.contains("\"step\":\"finished\""), "{first}");

    // The summary as CSV, the Japanese readable by spreadsheets.
    let csv = trainer.get("/v1/trainer/summary.csv").send().await.unwrap().bytes().await.unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(text.lines().nth(1).unwrap().starts_with("1,研修事業所 001,"), "{text}");
    assert_eq!(text.lines().count(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcs_joining_all_at_once_each_get_a_seat_of_their_own() {
    pcs_joining_all_at_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcs_joining_all_at_once_each_get_a_seat_of_their_own_on_postgres() {
    pcs_joining_all_at_once(Backend::Postgres).await;
}

async fn pcs_joining_all_at_once(backend: Backend) {
    let Some(app) = spawn_with(Options { classes: true, backend, ..Options::default() }).await else { return };
    let class = open(&app, 40).await;
    let ca = fetch_class_authority(&app.url(), &pin(&app)).await.unwrap();
    // A room's PCs pressing 参加 at the same moment (fewer than the
    // connections without a certificate the service takes at once).
    let joins: Vec<_> = (0..40)
        .map(|_| {
            let (url, ca, code) = (app.url(), ca.clone(), class.join_code.display());
            tokio::spawn(async move { OnboardingClient::for_joining(&url, &ca).unwrap().join_class(&code, &Pc::new().request()).await })
        })
        .collect();
    let mut seats = Vec::new();
    for join in joins {
        seats.push(join.await.unwrap().unwrap().seat_number);
    }
    seats.sort_unstable();
    assert_eq!(seats, (1..=40).collect::<Vec<u32>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trainers_stream_looks_at_the_grid_every_quarter_second_however_fast_seats_move() {
    let app = class_app().await;
    let class = open(&app, 200).await;
    let trainer = Trainer::sign_in(&app, class.trainer_secret.expose_secret()).await;
    let mut events = trainer.get("/v1/trainer/events").send().await.unwrap();
    // Lossy: a chunk may end inside a character (the class's name is Japanese).
    let first = String::from_utf8_lossy(&events.chunk().await.unwrap().unwrap()).into_owned();
    assert!(first.starts_with("event: grid\n"), "{first}");
    // A room joining, eight PCs at a time, one seat after another: the
    // grid moves all the time, faster than it is read.
    let ca = fetch_class_authority(&app.url(), &pin(&app)).await.unwrap();
    let (url, code) = (app.url(), class.join_code.display());
    let joining = tokio::spawn(async move {
        let rows: Vec<_> = (0..8)
            .map(|_| {
                let (url, ca, code) = (url.clone(), ca.clone(), code.clone());
                tokio::spawn(async move {
                    let client = OnboardingClient::for_joining(&url, &ca).unwrap();
                    for _ in 0..25 {
                        client.join_class(&code, &Pc::new().request()).await.unwrap();
                    }
                })
            })
            .collect();
        for row in rows {
            row.await.unwrap();
        }
    });
    let started = std::time::Instant::now();
    let (mut buffer, mut sent, mut seats_sent) = (String::new(), 0, 0);
    let mut joined = std::collections::BTreeSet::new();
    let mut read = |chunk: &[u8], sent: &mut usize, seats_sent: &mut usize| {
        buffer.push_str(&String::from_utf8_lossy(chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let Some(data) = event.strip_prefix("event: change\ndata: ") else { continue };
            let change: kaigo_api::class::TrainerGridChange = serde_json::from_str(data.trim_end()).unwrap();
            *sent += 1;
            *seats_sent += change.seats.len();
            joined.extend(change.seats.iter().filter(|s| s.step != ClassStep::NotJoined).map(|s| s.seat_number));
        }
    };
    while !joining.is_finished() {
        if let Ok(chunk) = tokio::time::timeout(std::time::Duration::from_millis(50), events.chunk()).await {
            read(&chunk.unwrap().unwrap(), &mut sent, &mut seats_sent);
        }
    }
    joining.await.unwrap();
    let elapsed = started.elapsed();
    // The last joins' change, a quarter second later at most.
    while let Ok(chunk) = tokio::time::timeout(std::time::Duration::from_millis(600), events.chunk()).await {
        read(&chunk.unwrap().unwrap(), &mut sent, &mut seats_sent);
    }
    assert!(sent as f64 <= elapsed.as_secs_f64() / 0.25 + 3.0, "{sent} changes in {elapsed:?}");
    // Only what moved is sent: each of the 200 seats about once (joined),
    // not the room of 200 with every event.
    assert_eq!(joined.len(), 200, "every join reached the trainer");
    assert!(seats_sent <= 2 * 200, "{seats_sent} seats sent in {sent} changes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trainers_stream_ends_when_the_class_is_closed_without_an_empty_grid() {
    let app = class_app().await;
    let class = open(&app, 2).await;
    let trainer = Trainer::sign_in(&app, class.trainer_secret.expose_secret()).await;
    let csrf = trainer.session().await.csrf_token;
    let mut events = trainer.get("/v1/trainer/events").send().await.unwrap();
    // Lossy: a chunk may end inside a character (the class's name is Japanese).
    let first = String::from_utf8_lossy(&events.chunk().await.unwrap().unwrap()).into_owned();
    assert!(first.starts_with("event: grid\n"), "{first}");
    assert!(trainer.post("/v1/trainer/close", Some(&csrf)).send().await.unwrap().status().is_success());
    let rest = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        let mut rest = String::new();
        while let Some(chunk) = events.chunk().await.unwrap() {
            rest.push_str(&String::from_utf8_lossy(&chunk));
        }
        rest
    })
    .await
    .expect("the stream ends with its class");
    assert!(!rest.contains("event:"), "an event after the close: {rest}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_join_codes_are_counted_per_pc_then_refused_for_a_while() {
    let app = class_app().await;
    let class = open(&app, 2).await;
    let pc = Pc::new();
    // A code that is not one is no try.
    assert_eq!(pc.join(&app, "1234").await.unwrap_err().code(), ErrorCode::JoinCodeFormat);
    let allowed = kaigo_domain::class::ClassPolicy::default().wrong_joins_allowed;
    let wrong = if class.join_code.as_str() == "ZZZZZZZZ" { "YYYY-YYYY" } else { "ZZZZ-ZZZZ" };
    for n in 1..allowed {
        let e = pc.join(&app, wrong).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::JoinCodeWrong);
        assert_eq!(e.tries_left(), Some(allowed - n));
    }
    // The wrong code that leaves none says the PC is kept out, and for how long.
    let e = pc.join(&app, wrong).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::JoinTriesExhausted);
    assert_eq!(e.retry_after_seconds(), Some(600));
    // Now even the right code waits for this PC: guessing gets nowhere.
    let e = pc.join(&app, &class.join_code.display()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::JoinTriesExhausted);
    assert!(e.retry_after_seconds().is_some());
    // Another PC of the room, behind the same address (one NAT): it joins
    // at once — one PC mistyping does not lock the room out.
    assert_eq!(Pc::new().join(&app, &class.join_code.display()).await.unwrap().seat_number, 1);
    app.clock.advance(kaigo_domain::class::ClassPolicy::default().wrong_join_window);
    assert_eq!(pc.join(&app, &class.join_code.display()).await.unwrap().seat_number, 2);
    // A right code takes no try: one wrong one after it leaves all but one.
    let e = pc.join(&app, wrong).await.unwrap_err();
    assert_eq!((e.code(), e.tries_left()), (ErrorCode::JoinCodeWrong, Some(allowed - 1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_join_codes_sent_all_at_once_are_judged_no_more_often_than_allowed() {
    wrong_join_codes_all_at_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_join_codes_sent_all_at_once_are_judged_no_more_often_than_allowed_on_postgres() {
    wrong_join_codes_all_at_once(Backend::Postgres).await;
}

/// 30 guesses from one PC at the same moment: no more are judged than the
/// policy allows (the count was once read by all before any wrote it: 12
/// to 18) — all but the last judged answered `join_code_wrong`, the last
/// and the rest `join_tries_exhausted`, and the PC's count stops at the
/// limit.
async fn wrong_join_codes_all_at_once(backend: Backend) {
    let Some(app) = spawn_with(Options { classes: true, backend, ..Options::default() }).await else { return };
    let class = open(&app, 2).await;
    let allowed = kaigo_domain::class::ClassPolicy::default().wrong_joins_allowed;
    let ca = fetch_class_authority(&app.url(), &pin(&app)).await.unwrap();
    let wrong = if class.join_code.as_str() == "ZZZZZZZZ" { "YYYY-YYYY" } else { "ZZZZ-ZZZZ" };
    let guesser = Pc::new().request();
    let guesses: Vec<_> = (0..30)
        .map(|_| {
            let (url, ca, request) = (app.url(), ca.clone(), guesser.clone());
            tokio::spawn(async move { OnboardingClient::for_joining(&url, &ca).unwrap().join_class(wrong, &request).await })
        })
        .collect();
    let mut answers: std::collections::HashMap<ErrorCode, usize> = std::collections::HashMap::new();
    for guess in guesses {
        *answers.entry(guess.await.unwrap().unwrap_err().code()).or_default() += 1;
    }
    let judged = answers.get(&ErrorCode::JoinCodeWrong).copied().unwrap_or_default();
    assert_eq!(judged, allowed as usize - 1, "{answers:?}");
    assert_eq!(answers.get(&ErrorCode::JoinTriesExhausted).copied().unwrap_or_default(), 30 - judged, "{answers:?}");
    let counts: Vec<i64> = {
        let mut conn = app.service.onboarding.db.acquire().await.unwrap();
        sqlx::query_scalar("SELECT count FROM wrong_joins WHERE address LIKE '% %'").fetch_all(&mut *conn).await.unwrap()
    };
    assert_eq!(counts, [i64::from(allowed)], "the PC's wrong codes judged");
    // The right code waits too from that PC, then joins once the window has passed.
    let e = OnboardingClient::for_joining(&app.url(), &ca).unwrap().join_class(&class.join_code.display(), &guesser).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::JoinTriesExhausted);
    app.clock.advance(kaigo_domain::class::ClassPolicy::default().wrong_join_window);
    let joined = OnboardingClient::for_joining(&app.url(), &ca).unwrap().join_class(&class.join_code.display(), &guesser).await.unwrap();
    assert_eq!(joined.seat_number, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_or_closed_class_takes_no_one_and_its_code_opens_no_other_class() {
    let app = class_app().await;
    let small = open(&app, 1).await;
    let other = open(&app, 1).await;
    let first = Pc::new();
    assert_eq!(first.join(&app, &small.join_code.display()).await.unwrap().seat_number, 1);
    assert_eq!(Pc::new().join(&app, &small.join_code.display()).await.unwrap_err().code(), ErrorCode::ClassFull);
    // The PC that holds the seat still gets it back.
    assert_eq!(first.join(&app, &small.join_code.display()).await.unwrap().seat_number, 1);
    // Each code joins its own class only.
    let joined_other = Pc::new().join(&app, &other.join_code.display()).await.unwrap();
    assert_eq!(joined_other.seat_number, 1);

    let trainer = Trainer::sign_in(&app, other.trainer_secret.expose_secret()).await;
    let csrf = trainer.session().await.csrf_token;
    let resp = trainer.post("/v1/trainer/close", Some(&csrf)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let last: TrainerGrid = resp.json().await.unwrap();
    assert_eq!(last.seats.len(), 1, "the last grid, for the summary");
    assert_eq!(
        Pc::new().join(&app, &other.join_code.display()).await.unwrap_err().code(),
        ErrorCode::JoinCodeWrong,
        "a deleted class's code is no code"
    );
    // The class past its end is closed, then deleted.
    app.clock.advance(time::Duration::hours(3));
    assert_eq!(first.join(&app, &small.join_code.display()).await.unwrap_err().code(), ErrorCode::ClassClosed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_certificate_request_gets_no_seat() {
    let app = class_app().await;
    let class = open(&app, 2).await;
    let ca = fetch_class_authority(&app.url(), &pin(&app)).await.unwrap();
    let joining = OnboardingClient::for_joining(&app.url(), &ca).unwrap();
    let weak = include_str!("../data/rsa1024.csr.pem");
    let e = joining.join_class(&class.join_code.display(), weak).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertificateRequestKeyWeak);
    let kaigo_client::ClientError::Api { body, .. } = &e else { panic!("{e}") };
    assert_eq!(body.field.as_deref(), Some("certificate_request_pem"));
    let good = Pc::new().request();
    // One bit of the signature changed.
    let der = rustls_pemfile::csr(&mut good.as_bytes()).unwrap().unwrap();
    let mut bytes = der.as_ref().to_vec();
    let at = bytes.len() - 2;
    bytes[at] ^= 1;
    use base64::Engine as _;
    let tampered = format!(
        "-----BEGIN CERTIFICATE REQUEST-----\n{}\n-----END CERTIFICATE REQUEST-----\n",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    );
    assert_eq!(joining.join_class(&class.join_code.display(), &tampered).await.unwrap_err().code(), ErrorCode::CertificateRequestInvalid);
    // Neither took a seat.
    assert_eq!(Pc::new().join(&app, &class.join_code.display()).await.unwrap().seat_number, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_refuses_a_service_whose_ca_is_not_the_pinned_one() {
    let app = class_app().await;
    let class = open(&app, 1).await;
    let mut wrong = match pin(&app) {
        CaPin::Full(f) => f,
        CaPin::Short(_) => unreachable!(),
    };
    wrong[0] ^= 0xff;
    let e = fetch_class_authority(&app.url(), &CaPin::Full(wrong)).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ClassPinMismatch);
    let short = CaPin::parse(&CaPin::short_of(&wrong)).unwrap();
    assert_eq!(fetch_class_authority(&app.url(), &short).await.unwrap_err().code(), ErrorCode::ClassPinMismatch);
    // The right short pin, as typed from the projector, is enough.
    let right = match pin(&app) {
        CaPin::Full(f) => CaPin::parse(&CaPin::short_of(&f).to_lowercase()).unwrap(),
        CaPin::Short(_) => unreachable!(),
    };
    assert_eq!(fetch_class_authority(&app.url(), &right).await.unwrap(), app.pki.ca_pem);
    // Without the pinned CA the join goes nowhere: another CA's trust fails the handshake.
    let stranger = TestPki::new();
    let e = OnboardingClient::for_joining(&app.url(), &stranger.ca_pem)
        .unwrap()
        .join_class(&class.join_code.display(), &Pc::new().request())
        .await;
    assert_eq!(e.unwrap_err().code(), ErrorCode::ServerCertificateUntrusted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seat_sees_only_its_own_mailbox_and_office() {
    let app = class_app().await;
    let class = open(&app, 2).await;
    let (pc_a, pc_b) = (Pc::new(), Pc::new());
    let a = pc_a.office(&app, &pc_a.join(&app, &class.join_code.display()).await.unwrap());
    let b = pc_b.office(&app, &pc_b.join(&app, &class.join_code.display()).await.unwrap());
    app.office_session(&a).await;
    // Seat B's certificate cannot log in as seat A's office …
    let e = app.client(&b).office_login(&a.kj, &a.password).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertificateOfficeMismatch);
    // … nor read seat A's code, even asking for its address.
    assert!(app.client(&b).practice_mailbox(Some(&a.email)).await.unwrap().is_empty());
    assert!(!app.client(&a).practice_mailbox(Some(&a.email)).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trainer_api_needs_the_session_of_its_class_and_the_csrf_token() {
    let app = class_app().await;
    let class = open(&app, 2).await;
    let other = open(&app, 2).await;
    let pc = Pc::new();
    let office = pc.office(&app, &pc.join(&app, &class.join_code.display()).await.unwrap());

    let nobody = Trainer::new(&app);
    for path in ["/v1/trainer/session", "/v1/trainer/grid", "/v1/trainer/events", "/v1/trainer/summary.csv", "/v1/trainer/join-qr.svg"] {
        assert_eq!(refusal(nobody.get(path).send().await.unwrap()).await, (401, ErrorCode::TrainerSignInRequired), "{path}");
    }
    for query in ["secret=not-the-secret", "ticket=not-a-ticket", "", "next=projector"] {
        let resp = nobody.http.get(format!("{}/trainer/sign-in?{query}", nobody.base)).send().await.unwrap();
        assert_eq!(refusal(resp).await, (401, ErrorCode::TrainerSignInRequired), "{query}");
    }
    // Over the service's own HTTPS address (a hosted class) the cookie is Secure.
    let https = reqwest::Client::builder()
        .no_proxy()
        .add_root_certificate(reqwest::Certificate::from_pem(app.pki.ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let resp = https.get(format!("{}/trainer/sign-in?secret={}", app.url(), other.trainer_secret.expose_secret())).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let set = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.contains("Secure") && set.contains("HttpOnly"), "{set}");
    // A ticket the app gave its window: good once, and only with nothing else.
    let ticket = app.service.onboarding.trainer_ticket(&class.id).await.unwrap();
    let both = format!("{}/trainer/sign-in?ticket={}&secret={}", nobody.base, ticket.expose_secret(), class.trainer_secret.expose_secret());
    assert_eq!(refusal(nobody.http.get(both).send().await.unwrap()).await, (401, ErrorCode::TrainerSignInRequired));
    let once = format!("{}/trainer/sign-in?ticket={}", nobody.base, ticket.expose_secret());
    assert_eq!(nobody.http.get(&once).send().await.unwrap().status(), 200);
    assert_eq!(refusal(nobody.http.get(&once).send().await.unwrap()).await, (401, ErrorCode::TrainerSignInRequired));

    // Another class's trainer sees and touches only their own class.
    let theirs = Trainer::sign_in(&app, other.trainer_secret.expose_secret()).await;
    assert!(theirs.grid().await.seats.iter().all(|s| s.step == ClassStep::NotJoined));
    let their_csrf = theirs.session().await.csrf_token;
    // Locking seat 1 of our class: three wrong passwords.
    for _ in 0..3 {
        let _ = app.client(&office).office_login(&office.kj, "Wrong-pass-1").await;
    }
    let ours = Trainer::sign_in(&app, class.trainer_secret.expose_secret()).await;
    assert!(ours.grid().await.seats[0].needs_help, "locked");
    assert_eq!(theirs.post("/v1/trainer/seats/1/unlock", Some(&their_csrf)).send().await.unwrap().status(), 204);
    assert!(ours.grid().await.seats[0].needs_help, "their unlock was of their own seat 1");

    // Without the token, or with another session's, nothing happens.
    let csrf = ours.session().await.csrf_token;
    for token in [None, Some(their_csrf.as_str()), Some("")] {
        let resp = ours.post("/v1/trainer/seats/1/unlock", token).send().await.unwrap();
        assert_eq!(refusal(resp).await, (403, ErrorCode::CsrfTokenInvalid));
    }
    assert_eq!(refusal(ours.post("/v1/trainer/close", None).send().await.unwrap()).await, (403, ErrorCode::CsrfTokenInvalid));
    assert!(ours.grid().await.seats[0].needs_help);
    assert_eq!(ours.post("/v1/trainer/seats/1/unlock", Some(&csrf)).send().await.unwrap().status(), 204);
    assert!(!ours.grid().await.seats[0].needs_help);
    assert_eq!(refusal(ours.post("/v1/trainer/seats/9/unlock", Some(&csrf)).send().await.unwrap()).await, (404, ErrorCode::NotFound));

    // The pages carry a strict policy, and no script of their own inline.
    let page = ours.get("/trainer").send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe"), "{csp}");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script>") && !html.contains(" on") && html.contains("src=\"/trainer/assets/trainer.js\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grid_says_so_when_no_pc_has_reached_the_class_a_few_minutes_after_it_opened() {
    let app = class_app().await;
    let class = open(&app, 2).await;
    let trainer = Trainer::sign_in(&app, class.trainer_secret.expose_secret()).await;
    assert!(!trainer.grid().await.nobody_reached, "just opened");
    app.clock.advance(kaigo_domain::class::NOBODY_REACHED_AFTER);
    assert!(trainer.grid().await.nobody_reached, "three minutes and nobody");
    let page = trainer.get("/trainer").send().await.unwrap().text().await.unwrap();
    for check in ["ファイアウォール", "プライベート ネットワーク", "ゲスト用のWi-Fi", "VPN"] {
        assert!(page.contains(check), "the grid lists {check}");
    }
    Pc::new().join(&app, &class.join_code.display()).await.unwrap();
    assert!(!trainer.grid().await.nobody_reached, "one PC has reached it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seat_reset_starts_over_and_keeps_its_pc() {
    let app = class_app().await;
    let class = open(&app, 1).await;
    let pc = Pc::new();
    let office = pc.office(&app, &pc.join(&app, &class.join_code.display()).await.unwrap());
    app.register_admin(&office, "resetadmin1").await;
    let trainer = Trainer::sign_in(&app, class.trainer_secret.expose_secret()).await;
    assert_eq!(trainer.grid().await.seats[0].step, ClassStep::AdminLogin);
    let csrf = trainer.session().await.csrf_token;
    assert_eq!(trainer.post("/v1/trainer/seats/1/reset", Some(&csrf)).send().await.unwrap().status(), 204);
    assert_eq!(trainer.grid().await.seats[0].step, ClassStep::OfficeLogin);
    // The same admin can be registered again, from the same PC.
    app.register_admin(&office, "resetadmin1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_join_count_is_deleted_once_its_window_has_passed_while_classes_go_on() {
    let app = class_app().await;
    let class = open(&app, 2).await;
    let ob = &app.service.onboarding;
    let pc = Pc::new();
    let wrong = if class.join_code.as_str() == "ZZZZZZZZ" { "YYYY-YYYY" } else { "ZZZZ-ZZZZ" };
    assert_eq!(pc.join(&app, wrong).await.unwrap_err().code(), ErrorCode::JoinCodeWrong);
    let rows = || async {
        let mut conn = ob.db.acquire().await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wrong_joins").fetch_one(&mut *conn).await.unwrap();
        n
    };
    assert_eq!(rows().await, 2, "the PC's count and its address's");
    // Within the window the counts hold the PC back: they stay.
    app.clock.advance(ob.class_policy.wrong_join_window - time::Duration::seconds(1));
    assert_eq!(kaigo_service::classes::delete_over(&ob.db, &ob.class_policy, app.clock.now()).await.unwrap(), 0);
    assert_eq!(rows().await, 2);
    // Past it they count for nothing: gone, though the class goes on.
    app.clock.advance(time::Duration::seconds(2));
    assert_eq!(kaigo_service::classes::delete_over(&ob.db, &ob.class_policy, app.clock.now()).await.unwrap(), 0);
    assert_eq!(rows().await, 0, "a PC's address and key outlived their use");
    // And the PC starts with every try.
    let e = pc.join(&app, wrong).await.unwrap_err();
    assert_eq!(e.tries_left(), Some(ob.class_policy.wrong_joins_allowed - 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_deleted_at_its_end_leaves_no_secret_in_the_database_files() {
    let app = class_app().await;
    let class = open(&app, 2).await;
    let pc = Pc::new();
    let joined = pc.join(&app, &class.join_code.display()).await.unwrap();
    let office = pc.office(&app, &joined);
    let initial = app.register_admin(&office, "secretadmin7").await;
    let trainer = Trainer::sign_in(&app, class.trainer_secret.expose_secret()).await;
    let info = trainer.session().await;
    let ob = &app.service.onboarding;
    let fingerprint = kaigo_service::pki::fingerprint(&office.cert.cert_der);
    // An attendee types an ID that is no seat's (their office's real one).
    let typed = "KJ9876543210";
    let e = app.client(&office).office_login(typed, "Their-real-pass1").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidCredentials);
    // What someone holding the files must not find afterwards.
    let secrets = [
        typed.to_owned(),
        office.kj.clone(),
        office.number.clone(),
        office.email.clone(),
        "secretadmin7".to_owned(),
        "secretadmin7@example.jp".to_owned(),
        fingerprint,
        ob.code_key.code_hash("class-join-code", class.join_code.as_str()),
        info.csrf_token.clone(),
        initial,
    ];
    let files = || {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(app.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().contains(".db") {
                all.extend(std::fs::read(&path).unwrap());
            }
        }
        all
    };
    let found = |bytes: &[u8], s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    let before = files();
    assert!(found(&before, &office.kj), "the test looks where the data is");
    assert!(found(&before, typed), "the ID typed was recorded (the audit trail)");

    app.clock.advance(time::Duration::hours(2));
    let deleted = kaigo_service::classes::delete_over(&ob.db, &ob.class_policy, app.clock.now()).await.unwrap();
    assert_eq!(deleted, 1);
    let after = files();
    for s in &secrets {
        assert!(!found(&after, s), "{s} is still in the database files");
    }
    // The class is gone for everyone: its trainer, its PCs, its code.
    assert_eq!(refusal(trainer.get("/v1/trainer/grid").send().await.unwrap()).await.1, ErrorCode::TrainerSignInRequired);
    assert_eq!(app.client(&office).office_login(&office.kj, &office.password).await.unwrap_err().code(), ErrorCode::InvalidCredentials);
}
