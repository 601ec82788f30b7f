//! 研修モード in the real window: a class opened by the service program as
//! its own process (`open-class`, the operator's command — not the app's
//! embedded practice service); the app joins it through its join screen with
//! the three codes from the projector, walks Step 3 on the seat's practice
//! office, and the trainer's page, open in Debian's Chromium, shows the seat
//! moving; then the app leaves the class and the trainer ends it.
#![allow(clippy::unwrap_used)] // tests: failing loudly is right

use kaigo_e2e::{app_under_test, code_in, png_size, screenshot_dir, within, Browser, E2eResult, Launch, Window};
use std::time::Duration;
use tokio::io::AsyncBufReadExt as _;

/// The app's keychain entries in this test (its own, beside the suite's).
const KEYCHAIN: &str = "jp.kaigo-onboard.e2e-class";

/// What `open-class` printed: the trainer's link and what attendees type.
struct OpenedClass {
    trainer_link: String,
    service_url: String,
    join_code: String,
    check_code: String,
    join_link: String,
    _service: tokio::process::Child,
}

/// Runs `kaigo-onboard-service open-class` as an operator would (a folder
/// of its own, this machine's loopback address as the room's), and reads
/// what it prints until it listens.
async fn open_class(service: &std::path::Path, dir: &std::path::Path) -> E2eResult<OpenedClass> {
    let (port, trainer_port) = (kaigo_e2e::free_port()?, kaigo_e2e::free_port()?);
    let mut child = tokio::process::Command::new(service)
        .args(["open-class", "--name", "e2e研修", "--seats", "3", "--hours", "1", "--host", "127.0.0.1"])
        .arg("--dir")
        .arg(dir)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--trainer-listen", &format!("127.0.0.1:{trainer_port}")])
        .env("KAIGO_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    loop {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line()).await?.unwrap_or_default().unwrap_or_default();
        let done = line.starts_with("listening on");
        printed.push(line);
        if done || printed.len() > 40 {
            break;
        }
    }
    // The rest of its output is not read: keep the pipe drained.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let after = |label: &str| -> String {
        printed
            .iter()
            .find_map(|l| l.split_once(label).map(|(_, v)| v.trim().to_owned()))
            .unwrap_or_else(|| panic!("{label} not printed: {printed:#?}"))
    };
    let trainer_link = printed.iter().find(|l| l.contains("/trainer/sign-in?secret=")).map(|l| l.trim().to_owned()).unwrap();
    assert!(trainer_link.starts_with(&format!("http://127.0.0.1:{trainer_port}/")), "the trainer's page is on loopback: {trainer_link}");
    Ok(OpenedClass {
        service_url: after("接続先 (address):"),
        join_code: after("参加コード (join code):"),
        check_code: after("確認コード (check code):"),
        join_link: after("参加用リンク (join link, for online classes):"),
        trainer_link,
        _service: child,
    })
}

/// The seat row of the trainer's grid for the office `kj`: the index of
/// the step column holding the ● mark (0 = 3-1), or -1.
fn seat_step(kj: &str) -> String {
    format!(
        "(() => {{ const r = [...document.querySelectorAll('#grid tbody tr')].find((r) => r.cells[1].textContent.includes('{kj}'));
                 if (!r) return -2; return [...r.cells].slice(2, 7).findIndex((c) => c.textContent === '●'); }})()"
    )
}

async fn attend(w: &Window, class: &OpenedClass, trainer: &Browser) -> E2eResult<String> {
    w.wait_screen("preflight").await?;
    w.visible("#certificates input[type=radio]").await?;
    w.click("#class-join-box summary").await?;
    // Typed as staff type it: small letters, no hyphen.
    w.type_into("#class-url", &class.service_url).await?;
    w.type_into("#class-join-code", &class.join_code.replace('-', "").to_lowercase()).await?;
    w.type_into("#class-check-code", &class.check_code).await?;
    w.scroll_to("#class-join-form").await?;
    w.shot("30-class-join").await?;
    // A join code mistyped is refused and explained next to its field; nothing is joined.
    w.type_into("#class-join-code", "ZZZZ-ZZZZ").await?;
    w.click("#class-join-btn").await?;
    let said = w.visible(".field-error[data-for=join_code]").await?.text().await?;
    assert!(said.contains("参加コード"), "{said}");
    w.scroll_to(".field-error[data-for=join_code]").await?;
    w.shot("30b-class-join-wrong-code").await?;
    w.type_into("#class-join-code", &class.join_code).await?;
    w.click("#class-join-btn").await?;
    w.visible("#class-banner").await?;
    let joined = w.visible("#class-joined").await?.text().await?;
    assert!(joined.contains("e2e研修") && joined.contains("席"), "{joined}");
    let badge = w.visible("#class-badge").await?.text().await?;
    assert!(badge.contains("研修"), "every screen is marked 研修: {badge}");
    w.visible("#class-note").await?;
    let card = w.visible("#certificates label.status-for_class").await?.text().await?;
    assert!(card.contains("研修用"), "the seat's certificate is the class's, no renewal warning: {card}");
    w.scroll_to("#class-banner").await?;
    w.shot("31-class-joined").await?;

    w.click("#preflight-btn").await?;
    w.visible("#checks .check-ok").await?;
    let checks = w.visible("#checks").await?.text().await?;
    assert!(checks.contains("研修用") && !checks.contains("更新"), "{checks}");
    w.click("#preflight-next").await?;

    // 3-1 with the seat's practice office, shown like practice mode's hint.
    w.wait_screen("office-login").await?;
    let hint = w.visible("#practice-hint").await?.text().await?;
    let value = |label: &str| hint.split(label).nth(1).and_then(|v| v.split_whitespace().next()).map(str::to_owned);
    let kj = value("ユーザID").unwrap();
    let password = value("パスワード").unwrap();
    assert!(kj.starts_with("KJ99"), "made-up KJ ID: {hint}");
    trainer.wait_true(&format!("{} === 0", seat_step(&kj))).await?;
    w.type_into("#kj-id", &kj).await?;
    w.type_into("#office-password", &password).await?;
    w.click("#office-login-btn").await?;

    w.wait_screen("office-code").await?;
    // The screen drawn for this code (its countdown running, the security
    // code's box shown or not) before its fields are read.
    w.wait_true("document.getElementById('office-code-sent').textContent !== ''").await?;
    let code = code_in(&w.mail_to("kaigo-onboard.invalid", 0).await?).unwrap();
    if w.client.execute("return !document.getElementById('security-code-box').hidden", vec![]).await?.as_bool() == Some(true) {
        w.type_into("#security-code", &value("セキュリティコード").unwrap()).await?;
    }
    w.type_into("#office-code", &code).await?;
    w.click("#office-verify-btn").await?;

    // 3-2: made-up names and contacts are offered, never real ones.
    w.wait_screen("admin-form").await?;
    let note = w.visible("#class-made-up").await?.text().await?;
    assert!(note.contains("架空"), "{note}");
    w.click("#class-made-up-btn").await?;
    let name = w.visible("#admin-name").await?.prop("value").await?.unwrap_or_default();
    let email = w.visible("#admin-email").await?.prop("value").await?.unwrap_or_default();
    let user_id = w.visible("#admin-user-id").await?.prop("value").await?.unwrap_or_default();
    assert!(!name.is_empty() && email.ends_with("@example.jp") && !user_id.is_empty(), "{name} {email} {user_id}");
    w.click("#service-type-groups input[value='43']").await?;
    w.click("#job-category option[value='01']").await?;
    w.scroll_to("#class-made-up").await?;
    w.shot("32-class-admin-form").await?;
    // The trainer sees the seat at 3-2 while it is there.
    trainer.wait_true(&format!("{} === 1", seat_step(&kj))).await?;
    // The app's glossary, on the trainer's page too.
    trainer
        .wait_true("document.querySelector('#glossary dl') && document.querySelector('#glossary dl').textContent.includes('CSV')")
        .await?;
    trainer.client.execute("document.querySelector('#glossary').open = true", vec![]).await?;
    trainer.shot("40-trainer-grid").await?;
    w.click("#admin-confirm-btn").await?;
    w.wait_screen("admin-confirm").await?;
    w.click("#admin-register-btn").await?;
    w.wait_screen("admin-done").await?;
    w.click("#admin-done-next").await?;

    // 3-3: the admin's first login, code by mail, new password.
    w.wait_screen("admin-login").await?;
    trainer.wait_true(&format!("{} === 2", seat_step(&kj))).await?;
    let mail = w.mail_to(&email, 0).await?;
    let initial = mail.split("初期パスワード：").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    w.type_into("#login-password", &initial).await?;
    w.click("#admin-login-btn").await?;
    w.wait_screen("admin-code").await?;
    w.click("#channel-email").await?;
    w.click("#send-code-btn").await?;
    let code = code_in(&w.mail_to(&email, 1).await?).unwrap();
    w.type_into("#admin-code", &code).await?;
    w.click("#admin-verify-btn").await?;
    w.wait_screen("password").await?;
    w.type_into("#new-password", "Kenshu-2026-ok").await?;
    w.type_into("#new-password-again", "Kenshu-2026-ok").await?;
    w.click("#password-btn").await?;

    // 3-4: this PC as a terminal, then done.
    w.wait_screen("terminal").await?;
    trainer.wait_true(&format!("{} === 3", seat_step(&kj))).await?;
    w.click("#terminal-btn").await?;
    w.wait_true("document.querySelectorAll('#terminal-list tr[data-status=linked]').length === 1").await?;
    w.click("#finish-btn").await?;
    w.wait_screen("finished").await?;
    w.shot("33-class-finished").await?;
    trainer.wait_true(&format!("{} === 4", seat_step(&kj))).await?;
    trainer.shot("41-trainer-grid-finished").await?;
    Ok(kj)
}

/// Leaving the class takes the seat's certificate out of the app again.
async fn leave(w: &Window) -> E2eResult<()> {
    w.click("#restart-btn").await?;
    w.wait_screen("preflight").await?;
    w.click("#class-leave-btn").await?;
    w.visible("#class-join-box").await?;
    w.wait_true("document.getElementById('class-badge').hidden").await?;
    let listed = w.client.execute("return document.getElementById('certificates').textContent", vec![]).await?;
    assert!(!listed.as_str().unwrap_or_default().contains("KJ99"), "the seat's certificate is gone: {listed}");
    w.shot("34-class-left").await?;
    Ok(())
}

/// A join link opened while the app runs (as from a mail, online classes):
/// the system starts the program again with the link, which hands it to
/// the open window and ends; staff confirm with 参加する. Then the app,
/// started by a link, shows it at once.
async fn join_by_link(w: Window, launch: &Launch, class: &OpenedClass) -> E2eResult<()> {
    let second = tokio::process::Command::new(&launch.program).arg(&class.join_link).status();
    let status = tokio::time::timeout(Duration::from_secs(30), second).await??;
    assert!(status.success(), "the second launch hands the link over and ends: {status}");
    let link = serde_json::Value::String(class.join_link.clone());
    let filled = "document.getElementById('class-link').value === arguments[0]";
    for _ in 0..200 {
        if w.client.execute(&format!("return {filled}"), vec![link.clone()]).await?.as_bool() == Some(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    assert_eq!(w.client.execute(&format!("return {filled}"), vec![link]).await?.as_bool(), Some(true), "the link reached the open window");
    w.visible("#class-link-received").await?;
    w.scroll_to("#class-join-form").await?;
    w.shot("35-class-link-received").await?;
    w.click("#class-join-btn").await?;
    w.visible("#class-banner").await?;
    w.click("#class-leave-btn").await?;
    w.visible("#class-join-box").await?;
    w.close().await?;

    let opened = Launch { args: vec![class.join_link.clone()], ..Launch::with_own_data(&launch.app, launch_dir(launch), KEYCHAIN)? };
    let w = Window::open_as(&opened).await?;
    w.wait_screen("preflight").await?;
    w.visible("#class-link-received").await?;
    let value = w.visible("#class-link").await?.prop("value").await?.unwrap_or_default();
    assert_eq!(value, class.join_link, "started by a link, the app shows it");
    w.click("#class-join-btn").await?;
    let joined = w.visible("#class-joined").await?.text().await?;
    assert!(joined.contains("e2e研修"), "{joined}");
    w.close().await
}

fn launch_dir(launch: &Launch) -> &std::path::Path {
    launch.program.parent().unwrap()
}

async fn trainer_pages(trainer: &Browser, class: &OpenedClass, kj: &str) -> E2eResult<()> {
    let base = class.trainer_link.split("/trainer/").next().unwrap().to_owned();
    trainer.client.goto(&format!("{base}/trainer/projector")).await?;
    trainer.wait_true(&format!("document.getElementById('join-code').textContent === '{}'", class.join_code)).await?;
    let shown = trainer.client.execute("return document.getElementById('service-url').textContent", vec![]).await?;
    assert_eq!(shown.as_str(), Some(class.service_url.as_str()));
    trainer.shot("42-trainer-projector").await?;
    trainer.client.goto(&format!("{base}/trainer/summary")).await?;
    trainer.wait_true(&format!("document.getElementById('summary').textContent.includes('{kj}')")).await?;
    trainer.shot("43-trainer-summary").await?;
    // The class ends: everything of it is deleted, the summary stays on screen.
    trainer.client.goto(&format!("{base}/trainer")).await?;
    trainer.wait_true("document.querySelectorAll('#grid tbody tr').length === 3").await?;
    trainer.client.find(fantoccini::Locator::Id("close-class")).await?.click().await?;
    trainer.client.accept_alert().await?;
    trainer.wait_true("location.pathname === '/trainer/summary'").await?;
    trainer.wait_true(&format!("document.getElementById('summary').textContent.includes('{kj}')")).await?;
    trainer.shot("44-trainer-class-ended").await?;
    // The session went with the class.
    trainer.client.goto(&format!("{base}/trainer")).await?;
    trainer.wait_true("document.getElementById('notice').textContent.includes('講師用リンク')").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_joins_a_class_and_the_trainer_sees_its_seat_move() {
    let Some(app) = app_under_test() else { return };
    let service = std::env::var_os("KAIGO_E2E_SERVICE").map(std::path::PathBuf::from).expect("scripts/test.sh sets KAIGO_E2E_SERVICE");
    let dir = tempfile::tempdir().unwrap();
    let class = open_class(&service, &dir.path().join("class-data")).await.unwrap();

    let trainer = Browser::open(screenshot_dir()).await.unwrap();
    trainer.client.goto(&class.trainer_link).await.unwrap();
    trainer.wait_true("location.pathname === '/trainer'").await.unwrap();
    trainer.wait_true("document.querySelectorAll('#grid tbody tr').length === 3").await.unwrap();
    let cookie = trainer.client.get_named_cookie("kaigo_trainer").await.unwrap();
    // HttpOnly; not Secure on the loopback page's plain HTTP, where WebKitGTK
    // (the app's own trainer window) would not keep it.
    assert_eq!(cookie.http_only(), Some(true), "the session cookie is HttpOnly");

    let launch = Launch::with_own_data(&app, dir.path(), KEYCHAIN).unwrap();
    let w = within("opening the window", Window::open_as(&launch)).await.unwrap();
    let kj = within("attending the class", attend(&w, &class, &trainer)).await.unwrap();
    within("leaving the seat", leave(&w)).await.unwrap();
    within("joining by link", join_by_link(w, &launch, &class)).await.unwrap();
    within("the trainer's pages", trainer_pages(&trainer, &class, &kj)).await.unwrap();
    trainer.close().await.unwrap();

    for name in ["30-class-join", "31-class-joined", "32-class-admin-form", "40-trainer-grid", "42-trainer-projector", "43-trainer-summary"]
    {
        let bytes = std::fs::read(screenshot_dir().join(format!("{name}.png"))).unwrap();
        let (width, height) = png_size(&bytes).expect("a PNG");
        assert!(width >= 800 && height >= 600, "{name} is {width}x{height}");
    }
}
