//! The whole of Step 3 in the real window, in practice mode, reading the
//! codes from the practice mailbox; the app is closed mid-way and must
//! resume where it was. A screenshot of every step is saved.
#![allow(clippy::unwrap_used)] // tests: failing loudly is right

use fantoccini::key::Key;
use kaigo_e2e::{app_under_test, code_in, png_size, within, E2eResult, Window};

const KJ: &str = "KJ0000000001";
const OFFICE_PASSWORD: &str = "Demo-pass-2026";
const SECURITY_CODE: &str = "1234";
const OFFICE_MAIL: &str = "office@demo.kaigo-onboard.invalid";
const ADMIN_MAIL: &str = "hanako@example.jp";

async fn first_run(app: &std::path::Path) -> E2eResult<()> {
    let w = Window::open(app).await?;
    w.wait_screen("preflight").await?;
    w.visible("#certificates input[type=radio]").await?;
    w.shot("01-preflight").await?;

    // Importing a certificate file through the file chooser: a wrong password
    // is explained next to its field, the right one keeps the certificate.
    let p12 = std::path::PathBuf::from(std::env::var_os("KAIGO_ONBOARD_DATA_DIR").expect("set by scripts/test.sh"))
        .join("practice/demo-office.p12");
    w.click("#import-box summary").await?;
    w.visible("#import-file").await?.send_keys(&p12.display().to_string()).await?;
    w.type_into("#import-password", "wrong").await?;
    w.click("#import-btn").await?;
    let err = w.visible(".field-error[data-for=password]").await?.text().await?;
    assert!(err.contains("パスワード"), "{err}");
    w.shot("01b-import-wrong-password").await?;
    w.type_into("#import-password", "demo-p12").await?;
    w.click("#import-btn").await?;
    let note = w.visible("#footer-note").await?;
    for _ in 0..100 {
        if note.text().await?.contains("取り込みました") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(note.text().await?.contains("取り込みました"));

    // The card test is there from the first screen (the reader is often
    // connected before anything else).
    w.click("#early-card-box summary").await?;
    w.click("#early-card-btn").await?;
    w.visible("#early-card-result").await?;
    w.shot("01c-card-test-early").await?;
    w.click("#early-card-box summary").await?;

    w.click("#certificates input[type=radio]").await?;
    w.click("#preflight-btn").await?;
    w.visible("#checks .check-ok").await?;
    w.shot("02-preflight-checked").await?;
    w.click("#preflight-next").await?;

    w.wait_screen("office-login").await?;
    // Before 3-1: a "no" says what to do and whom to call.
    w.click("#ready-security_mail input[value=no]").await?;
    let advice = w.visible("#ready-security_mail .advice").await?.text().await?;
    assert!(advice.contains("セキュリティ用メールアドレス") || advice.contains("ワンタイム認証コード"), "{advice}");
    assert!(advice.contains("0570-059-402"), "the help desk is named: {advice}");
    w.shot("02b-readiness").await?;
    // ことばの説明 is a key away: F1 lists the screen's words with what they
    // mean; Esc puts it away and focus back where it was.
    w.visible("#kj-id").await?.send_keys(&char::from(Key::F1).to_string()).await?;
    w.wait_true("!document.getElementById('glossary').hidden && document.activeElement.id === 'glossary-title'").await?;
    let words = w.visible("#glossary-list").await?.text().await?;
    for word in ["電子請求受付システム", "セキュリティコード"] {
        assert!(words.contains(word), "{word} explained: {words}");
    }
    // Only what is on view: the Edge note of the hidden first screen is not.
    assert!(!words.contains("ブラウザ"), "a hidden screen's words listed: {words}");
    w.shot("02c-glossary").await?;
    w.client.active_element().await?.send_keys(&char::from(Key::Escape).to_string()).await?;
    w.wait_true("document.getElementById('glossary').hidden && document.activeElement.id === 'kj-id'").await?;
    w.type_into("#kj-id", "KJ12").await?;
    // A password typed in full-width is flagged while typing, before any try is spent.
    w.type_into("#office-password", "ｘ").await?;
    let warning = w.visible(".field-warning[data-warning-for=office-password]").await?.text().await?;
    assert!(warning.contains("半角"), "full-width input is flagged: {warning}");
    w.click("#office-login-btn").await?;
    let err = w.visible(".field-error[data-for=electronic_billing_id]").await?.text().await?;
    assert!(err.contains("KJ"), "the bad ID is explained next to the field: {err}");
    w.shot("03-office-login-error").await?;
    // A wrong password: the tries left before the 30-minute lock are said.
    w.type_into("#kj-id", KJ).await?;
    w.type_into("#office-password", "Wrong-pass-1").await?;
    w.click("#office-login-btn").await?;
    w.wait_true("document.getElementById('error').textContent.includes('あと2回')").await?;
    w.shot("03b-office-tries-left").await?;
    w.type_into("#office-password", OFFICE_PASSWORD).await?;
    w.click("#office-login-btn").await?;

    w.wait_screen("office-code").await?;
    let code = code_in(&w.mail_to(OFFICE_MAIL, 0).await?).unwrap();
    w.type_into("#security-code", SECURITY_CODE).await?;
    w.type_into("#office-code", &code).await?;
    w.shot("04-office-code").await?;
    w.click("#office-verify-btn").await?;

    w.wait_screen("admin-form").await?;
    w.type_into("#admin-name", "介護 花子").await?;
    w.type_into("#admin-email", ADMIN_MAIL).await?;
    w.click("#service-type-groups input[value='43']").await?;
    w.click("#job-category option[value='01']").await?;
    w.type_into("#admin-user-id", "hanako01").await?;
    w.shot("05-admin-form").await?;
    w.click("#admin-confirm-btn").await?;

    w.wait_screen("admin-confirm").await?;
    let summary = w.visible("#admin-summary").await?.text().await?;
    assert!(summary.contains("hanako01") && summary.contains("居宅介護支援"), "{summary}");
    w.shot("06-admin-confirm").await?;
    w.click("#admin-register-btn").await?;
    w.wait_screen("admin-done").await?;
    let done = w.visible("#admin-done-text").await?.text().await?;
    assert!(done.contains("ha***@example.jp"), "{done}");
    w.shot("07-admin-done").await?;
    // The app is closed here, in the middle of Step 3.
    w.close().await
}

async fn second_run(app: &std::path::Path) -> E2eResult<()> {
    let w = Window::open(app).await?;
    w.wait_screen("admin-login").await?;
    let user = w.visible("#login-user-id").await?.prop("value").await?.unwrap_or_default();
    assert_eq!(user, "hanako01", "the wizard resumes with the registered admin");
    w.shot("08-resumed-admin-login").await?;
    let mail = w.mail_to(ADMIN_MAIL, 0).await?;
    let initial = mail.split("初期パスワード：").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    w.type_into("#login-password", &initial).await?;
    w.click("#admin-login-btn").await?;

    w.wait_screen("admin-code").await?;
    w.click("#channel-email").await?;
    w.click("#send-code-btn").await?;
    let code = code_in(&w.mail_to(ADMIN_MAIL, 1).await?).unwrap();
    w.type_into("#admin-code", &code).await?;
    w.click("#remember-device").await?;
    w.shot("09-admin-code").await?;
    w.click("#admin-verify-btn").await?;

    w.wait_screen("password").await?;
    w.type_into("#new-password", "Hana-2026-kaigo").await?;
    w.type_into("#new-password-again", "Hana-2026-kaigo").await?;
    // The checklist is judged in Rust, one answer per key: wait for the last one.
    w.wait_true("document.querySelectorAll('#password-checklist li').length === 6 && document.querySelectorAll('#password-checklist li.ok').length === 6").await?;
    w.shot("10-password-change").await?;
    w.click("#password-btn").await?;

    w.wait_screen("terminal").await?;
    w.shot("11-terminal").await?;
    // Nothing linked yet: the step cannot be finished.
    w.click("#finish-btn").await?;
    w.wait_true("document.getElementById('error').textContent.includes('資格確認端末がまだ1台も')").await?;
    // This PC: the app issues, redeems and signs by itself.
    w.click("#terminal-btn").await?;
    w.wait_true("document.querySelectorAll('#terminal-list tr[data-status=linked]').length === 1").await?;
    // A phone, in practice mode: the code and its QR code with a countdown,
    // then the simulated phone scans it.
    w.click("#kind-mobile").await?;
    w.click("#terminal-btn").await?;
    w.visible("#activation-qr svg").await?;
    let code = w.visible("#activation-code").await?.text().await?;
    assert_eq!(code.len(), 14, "ABCD-EFGH-JKLM: {code}");
    let countdown = w.visible("#activation-countdown").await?.text().await?;
    assert!(countdown.starts_with("14:") || countdown == "15:00", "{countdown}");
    w.client.execute("document.getElementById('device-activation').scrollIntoView()", vec![]).await?;
    w.shot("11b-terminal-qr").await?;
    w.click("#simulate-btn").await?;
    w.wait_true("document.querySelectorAll('#terminal-list tr[data-status=linked]').length === 2").await?;
    // The card-reading test, with a virtual My Number card on the virtual
    // reader when the suite runs one.
    let card = std::env::var("KAIGO_TEST_VPCD_PORT").ok().map(|port| {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/virtual-card/card.py");
        KillOnDrop(std::process::Command::new("/usr/bin/python3").args([script, &port, "mynumber"]).spawn().expect("card.py starts"))
    });
    w.click("#card-btn").await?;
    w.visible("#card-result").await?;
    if card.is_some() {
        // The reader takes a moment to see the card: try again until it does.
        for _ in 0..50 {
            let outcome = w.client.execute("return document.getElementById('card-result').dataset.outcome", vec![]).await?;
            if outcome.as_str() == Some("my_number_card") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            w.click("#card-btn").await?;
        }
        let text = w.visible("#card-result").await?.text().await?;
        assert!(text.contains("マイナンバーカードを読み取れました"), "{text}");
    }
    w.client.execute("document.getElementById('card-result').scrollIntoView({block: 'center'})", vec![]).await?;
    w.shot("11c-card-test").await?;
    drop(card);
    w.click("#finish-btn").await?;
    w.wait_screen("finished").await?;
    w.wait_true("document.querySelector('#report .report-sheet') !== null").await?;
    let report = w.visible("#report").await?.text().await?;
    for fact in ["完了報告書", "hanako01", "受付PC1", "職員スマホ1", "一般ユーザ", "ERR_BAD_SSL_CLIENT_AUTH_CERT"] {
        assert!(report.contains(fact), "{fact} missing: {report}");
    }
    w.shot("12-finished").await?;
    w.close().await
}

/// The practice mailbox's newest message to `recipient` beyond `seen`,
/// read through the app's own command (the test's way of reading mail;
/// staff's hands stay on the keyboard).
async fn mail_read(w: &Window, recipient: &str, seen: usize) -> E2eResult<String> {
    for _ in 0..100 {
        let v = w
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI__.core.invoke('mailbox').then((m) => done(m.filter((x) => x.recipient === arguments[0]).map((x) => x.subject + '\\n' + x.body)), () => done([]));",
                vec![serde_json::json!(recipient)],
            )
            .await?;
        let list: Vec<String> = serde_json::from_value(v)?;
        if list.len() > seen {
            return Ok(list[0].clone());
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    Err(format!("no mail to {recipient}").into())
}

/// How many practice mails `recipient` has had.
async fn mail_count(w: &Window, recipient: &str) -> E2eResult<usize> {
    let v = w
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke('mailbox').then((m) => done(m.filter((x) => x.recipient === arguments[0]).length), () => done(0));",
            vec![serde_json::json!(recipient)],
        )
        .await?;
    Ok(v.as_u64().unwrap_or(0) as usize)
}

/// Step 3 once more with the keyboard alone: Tab and Shift+Tab to move,
/// typing, Enter to send a form or press a button, Space for a check box,
/// arrow keys in radio groups and lists, Esc and F1 — nothing clicked. On
/// each screen the focus starts on its heading and Tab reaches every
/// control in order (`Window::keyboard_screen`); a mistake is announced and
/// the focus goes to the field at fault.
async fn keyboard_run(app: &std::path::Path) -> E2eResult<()> {
    let w = Window::open(app).await?;
    w.keyboard_screen("finished").await?;
    // 日本語 and 文字の大きさ 「特大」 chosen in 設定 by keyboard (the English
    // pass left English): the rest of the pass runs, and every screen of it
    // is measured, in Japanese at 200 %.
    w.tab_to("#settings-btn").await?;
    w.press(Key::Enter).await?;
    w.keyboard_screen("settings").await?;
    w.choose_with_arrows("input[name=language]", "ja", Key::Up).await?;
    w.choose_with_arrows("#text-size-settings input", "extra_large", Key::Down).await?;
    w.tab_to("#settings-save").await?;
    w.press(Key::Enter).await?;
    w.keyboard_screen("finished").await?;
    w.wait_true("document.documentElement.dataset.textSize === 'extra_large' && document.documentElement.lang === 'ja'").await?;
    w.tab_to("#restart-btn").await?;
    w.press(Key::Enter).await?;

    w.keyboard_screen("preflight").await?;
    w.tab_to("#certificates input[type=radio]").await?;
    w.press(Key::Space).await?;
    w.tab_to("#preflight-btn").await?;
    w.press(Key::Enter).await?;
    w.visible("#checks .check-ok").await?;
    // The check moves the focus on to 次へ when all is well.
    w.wait_true("document.activeElement.id === 'preflight-next'").await?;
    w.press(Key::Enter).await?;

    w.keyboard_screen("office-login").await?;
    w.tab_to("#kj-id").await?;
    w.type_here("KJ12").await?;
    w.tab_to("#office-password").await?;
    w.type_here(OFFICE_PASSWORD).await?;
    w.press(Key::Enter).await?;
    // Said where it is wrong, the focus on that field, the words tied to it.
    w.wait_true(
        "document.activeElement.id === 'kj-id' && document.activeElement.getAttribute('aria-invalid') === 'true' \
         && document.getElementById(document.activeElement.getAttribute('aria-describedby')).textContent.includes('KJ')",
    )
    .await?;
    w.shot("60-keyboard-field-at-fault").await?;
    for _ in 0.."KJ12".len() {
        w.press(Key::Backspace).await?;
    }
    w.type_here(KJ).await?;
    let seen = mail_count(&w, OFFICE_MAIL).await?;
    w.press(Key::Enter).await?;

    w.keyboard_screen("office-code").await?;
    let code = code_in(&mail_read(&w, OFFICE_MAIL, seen).await?).unwrap();
    w.tab_to("#security-code").await?;
    w.type_here(SECURITY_CODE).await?;
    w.tab_to("#office-code").await?;
    w.type_here(&code).await?;
    w.press(Key::Enter).await?;

    w.keyboard_screen("admin-form").await?;
    w.tab_to("#admin-name").await?;
    w.type_here("介護 次郎").await?;
    w.tab_to("#admin-email").await?;
    w.type_here("jiro@example.jp").await?;
    w.tab_to("#service-type-groups input[value='43']").await?;
    w.press(Key::Space).await?;
    w.tab_to("#job-category").await?;
    for _ in 0..3 {
        if w.client.execute("return document.getElementById('job-category').value", vec![]).await?.as_str() == Some("01") {
            break;
        }
        w.press(Key::Down).await?;
    }
    w.tab_to("#admin-user-id").await?;
    w.type_here("jiro0303").await?;
    w.shot("61-keyboard-admin-form").await?;
    w.press(Key::Enter).await?;

    w.keyboard_screen("admin-confirm").await?;
    w.tab_to("#admin-register-btn").await?;
    w.press(Key::Enter).await?;
    w.keyboard_screen("admin-done").await?;
    w.tab_to("#admin-done-next").await?;
    w.press(Key::Enter).await?;

    w.keyboard_screen("admin-login").await?;
    let mail = mail_read(&w, "jiro@example.jp", 0).await?;
    let initial = mail.split("初期パスワード：").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    w.tab_to("#login-password").await?;
    w.type_here(&initial).await?;
    // Shift+Tab back to the user ID, filled in with the one registered.
    w.tab_back().await?;
    w.wait_true("document.activeElement.id === 'login-user-id' && document.activeElement.value === 'jiro0303'").await?;
    w.press(Key::Enter).await?;

    w.keyboard_screen("admin-code").await?;
    // The channels are a radio group: the arrow keys choose in it.
    w.choose_with_arrows("#channels input", "email", Key::Down).await?;
    w.tab_to("#send-code-btn").await?;
    w.press(Key::Enter).await?;
    let code = code_in(&mail_read(&w, "jiro@example.jp", 1).await?).unwrap();
    w.tab_to("#admin-code").await?;
    w.type_here(&code).await?;
    w.press(Key::Enter).await?;

    w.keyboard_screen("password").await?;
    w.tab_to("#new-password").await?;
    w.type_here("Jiro-2026-kaigo").await?;
    w.tab_to("#new-password-again").await?;
    w.type_here("Jiro-2026-kaigo").await?;
    w.press(Key::Enter).await?;

    w.keyboard_screen("terminal").await?;
    w.tab_to("#terminal-name").await?;
    w.type_here("受付PC3").await?;
    w.press(Key::Enter).await?;
    w.wait_true("[...document.querySelectorAll('#terminal-list tr[data-status=linked]')].some((r) => r.textContent.includes('受付PC3'))")
        .await?;
    w.tab_to("#card-btn").await?;
    w.press(Key::Enter).await?;
    w.visible("#card-result").await?;
    w.tab_to("#finish-btn").await?;
    w.press(Key::Enter).await?;

    w.keyboard_screen("finished").await?;
    w.wait_true("document.querySelector('#report .report-sheet') !== null").await?;
    let report = w.visible("#report").await?.text().await?;
    assert!(report.contains("jiro0303") && report.contains("受付PC3"), "{report}");
    w.shot("62-keyboard-finished").await?;
    w.close().await
}

/// 文字の大きさ 「特大」 (200 %), in Japanese: the screens measured (no
/// sideways scrolling, nothing cut off, 44 px targets: every screenshot
/// checks them) and photographed at that size.
async fn large_text_run(app: &std::path::Path) -> E2eResult<()> {
    let w = Window::open(app).await?;
    w.wait_screen("finished").await?;
    the_checks_find_a_spoilt_page(&w).await?;
    // The keyboard pass left 特大 saved: 標準 first, so that what follows
    // shows choosing 特大 with the mouse.
    w.click("#settings-btn").await?;
    w.wait_screen("settings").await?;
    w.click("#text-size-standard").await?;
    w.click("#settings-save").await?;
    w.wait_screen("finished").await?;
    w.wait_true("document.documentElement.dataset.textSize === 'standard'").await?;
    w.click("#settings-btn").await?;
    w.wait_screen("settings").await?;
    w.click("#lang-ja").await?;
    w.click("#text-size-extra_large").await?;
    w.click("#settings-save").await?;
    w.wait_screen("finished").await?;
    w.wait_true("document.documentElement.dataset.textSize === 'extra_large'").await?;
    let root = w.client.execute("return getComputedStyle(document.documentElement).fontSize", vec![]).await?;
    assert_eq!(root.as_str(), Some("32px"), "200 % of 16 px");
    w.shot("50-large-finished").await?;
    w.click("#settings-btn").await?;
    w.wait_screen("settings").await?;
    w.shot("51-large-settings").await?;
    w.click("#settings-cancel").await?;
    w.wait_screen("finished").await?;
    w.click("#restart-btn").await?;
    w.wait_screen("preflight").await?;
    w.visible("#certificates input[type=radio]").await?;
    w.shot("52-large-preflight").await?;
    w.click("#certificates input[type=radio]").await?;
    w.click("#preflight-btn").await?;
    w.visible("#checks .check-ok").await?;
    w.shot("53-large-preflight-checked").await?;
    w.click("#preflight-next").await?;
    w.wait_screen("office-login").await?;
    w.type_into("#kj-id", "KJ12").await?;
    w.type_into("#office-password", "Wrong-pass-1").await?;
    w.click("#office-login-btn").await?;
    w.visible(".field-error[data-for=electronic_billing_id]").await?;
    w.shot("54-large-office-login-error").await?;
    w.click("#settings-btn").await?;
    w.wait_screen("settings").await?;
    w.click("#text-size-standard").await?;
    w.click("#settings-save").await?;
    w.wait_true("document.documentElement.dataset.textSize === 'standard'").await?;
    w.close().await
}

/// The page checks find what they look for: a part of the page spoilt on
/// purpose (wider than the window, words cut off, text drawn over text, a
/// 20 px button with no name, a picture with no words) is named by the
/// layout measurement and by axe-core, and the page is clean once it is
/// gone again.
async fn the_checks_find_a_spoilt_page(w: &Window) -> E2eResult<()> {
    // Built through the CSSOM: the app's content security policy refuses
    // style attributes written in markup.
    const SPOIL: &str = "const add = (parent, tag, text, style) => {
  const e = document.createElement(tag);
  e.textContent = text;
  Object.assign(e.style, style);
  return parent.appendChild(e);
};
const d = add(document.body, 'div', '', {});
d.id = 'spoilt';
add(d, 'div', 'wide', { width: '4000px' });
add(d, 'div', 'cut off words here', { width: '60px', overflow: 'hidden', whiteSpace: 'nowrap' });
const p = add(d, 'p', '', {});
add(p, 'span', 'underneath', {});
add(p, 'span', 'drawn over', { marginLeft: '-60px' });
add(d, 'p', 'lines squeezed into one narrow box', { width: '120px', lineHeight: '10px' });
add(d, 'button', '', { width: '20px', height: '20px', minWidth: '0', minHeight: '0', padding: '0' });
add(d, 'img', '', { width: '40px', height: '40px' }).src = 'data:,';";
    w.client.execute(SPOIL, vec![]).await?;
    let found = kaigo_e2e::layout::problems(&w.client).await?;
    for expected in [
        "the page scrolls sideways",
        "text cut off: div \"cut off words",
        "text over text: span \"underneath",
        "text over text: p \"lines squeezed",
        "target 20x20 px: button",
    ] {
        assert!(found.iter().any(|p| p.starts_with(expected)), "the layout check missed {expected:?}: {found:?}");
    }
    let axe = kaigo_e2e::axe::run(&w.client).await?;
    let rules: Vec<&str> = axe["violations"].as_array().into_iter().flatten().filter_map(|v| v["id"].as_str()).collect();
    for expected in ["button-name", "image-alt"] {
        assert!(rules.contains(&expected), "axe-core missed {expected}: {rules:?}");
    }
    w.client.execute("document.getElementById('spoilt').remove()", vec![]).await?;
    if !kaigo_e2e::report_only() {
        assert_eq!(kaigo_e2e::layout::problems(&w.client).await?, Vec::<String>::new());
    }
    Ok(())
}

/// An update server of the test's own: every request answered with a
/// manifest offering 0.2.0 (the app only shows the offer here; verifying
/// and installing are the shell's update tests).
async fn update_server() -> E2eResult<String> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = format!("http://{}/latest.json", listener.local_addr()?);
    let manifest = serde_json::json!({
        "version": "0.2.0",
        "notes": "受付時間の案内を新しくしました。",
        "pub_date": "2026-12-06T00:00:00Z",
        "platforms": Object::from_iter(["linux-x86_64", "linux-x86_64-deb", "windows-x86_64"].map(|k| {
            (k.to_owned(), serde_json::json!({ "signature": "", "url": "http://127.0.0.1:9/none" }))
        })),
    })
    .to_string();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                manifest.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(manifest.as_bytes()).await;
        }
    });
    Ok(address)
}

type Object = serde_json::Map<String, serde_json::Value>;

/// 設定 →「アプリの更新」: the version in use, an operator's update address
/// kept, the offer and what is new shown, 「あとで」 leaving all as it was.
async fn update_offer(app: &std::path::Path) -> E2eResult<()> {
    let endpoint = update_server().await?;
    let w = Window::open(app).await?;
    w.wait_screen("finished").await?;
    w.click("#settings-btn").await?;
    w.wait_screen("settings").await?;
    let current = w.visible("#update-current").await?.text().await?;
    assert!(current.contains(env!("CARGO_PKG_VERSION")), "{current}");
    // The accessibility statement, from ACCESSIBILITY.md.
    w.click("#accessibility-box summary").await?;
    let statement = w.visible("#accessibility-statement").await?.text().await?;
    assert!(statement.contains("対応度") && statement.contains("NVDA"), "{statement}");
    w.scroll_to("#accessibility-box").await?;
    w.shot("13a-accessibility-statement").await?;
    w.click("#accessibility-box summary").await?;
    w.type_into("#update-endpoint", "http://updates.example.jp/latest.json").await?;
    w.click("#settings-save").await?;
    let err = w.visible(".field-error[data-for=update_endpoint]").await?.text().await?;
    assert!(err.contains("https://"), "{err}");
    w.type_into("#update-endpoint", &endpoint).await?;
    w.click("#settings-save").await?;
    w.wait_screen("finished").await?;
    w.click("#settings-btn").await?;
    w.wait_screen("settings").await?;
    w.click("#update-check").await?;
    w.wait_true("document.getElementById('update-result').textContent.includes('0.2.0')").await?;
    let offer = w.visible("#update-offer").await?.text().await?;
    assert!(offer.contains("新しい版 0.2.0 があります") && offer.contains("受付時間の案内を新しくしました。"), "{offer}");
    w.client.execute("window.scrollTo(0, 0)", vec![]).await?;
    w.shot("13-update-offer").await?;
    w.click("#update-later").await?;
    w.wait_true("document.getElementById('update-offer').hidden").await?;
    // Back to the build's own address (none here): later runs see no offer.
    w.type_into("#update-endpoint", "").await?;
    w.click("#settings-save").await?;
    w.wait_screen("finished").await?;
    w.close().await
}

/// Visible Japanese sentences on the current screen, the header and the
/// error line. Official names kept in Japanese are marked `lang="ja"` and
/// skipped; every sentence of the app has hiragana, names and data such as
/// the demo office's name have none.
async fn japanese_left(w: &Window) -> E2eResult<Option<String>> {
    let found = w
        .client
        .execute(
            r#"const s = document.body.dataset.screen;
               const roots = [document.querySelector('header'), document.getElementById('screen-' + s), document.getElementById('error'), document.getElementById('resume-note')];
               const out = [];
               for (const root of roots) {
                 if (!root) continue;
                 const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                 while (walk.nextNode()) {
                   const el = walk.currentNode.parentElement;
                   if (el.closest('[lang=ja]') || el.closest('[hidden]') || el.getClientRects().length === 0) continue;
                   const text = walk.currentNode.textContent;
                   if (/[\u3040-\u309f]/.test(text)) out.push(text.trim());
                 }
               }
               return out.join('\n');"#,
            vec![],
        )
        .await?;
    let text = found.as_str().unwrap_or_default().to_owned();
    Ok((!text.is_empty()).then_some(text))
}

async fn english_screen(w: &Window, name: &str) -> E2eResult<()> {
    w.wait_screen(name).await?;
    // Lists and messages arrive a moment after the screen.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    if let Some(text) = japanese_left(w).await? {
        let _ = w.shot(&format!("english-failure-{name}")).await;
        return Err(format!("Japanese left on {name} in English:\n{text}").into());
    }
    Ok(())
}

/// One more pass through Step 3, in English (表示言語 in settings): every
/// screen is checked for Japanese left untranslated.
async fn english_run(app: &std::path::Path) -> E2eResult<()> {
    let w = Window::open(app).await?;
    w.wait_screen("finished").await?;
    w.click("#settings-btn").await?;
    w.wait_screen("settings").await?;
    w.click("#lang-en").await?;
    w.click("#settings-save").await?;
    english_screen(&w, "finished").await?;
    w.wait_true("document.querySelector('#report .report-sheet[lang=en]') !== null").await?;
    let report = w.visible("#report").await?.text().await?;
    assert!(report.contains("completion report") && report.contains("general user"), "{report}");
    w.shot("20-en-finished").await?;
    w.click("#restart-btn").await?;

    english_screen(&w, "preflight").await?;
    w.click("#certificates input[type=radio]").await?;
    w.click("#preflight-btn").await?;
    w.visible("#checks .check-ok").await?;
    english_screen(&w, "preflight").await?;
    w.shot("21-en-preflight").await?;
    w.click("#preflight-next").await?;

    english_screen(&w, "office-login").await?;
    w.click("#ready-security_mail input[value=no]").await?;
    let advice = w.visible("#ready-security_mail .advice").await?.text().await?;
    assert!(advice.contains("security mail address") || advice.contains("one-time code"), "{advice}");
    w.type_into("#kj-id", KJ).await?;
    w.type_into("#office-password", "Wrong-pass-1").await?;
    w.click("#office-login-btn").await?;
    w.wait_true("document.getElementById('error').textContent.includes('more wrong tries and the login is locked')").await?;
    english_screen(&w, "office-login").await?;
    w.shot("22-en-office-login").await?;
    w.type_into("#office-password", OFFICE_PASSWORD).await?;
    w.click("#office-login-btn").await?;

    english_screen(&w, "office-code").await?;
    let code = code_in(&w.mail_to(OFFICE_MAIL, 1).await?).unwrap();
    w.type_into("#security-code", SECURITY_CODE).await?;
    w.type_into("#office-code", &code).await?;
    w.click("#office-verify-btn").await?;

    english_screen(&w, "admin-form").await?;
    w.type_into("#admin-name", "Taro Kaigo").await?;
    w.type_into("#admin-email", "taro@example.jp").await?;
    w.click("#service-type-groups input[value='43']").await?;
    w.click("#job-category option[value='01']").await?;
    w.type_into("#admin-user-id", "taro0202").await?;
    w.shot("23-en-admin-form").await?;
    w.click("#admin-confirm-btn").await?;
    english_screen(&w, "admin-confirm").await?;
    w.click("#admin-register-btn").await?;
    english_screen(&w, "admin-done").await?;
    w.click("#admin-done-next").await?;

    english_screen(&w, "admin-login").await?;
    let mail = w.mail_to("taro@example.jp", 0).await?;
    let initial = mail.split("初期パスワード：").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    w.type_into("#login-user-id", "taro0202").await?;
    w.type_into("#login-password", &initial).await?;
    w.click("#admin-login-btn").await?;
    english_screen(&w, "admin-code").await?;
    w.click("#channel-email").await?;
    w.click("#send-code-btn").await?;
    let code = code_in(&w.mail_to("taro@example.jp", 1).await?).unwrap();
    w.type_into("#admin-code", &code).await?;
    english_screen(&w, "admin-code").await?;
    w.click("#admin-verify-btn").await?;

    english_screen(&w, "password").await?;
    w.type_into("#new-password", "Taro-2026-kaigo").await?;
    w.type_into("#new-password-again", "Taro-2026-kaigo").await?;
    w.click("#password-btn").await?;

    english_screen(&w, "terminal").await?;
    w.click("#kind-mobile").await?;
    w.type_into("#terminal-name", "Tablet 3").await?;
    w.click("#terminal-btn").await?;
    w.visible("#activation-qr svg").await?;
    english_screen(&w, "terminal").await?;
    w.click("#simulate-btn").await?;
    w.wait_true("[...document.querySelectorAll('#terminal-list tr[data-status=linked]')].some((r) => r.textContent.includes('Tablet 3'))")
        .await?;
    w.click("#card-btn").await?;
    w.visible("#card-result").await?;
    english_screen(&w, "terminal").await?;
    w.shot("24-en-terminal").await?;
    w.click("#finish-btn").await?;
    english_screen(&w, "finished").await?;
    w.wait_true("document.querySelector('#report .report-sheet[lang=en]') !== null").await?;
    let report = w.visible("#report").await?.text().await?;
    assert!(report.contains("taro0202") && report.contains("Tablet 3"), "{report}");
    w.shot("25-en-report").await?;
    w.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_complete_step_3_in_the_real_window_and_resume_after_closing_it() {
    let Some(app) = app_under_test() else { return };
    within("first run", first_run(&app)).await.unwrap();
    within("second run", second_run(&app)).await.unwrap();
    within("update offer", update_offer(&app)).await.unwrap();
    within("English run", english_run(&app)).await.unwrap();
    within("keyboard pass", keyboard_run(&app)).await.unwrap();
    within("large-text pass", large_text_run(&app)).await.unwrap();
    let dir = kaigo_e2e::screenshot_dir();
    for name in [
        "01-preflight",
        "02b-readiness",
        "02c-glossary",
        "04-office-code",
        "07-admin-done",
        "08-resumed-admin-login",
        "11b-terminal-qr",
        "11c-card-test",
        "12-finished",
        "13-update-offer",
        "21-en-preflight",
        "24-en-terminal",
        "25-en-report",
        "50-large-finished",
        "54-large-office-login-error",
        "60-keyboard-field-at-fault",
        "62-keyboard-finished",
        "keyboard-admin-form",
        "keyboard-terminal",
    ] {
        let bytes = std::fs::read(dir.join(format!("{name}.png"))).unwrap();
        let (w, h) = png_size(&bytes).expect("a PNG");
        assert!(w >= 800 && h >= 600, "{name} is {w}x{h}");
    }
}

/// A child process killed when dropped (the virtual card leaves the reader).
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
