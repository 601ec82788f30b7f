//! 研修を開く in the real window: the trainer opens a class from the app's
//! first screen (the class served inside the app, on this PC's loopback),
//! the grid and the projector's page open as windows of the app, a PC
//! joins (through the client library, as the attendee's app does) and the
//! grid shows it; the trainer ends the class in the grid's window, and
//! the app forgets it — its folder, database and the keychain entries of
//! its CA's key and service key deleted.
#![allow(clippy::unwrap_used)] // tests: failing loudly is right

use kaigo_app_core::keychain::{Keychain, SecretStore as _};
use kaigo_e2e::{app_under_test, within, E2eResult, Launch, Window};
use kaigo_practice::class_host::keychain_entry;
use kaigo_service::classes::room::RoomSecret;
use std::time::Duration;

/// The app's keychain entries in this test (its own, beside the suite's).
const KEYCHAIN: &str = "jp.kaigo-onboard.e2e-class-host";

/// The class's secrets the app keeps in this test's keychain.
fn kept_secrets() -> Vec<RoomSecret> {
    let keychain = Keychain::new(KEYCHAIN);
    RoomSecret::ALL.into_iter().filter(|s| keychain.get(&keychain_entry(*s)).unwrap().is_some()).collect()
}

/// What the main window shows once the class is open.
struct Hosted {
    service_url: String,
    join_code: String,
    check_code: String,
}

async fn open_from_the_app(w: &Window) -> E2eResult<Hosted> {
    w.wait_screen("preflight").await?;
    w.click("#class-host-box summary").await?;
    // The networks are listed; "this PC only" is always there, and keeps
    // the test's traffic on loopback.
    w.wait_true("[...document.querySelectorAll('#class-host-network option')].some((o) => o.value === '127.0.0.1')").await?;
    // A name left empty is refused at its field, about the class's name.
    w.type_into("#class-host-name", "").await?;
    w.client.execute("document.getElementById('class-host-network').value = '127.0.0.1'", vec![]).await?;
    w.click("#class-host-btn").await?;
    let said = w.visible(".field-error[data-for=name]").await?.text().await?;
    assert!(said.contains("研修の名前"), "{said}");
    w.type_into("#class-host-name", "e2e 研修を開く").await?;
    w.type_into("#class-host-seats", "3").await?;
    w.type_into("#class-host-hours", "1").await?;
    w.scroll_to("#class-host-form").await?;
    w.shot("50-class-host-form").await?;
    w.click("#class-host-btn").await?;
    w.visible("#class-hosting").await?;
    let said = w.visible("#class-hosting-text").await?.text().await?;
    assert!(said.contains("e2e 研修を開く") && said.contains("3席"), "{said}");
    let hosted = Hosted {
        service_url: w.visible("#class-hosting-url").await?.text().await?,
        join_code: w.visible("#class-hosting-code").await?.text().await?,
        check_code: w.visible("#class-hosting-pin").await?.text().await?,
    };
    assert!(hosted.service_url.starts_with("https://127.0.0.1:"), "{}", hosted.service_url);
    w.scroll_to("#class-hosting").await?;
    w.shot("51-class-hosting").await?;
    Ok(hosted)
}

/// Switches the session to the window whose page is at `path`, waiting
/// for the app to open it.
async fn switch_to_page(w: &Window, path: &str) -> E2eResult<()> {
    w.switch_to("location.pathname", path).await
}

/// A PC of the room joins, as the attendee's app does.
async fn a_pc_joins(hosted: &Hosted) -> E2eResult<u32> {
    let pin = kaigo_domain::class::CaPin::parse(&hosted.check_code).map_err(|c| c.as_str())?;
    let ca = kaigo_client::class::fetch_class_authority(&hosted.service_url, &pin).await?;
    let key = rcgen::KeyPair::generate()?;
    let request = rcgen::CertificateParams::default().serialize_request(&key)?.pem()?;
    let joined = kaigo_client::OnboardingClient::for_joining(&hosted.service_url, &ca)?.join_class(&hosted.join_code, &request).await?;
    Ok(joined.seat_number)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trainer_opens_runs_and_ends_a_class_from_the_app() {
    let Some(app) = app_under_test() else { return };
    let dir = tempfile::tempdir().unwrap();
    let launch = Launch::with_own_data(&app, dir.path(), KEYCHAIN).unwrap();
    let w = within("opening the window", Window::open_as(&launch)).await.unwrap();
    let main = w.client.window().await.unwrap();
    let hosted = within("opening the class", open_from_the_app(&w)).await.unwrap();
    assert_eq!(kept_secrets(), RoomSecret::ALL, "the class's CA key and service key are in the keychain");

    // The grid opened by itself, in a window of the app: three seats.
    within("the grid's window", switch_to_page(&w, "/trainer")).await.unwrap();
    w.wait_true("document.querySelectorAll('#grid tbody tr').length === 3").await.unwrap();
    let seat = within("a PC joining", a_pc_joins(&hosted)).await.unwrap();
    assert_eq!(seat, 1);
    w.wait_true("[...document.querySelectorAll('#grid tbody tr')[0].cells].slice(2, 7).some((c) => c.textContent === '●')").await.unwrap();
    w.shot("52-class-host-grid").await.unwrap();

    // 投影用の画面, from the main window's button: the codes, large.
    w.client.switch_to_window(main.clone()).await.unwrap();
    w.click("#class-projector-btn").await.unwrap();
    within("the projector's window", switch_to_page(&w, "/trainer/projector")).await.unwrap();
    w.wait_true(&format!("document.getElementById('join-code').textContent === '{}'", hosted.join_code)).await.unwrap();
    // Drawn large, the address on one line at the window's 1024 px.
    let sizes = w
        .client
        .execute("return ['service-url', 'join-code', 'short-pin'].map((id) => { const r = document.getElementById(id).getBoundingClientRect(); return [r.width, r.height, getComputedStyle(document.getElementById(id)).fontSize]; })", vec![])
        .await
        .unwrap();
    eprintln!("projector codes (width, height, font size): {sizes}");
    for code in sizes.as_array().unwrap() {
        let (width, height) = (code[0].as_f64().unwrap(), code[1].as_f64().unwrap());
        assert!(width > 100.0 && (40.0..120.0).contains(&height), "a code on the projector is {width}x{height}: {sizes}");
    }
    w.client.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    // The join link's QR code, drawn (the service rendered it for this class).
    // An SVG's natural size is the size it is drawn at: 200 px and more is
    // read by a PC's camera across a room.
    w.wait_true("document.getElementById('join-qr').complete && document.getElementById('join-qr').naturalWidth >= 200 && document.getElementById('join-qr').getBoundingClientRect().width >= 200").await.unwrap();
    // All three codes and the QR code on the projector window as it opens,
    // without scrolling (the back row cannot ask anyone to scroll) — with
    // the longest address a room's network gives (a five-digit port the
    // kernel chose) still on one line.
    let below = w
        .client
        .execute(
            "const url = document.getElementById('service-url'); url.textContent = 'https://192.168.100.100:' + (6 * 10000 + 999);\
             if (url.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(url).lineHeight)) return ['the address takes two lines'];\
             return ['service-url', 'join-code', 'short-pin', 'join-qr'].filter((id) => document.getElementById(id).getBoundingClientRect().bottom > window.innerHeight)\
             .map((id) => `${id} ends at ${Math.round(document.getElementById(id).getBoundingClientRect().bottom)} px of ${window.innerHeight}`)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(below, serde_json::json!([]), "below the projector window's fold");
    // A window just made: let it paint what its script drew before the
    // picture is taken (taken at once, it showed the page before its codes).
    tokio::time::sleep(Duration::from_millis(500)).await;
    w.shot("53-class-host-projector").await.unwrap();

    // The trainer ends the class in the grid's window (its question answered yes).
    within("the grid's window again", switch_to_page(&w, "/trainer")).await.unwrap();
    w.click("#close-class").await.unwrap();
    // The page asks first (confirm): answered yes, as the trainer would.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while w.client.accept_alert().await.is_err() {
        assert!(std::time::Instant::now() < deadline, "the grid never asked before ending the class");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    w.wait_true("location.pathname === '/trainer/summary'").await.unwrap();
    w.shot("54-class-host-ended").await.unwrap();

    // The main window offers 研修を開く again; nothing of the class is left.
    w.client.switch_to_window(main).await.unwrap();
    w.wait_true("!document.getElementById('class-host-box').hidden && document.getElementById('class-hosting').hidden").await.unwrap();
    let folder = dir.path().join("data").join("hosted-class");
    assert!(!folder.join("class").exists() && !folder.join("class.json").exists(), "the class's folder and record are deleted");
    assert_eq!(kept_secrets(), [], "the class's keychain entries are deleted");
    w.close().await.unwrap();
}
