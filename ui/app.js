// The wizard's screens. All logic lives in Rust: the status says which
// screen to draw, what notice to show and the words that state the policy's
// numbers. This file only draws, sends what staff typed, and shows
// `{code, message}` errors. It never keeps a password.
"use strict";

const invoke = (cmd, args) => window.__TAURI__.core.invoke(cmd, args);
const $ = (id) => document.getElementById(id);
const state = { status: null, challenge: null, lists: null, request: null, timers: {} };

// Language (表示言語, in settings). The page's Japanese is the source; each
// element carries its English in `data-en`. Messages from Rust come with
// `message` and `message_en`.
const english = () => !!state.status && state.status.settings.language === "en";
const t = (ja, en) => (english() ? en : ja);
const msg = (o) => (english() && o.message_en ? o.message_en : o.message);

function applyLanguage() {
  const en = english();
  document.documentElement.lang = en ? "en" : "ja";
  document.querySelectorAll("[data-en]").forEach((el) => {
    if (el.dataset.ja === undefined) el.dataset.ja = el.innerHTML;
    el.innerHTML = en ? el.dataset.en : el.dataset.ja;
  });
  document.querySelectorAll("[data-en-aria-label]").forEach((el) => {
    if (el.dataset.jaAriaLabel === undefined) el.dataset.jaAriaLabel = el.getAttribute("aria-label");
    el.setAttribute("aria-label", en ? el.dataset.enAriaLabel : el.dataset.jaAriaLabel);
  });
}

// Sets a text that has both languages, so a later switch keeps it.
function setBoth(el, ja, en) {
  el.dataset.ja = ja;
  el.dataset.en = en;
  el.textContent = english() ? en : ja;
}

const STEP_OF_SCREEN = {
  preflight: "preflight", "office-login": "office_login", "office-code": "office_login",
  "admin-form": "admin_registration", "admin-confirm": "admin_registration", "admin-done": "admin_registration",
  "admin-login": "admin_login", "admin-code": "admin_login", password: "admin_login",
  terminal: "terminal", finished: "finished",
};
const STEP_ORDER = ["preflight", "office_login", "admin_registration", "admin_login", "terminal", "finished"];

function show(screen) {
  document.querySelectorAll(".screen").forEach((s) => { s.hidden = s.id !== `screen-${screen}`; });
  clearError();
  const step = STEP_OF_SCREEN[screen];
  if (step) {
    const current = STEP_ORDER.indexOf(step);
    document.querySelectorAll("#progress li").forEach((li) => {
      const i = STEP_ORDER.indexOf(li.dataset.step);
      li.classList.toggle("done", i < current);
      li.classList.toggle("current", i === current);
      li.setAttribute("aria-current", i === current ? "step" : "false");
    });
  }
  const first = document.querySelector(`#screen-${screen} input:not([type=hidden]):not([disabled]):not(.no-autofocus), #screen-${screen} button.primary:not([disabled])`);
  if (first) first.focus();
  document.body.dataset.screen = screen;
}

function clearError() {
  $("error").hidden = true;
  document.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
  document.querySelectorAll("[aria-invalid=true]").forEach((e) => e.removeAttribute("aria-invalid"));
}

// Shows an error from a command: the message, and under the field at fault.
function showError(err, scope) {
  const message = (err && msg(err)) || String(err);
  const field = err && err.field;
  const target = field && (scope || document).querySelector(`.field-error[data-for="${field}"]`);
  if (target) {
    target.textContent = message;
    const input = (scope || document).querySelector(`[name="${field}"]`);
    if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
  } else {
    $("error").textContent = message;
    $("error").hidden = false;
  }
}

// Runs a command with the button disabled; errors are shown, not thrown.
async function act(button, fn, scope) {
  clearError();
  if (button) button.disabled = true;
  document.body.classList.add("busy");
  try { return await fn(); } catch (err) { showError(err, scope); return undefined; } finally {
    if (button) button.disabled = false;
    document.body.classList.remove("busy");
  }
}

function countdown(id, until) {
  clearInterval(state.timers[id]);
  const tick = () => {
    const left = Math.max(0, Math.floor((new Date(until) - Date.now()) / 1000));
    $(id).textContent = `${String(Math.floor(left / 60)).padStart(2, "0")}:${String(left % 60).padStart(2, "0")}`;
    if (left === 0) clearInterval(state.timers[id]);
  };
  tick();
  state.timers[id] = setInterval(tick, 1000);
}

// Field checks as staff type (after a short pause) and when they leave the
// field, by the same rules as the service.
function liveCheck(input, kind) {
  let timer = null;
  const check = async () => {
    clearTimeout(timer);
    if (!input.value) return;
    const p = input.closest("form, section").querySelector(`.field-error[data-for="${input.name}"]`);
    try { await invoke("check_field", { kind, value: input.value }); if (p) p.textContent = ""; input.removeAttribute("aria-invalid"); } catch (err) {
      if (p) p.textContent = err.message;
      input.setAttribute("aria-invalid", "true");
    }
  };
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 700); });
  input.addEventListener("blur", check);
}

// Warnings while a password is typed, so that fewer logins fail and lock:
// Caps Lock on, and full-width characters or spaces (checked in Rust).
function watchPassword(input) {
  const box = document.querySelector(`.field-warning[data-warning-for="${input.id}"]`);
  let caps = false;
  let characters = "";
  const render = () => {
    const text = [caps ? state.status.texts.caps_lock : "", characters].filter(Boolean).join(" ");
    box.textContent = text;
    box.hidden = !text;
  };
  const onKey = (e) => { if (e.getModifierState) { caps = e.getModifierState("CapsLock"); render(); } };
  input.addEventListener("keydown", onKey);
  input.addEventListener("keyup", onKey);
  input.addEventListener("blur", () => { caps = false; render(); });
  input.addEventListener("input", async () => {
    characters = "";
    if (input.value) {
      try { await invoke("check_field", { kind: "password_characters", value: input.value }); } catch (err) { characters = err.message; }
    }
    render();
  });
}

// ---- start and resume ----

async function refreshStatus() {
  return applyStatus(await invoke("status"));
}

function applyStatus(status) {
  state.status = status;
  const practice = !!state.status.practice;
  $("mode-badge").hidden = !practice;
  $("mailbox").hidden = !practice;
  applyLanguage();
  document.querySelectorAll("[data-text]").forEach((el) => {
    const text = status.texts[el.dataset.text];
    if (text !== undefined) el.textContent = text;
  });
  return state.status;
}

// Opens the screen the status names, with its notice. `known`: a status
// just received (at start), saving a round trip.
async function resume(known) {
  const s = known ? applyStatus(known) : await refreshStatus();
  const note = $("resume-note");
  note.hidden = !s.notice;
  note.textContent = s.notice ? msg(s.notice) : "";
  const enter = {
    preflight: enterPreflight, "office-login": enterOfficeLogin, "admin-form": enterAdminForm,
    "admin-login": enterAdminLogin, terminal: enterTerminal, finished: enterFinished,
  }[s.screen];
  return enter ? enter() : show(s.screen);
}

// ---- pre-flight ----

async function enterPreflight() {
  show("preflight");
  await loadCertificates();
}

// Where a certificate was found, in staff's words.
const CERTIFICATE_SOURCES = {
  app_store: ["このアプリに取り込んだ証明書", "imported into this app"],
  nss: ["ブラウザ（Chrome など）の証明書", "the browser's certificates (Chrome etc.)"],
  windows_store: ["Windows の証明書ストア", "the Windows certificate store"],
  macos_keychain: ["macOS のキーチェーン", "the macOS keychain"],
};

async function loadCertificates() {
  const asked = state.certificatesAsked;
  state.certificatesAsked = null;
  const list = await act(null, () => asked || invoke("list_certificates"));
  if (!list) return;
  const box = $("certificates");
  box.replaceChildren();
  if (list.length === 0) { box.textContent = t("証明書がまだありません。下の「証明書ファイルを取り込む」から取り込んでください。", "No certificate yet. Import one below with \"Import a certificate file\"."); }
  const chosen = state.status.progress.certificate_id;
  for (const c of list) {
    const label = document.createElement("label");
    label.className = `card status-${c.status}`;
    const radio = document.createElement("input");
    radio.type = "radio"; radio.name = "certificate"; radio.value = c.id; radio.checked = c.id === chosen;
    radio.addEventListener("change", () => {
      // A check started right after choosing waits for the choice to be kept.
      state.choosing = act(null, async () => { await invoke("choose_certificate", { id: c.id }); await refreshStatus(); });
    });
    const text = document.createElement("span");
    const status = english()
      ? { valid: "valid", expires_soon: `expires in ${c.days_left} days`, expired: "expired (cannot be used)", not_yet_valid: "not valid yet" }[c.status]
      : { valid: "有効", expires_soon: `あと${c.days_left}日で期限切れ`, expired: "期限切れ（使えません）", not_yet_valid: "まだ使えません" }[c.status];
    text.innerHTML = "";
    text.append(Object.assign(document.createElement("strong"), { textContent: c.label }));
    const where = CERTIFICATE_SOURCES[c.source] ? CERTIFICATE_SOURCES[c.source][english() ? 1 : 0] : c.source;
    text.append(document.createElement("br"), t(`事業所番号 ${c.office_number || "—"}　発行元 ${c.issuer}`, `Office number ${c.office_number || "—"}, issued by ${c.issuer}`));
    text.append(document.createElement("br"), t(`有効期限 ${new Date(c.not_after).toLocaleDateString("ja-JP")}（${status}）`, `Valid until ${new Date(c.not_after).toLocaleDateString("en-GB")} (${status})`));
    text.append(document.createElement("br"), t(`保管場所 ${where}`, `Kept in ${where}`));
    label.append(radio, text);
    box.append(label);
  }
}

async function runPreflight() {
  if (state.choosing) await state.choosing;
  const report = await act($("preflight-btn"), () => invoke("preflight"));
  if (!report) return;
  const ul = $("checks");
  ul.replaceChildren(...report.checks.map((c) => {
    const li = document.createElement("li");
    li.className = `check-${c.status}`;
    li.textContent = `${{ ok: "✓", warning: "！", error: "✕" }[c.status]} ${msg(c)}`;
    return li;
  }));
  $("preflight-next").disabled = !report.can_continue;
  if (report.can_continue) $("preflight-next").focus();
}

// ---- 3-1 ----

// 「準備できていますか」: each "いいえ" opens what to do and whom to call.
async function showReadiness() {
  const list = $("readiness-list");
  if (list.childElementCount) return;
  const items = await invoke("readiness_checklist").catch(() => []);
  list.replaceChildren(...items.map((item) => {
    const li = Object.assign(document.createElement("li"), { id: `ready-${item.id}` });
    const advice = Object.assign(document.createElement("p"), { className: "advice", textContent: t(item.if_not, item.if_not_en), hidden: true });
    const answers = Object.assign(document.createElement("div"), { className: "answers" });
    for (const [value, text] of [["yes", t("はい", "Yes")], ["no", t("いいえ", "No")]]) {
      const label = Object.assign(document.createElement("label"), { className: "check" });
      const radio = Object.assign(document.createElement("input"), { type: "radio", name: `ready-${item.id}`, value, className: "no-autofocus" });
      radio.addEventListener("change", () => { advice.hidden = value !== "no"; });
      label.append(radio, ` ${text}`);
      answers.append(label);
    }
    li.append(Object.assign(document.createElement("span"), { textContent: t(item.question, item.question_en) }), answers, advice);
    return li;
  }));
}

function enterOfficeLogin() {
  const p = state.status.practice;
  const hint = $("practice-hint");
  hint.hidden = !p;
  if (p) hint.textContent = t(`練習用の事業所：ユーザID ${p.electronic_billing_id}　パスワード ${p.password}　セキュリティコード ${p.security_code}`, `Practice office: user ID ${p.electronic_billing_id}, password ${p.password}, security code ${p.security_code}`);
  show("office-login");
  showReadiness();
  showSavedOfficeLogin();
}

// A password kept in the keychain is never shown: the field says it will be used.
async function showSavedOfficeLogin() {
  const saved = await invoke("saved_office_login").catch(() => null);
  const pw = $("office-password");
  $("remember-office").checked = !!saved;
  pw.placeholder = "";
  if (saved) {
    if (!$("kj-id").value) $("kj-id").value = saved;
    pw.placeholder = t("保存したパスワードを使います（空欄のまま）", "The saved password is used (leave empty)");
  }
}

async function officeLogin(ev) {
  ev.preventDefault();
  const form = $("office-login-form");
  const ch = await act($("office-login-btn"), () => invoke("office_login", { electronicBillingId: $("kj-id").value, password: $("office-password").value, remember: $("remember-office").checked }), form);
  if (!ch) return;
  state.challenge = ch;
  $("office-password").value = "";
  $("security-code-box").hidden = !ch.security_code_required;
  showDelivery("office-code-sent", ch.delivery);
  countdown("office-countdown", ch.delivery.code_expires_at);
  show("office-code");
  if (ch.security_code_required) $("security-code").focus(); else $("office-code").focus();
}

function showDelivery(id, d) {
  const where = d.channel === "sms" ? "SMS" : t("メール", "mail");
  $(id).textContent = t(`ワンタイム認証コードを${where}で ${d.masked_destination} に送りました。`, `The one-time code was sent by ${where} to ${d.masked_destination}. `) + state.status.texts.code_hint;
}

async function officeVerify(ev) {
  ev.preventDefault();
  const form = $("office-code-form");
  const progress = await act($("office-verify-btn"), () => invoke("office_verify", { code: $("office-code").value, securityCode: $("security-code").value || null }), form);
  if (!progress) return;
  $("office-code").value = ""; $("security-code").value = "";
  await resume();
}

async function officeResend() {
  const d = await act($("office-resend-btn"), () => invoke("office_resend_code"));
  if (!d) return;
  showDelivery("office-code-sent", d);
  countdown("office-countdown", d.code_expires_at);
}

// ---- 3-2 ----

async function enterAdminForm() {
  if (!state.lists) state.lists = await act(null, () => invoke("reference_lists"));
  if (!state.lists) return;
  const groups = $("service-type-groups");
  if (!groups.childElementCount) {
    for (const g of state.lists.groups) {
      const box = g.id === "preventive" ? document.createElement("details") : document.createElement("div");
      box.className = "group";
      const title = document.createElement(g.id === "preventive" ? "summary" : "h4");
      title.textContent = t(g.name, g.name_en);
      box.append(title);
      // Past types (moved into 総合事業) are not offered.
      for (const s of state.lists.service_types.filter((t) => t.group === g.id && !t.past)) {
        const label = document.createElement("label");
        label.className = "check";
        // The official Japanese name, in either language.
        label.lang = "ja";
        const cb = Object.assign(document.createElement("input"), { type: "checkbox", value: s.code, name: "service_types" });
        label.append(cb, ` ${s.code} ${s.name}${s.status === "unconfirmed" ? t("（未確認）", " (unconfirmed)") : ""}`);
        box.append(label);
      }
      groups.append(box);
    }
    for (const j of state.lists.job_categories) {
      $("job-category").append(Object.assign(document.createElement("option"), { value: j.code, textContent: j.name, lang: "ja" }));
    }
  }
  show("admin-form");
}

function adminRequest() {
  const codes = [...document.querySelectorAll("#service-type-groups input:checked")].map((c) => c.value);
  const opt = (v) => (v.trim() === "" ? null : v.trim());
  return { name: $("admin-name").value, email: opt($("admin-email").value), phone: opt($("admin-phone").value), service_types: codes, job_category: $("job-category").value, user_id: $("admin-user-id").value };
}

// The whole form is checked in Rust (the service's rules and lists, the
// user ID free); the answer is the confirmation screen's lines.
async function adminConfirm(ev) {
  ev.preventDefault();
  const request = adminRequest();
  const review = await act($("admin-confirm-btn"), () => invoke("review_registration", { request }), $("admin-form"));
  if (!review) return;
  state.request = request;
  $("admin-summary").replaceChildren(...review.rows.flatMap((r) => [Object.assign(document.createElement("dt"), { textContent: t(r.label, r.label_en) }), Object.assign(document.createElement("dd"), { textContent: r.value })]));
  show("admin-confirm");
}

async function adminRegister() {
  const progress = await act($("admin-register-btn"), () => invoke("register_admin", { request: state.request }));
  if (!progress) return;
  await refreshStatus();
  const a = progress.admin;
  const by = a.initial_password_channel === "sms" ? "SMS" : t("メール", "mail");
  $("admin-done-text").textContent = t(`管理者ユーザ「${a.user_id}」を登録しました。初期パスワードを${by}で ${a.initial_password_sent_to} に送りました。`, `The admin user "${a.user_id}" is registered. The initial password was sent by ${by} to ${a.initial_password_sent_to}.`);
  show("admin-done");
}

// ---- 3-3 ----

function enterAdminLogin() {
  const admin = state.status.progress.admin;
  if (admin) $("login-user-id").value = admin.user_id;
  show("admin-login");
}

async function adminLogin(ev) {
  ev.preventDefault();
  const form = $("admin-login-form");
  const view = await act($("admin-login-btn"), () => invoke("user_login", { userId: $("login-user-id").value, password: $("login-password").value }), form);
  $("login-password").value = "";
  if (!view) return;
  if (view.outcome === "logged_in") return resume();
  const box = $("channels");
  box.replaceChildren(...view.channels.map((c, i) => {
    const label = document.createElement("label");
    label.className = "check";
    const r = Object.assign(document.createElement("input"), { type: "radio", name: "channel", value: c, checked: i === 0, id: `channel-${c}` });
    label.append(r, c === "sms" ? t(" SMSで受け取る", " By SMS") : t(" メールで受け取る", " By mail"));
    return label;
  }));
  $("admin-code-sent").textContent = "";
  $("admin-countdown-box").hidden = true;
  show("admin-code");
}

async function sendUserCode() {
  const channel = document.querySelector("#channels input:checked").value;
  const d = await act($("send-code-btn"), () => invoke("send_user_code", { channel }));
  if (!d) return;
  setBoth($("send-code-btn"), "コードを再送する", "Send the code again");
  showDelivery("admin-code-sent", d);
  $("admin-countdown-box").hidden = false;
  countdown("admin-countdown", d.code_expires_at);
  $("admin-code").focus();
}

async function adminVerify(ev) {
  ev.preventDefault();
  const form = $("admin-code-form");
  const view = await act($("admin-verify-btn"), () => invoke("user_verify", { code: $("admin-code").value, rememberDevice: $("remember-device").checked }), form);
  if (!view) return;
  $("admin-code").value = "";
  await resume();
}

async function updateChecklist() {
  const candidate = $("new-password").value;
  const admin = state.status && state.status.progress.admin;
  const report = await invoke("password_report", { candidate, userId: admin ? admin.user_id : null });
  report.same = candidate !== "" && candidate === $("new-password-again").value;
  document.querySelectorAll("#password-checklist li").forEach((li) => {
    const ok = candidate !== "" && report[li.dataset.rule];
    li.classList.toggle("ok", ok);
    li.setAttribute("aria-checked", ok ? "true" : "false");
  });
}

async function changePassword(ev) {
  ev.preventDefault();
  const form = $("password-form");
  const progress = await act($("password-btn"), () => invoke("change_password", { newPassword: $("new-password").value, newPasswordAgain: $("new-password-again").value }), form);
  if (!progress) return;
  $("new-password").value = ""; $("new-password-again").value = "";
  await resume();
}

// ---- 3-4 and finish ----

const KIND_NAMES = { this_pc: ["このPC", "This PC"], mobile: ["スマートフォン・タブレット", "Phone or tablet"] };
const STATUS_NAMES = { awaiting_device: ["読み取り待ち", "Waiting for the device"], pending: ["確認中", "Checking"], linked: ["利用開始済み", "Linked"] };
const named = (names, key) => (names[key] ? names[key][english() ? 1 : 0] : key);

function enterTerminal() {
  show("terminal");
  $("simulate-btn").hidden = !state.status.practice;
  loadTerminals();
}

function kindChanged() {
  const mobile = $("kind-mobile").checked;
  const name = $("terminal-name");
  if (name.value === "受付PC1" || name.value === "職員スマホ1") name.value = mobile ? "職員スマホ1" : "受付PC1";
}

async function loadTerminals() {
  let list;
  try { list = await invoke("list_terminals"); } catch (err) { showError(err); return undefined; }
  drawTerminals(list);
  return list;
}

function drawTerminals(list) {
  $("terminal-list-empty").hidden = list.length > 0;
  $("terminal-list").querySelector("tbody").replaceChildren(...list.map((t) => {
    const tr = document.createElement("tr");
    tr.dataset.terminal = t.terminal_id;
    tr.dataset.status = t.status;
    for (const text of [t.name, named(KIND_NAMES, t.kind), named(STATUS_NAMES, t.status)]) tr.append(Object.assign(document.createElement("td"), { textContent: text }));
    const cell = document.createElement("td");
    const unlink = Object.assign(document.createElement("button"), { type: "button", className: "unlink" });
    setBoth(unlink, "登録を解除", "Unlink");
    unlink.addEventListener("click", () => unlinkTerminal(t, unlink));
    cell.append(unlink);
    tr.append(cell);
    return tr;
  }));
}

async function unlinkTerminal(t, button) {
  const question = english()
    ? `Unlink "${t.name}"? The マイナ資格確認アプリ on it will stop working.`
    : `「${t.name}」の登録を解除します。この端末ではマイナ資格確認アプリが使えなくなります。よろしいですか？`;
  if (!window.confirm(question)) return;
  const list = await act(button, () => invoke("unlink_terminal", { terminalId: t.terminal_id }));
  if (!list) return;
  if (state.activation && state.activation.terminal.terminal_id === t.terminal_id) hideActivation();
  drawTerminals(list);
}

async function setupTerminal(ev) {
  ev.preventDefault();
  const name = $("terminal-name").value;
  if ($("kind-mobile").checked) {
    const shown = await act($("terminal-btn"), () => invoke("issue_device_terminal", { name }), $("terminal-form"));
    if (shown) showActivation(shown);
    return;
  }
  const progress = await act($("terminal-btn"), () => invoke("setup_terminal", { name }), $("terminal-form"));
  if (!progress) return;
  $("footer-note").textContent = t(`「${name}」を利用開始しました。`, `"${name}" is linked.`);
  await loadTerminals();
}

function showActivation(shown) {
  state.activation = { ...shown, deadline: Date.now() + shown.seconds_left * 1000 };
  $("device-activation").hidden = false;
  $("activation-qr").innerHTML = shown.qr_svg; // SVG made by the app itself from the activation link
  $("activation-code").textContent = shown.code;
  $("activation-name").textContent = shown.terminal.name;
  $("activation-state").textContent = t("端末での読み取りを待っています…", "Waiting for the device to read it…");
  countdown("activation-countdown", state.activation.deadline);
  clearInterval(state.timers.poll);
  state.timers.poll = setInterval(pollActivation, 3000);
  loadTerminals();
}

function hideActivation() {
  clearInterval(state.timers.poll);
  clearInterval(state.timers["activation-countdown"]);
  state.activation = null;
  $("device-activation").hidden = true;
}

async function pollActivation() {
  if (!state.activation || document.body.dataset.screen !== "terminal") { clearInterval(state.timers.poll); return; }
  const list = await loadTerminals();
  const mine = list && list.find((t) => t.terminal_id === state.activation.terminal.terminal_id);
  if (mine && mine.status === "linked") { activationDone(mine.name); return; }
  if (Date.now() >= state.activation.deadline) $("activation-state").textContent = t("利用開始コードの有効期限が切れました。「コードを出し直す」を押してください。", "The activation code has expired. Press \"Issue a new code\".");
}

function activationDone(name) {
  hideActivation();
  $("footer-note").textContent = t(`「${name}」を利用開始しました。`, `"${name}" is linked.`);
  loadTerminals();
}

async function reissueActivation() {
  if (!state.activation) return;
  const shown = await act($("reissue-btn"), () => invoke("reissue_device_activation", { terminalId: state.activation.terminal.terminal_id }));
  if (shown) showActivation(shown);
}

// 練習モード: a simulated phone reads the QR code's contents.
async function simulateDevice() {
  if (!state.activation) return;
  const name = state.activation.terminal.name;
  const settings = await act($("simulate-btn"), () => invoke("practice_device_scan", { link: state.activation.link }));
  if (settings) activationDone(name);
}

async function cardCheck() {
  const result = await act($("card-btn"), () => invoke("card_check"));
  if (!result) return;
  const p = $("card-result");
  p.hidden = false;
  p.className = `card-result ${result.passed ? "ok" : "ng"}`;
  p.dataset.outcome = result.outcome;
  p.textContent = result.reader ? `${msg(result)}（${result.reader}）` : msg(result);
}

async function finishTerminals() {
  const progress = await act($("finish-btn"), () => invoke("finish_terminals"));
  if (!progress) return;
  hideActivation();
  await resume();
}

async function enterFinished() {
  show("finished");
  const html = await act(null, () => invoke("completion_report"));
  // Made by the app from the saved progress, every value escaped there.
  if (html) $("report").innerHTML = html;
}

// Printing shows the sheet alone (style.css, @media print).
function printReport() {
  window.print();
}

async function saveReport() {
  const path = await act($("report-save"), () => invoke("save_completion_report"));
  if (path) $("report-note").textContent = t(`完了報告書を保存しました：${path}`, `The completion report was saved: ${path}`);
}

// ---- mailbox, settings, support ----

async function refreshMailbox() {
  if ($("mailbox").hidden) return;
  let list;
  try { list = await invoke("mailbox"); } catch (_) { return; }
  $("mailbox-list").replaceChildren(...list.map((m) => {
    const li = document.createElement("li");
    li.className = "message";
    const head = Object.assign(document.createElement("div"), { className: "message-head", textContent: `${m.channel === "sms" ? "SMS" : t("メール", "Mail")} → ${m.recipient}　${new Date(m.delivered_at).toLocaleTimeString("ja-JP")}` });
    const subject = Object.assign(document.createElement("div"), { className: "message-subject", textContent: m.subject });
    const body = Object.assign(document.createElement("pre"), { className: "message-body", textContent: m.body });
    li.append(head, subject, body);
    return li;
  }));
}

function openSettings() {
  const s = state.status.settings.service;
  $("lang-ja").checked = state.status.settings.language !== "en";
  $("lang-en").checked = state.status.settings.language === "en";
  $("mode-practice").checked = s.mode === "practice";
  $("mode-remote").checked = s.mode === "remote";
  $("service-url").value = s.url || "";
  show("settings");
}

async function saveSettings() {
  const remote = $("mode-remote").checked;
  const current = state.status.settings.service;
  const service = remote ? { ...(current.mode === "remote" ? current : {}), mode: "remote", url: $("service-url").value.trim() } : { mode: "practice" };
  const settings = { service, language: $("lang-en").checked ? "en" : "ja" };
  const saved = await act($("settings-save"), () => invoke("save_settings", { settings }), $("screen-settings"));
  if (!saved) return;
  await act(null, () => invoke("start"));
  await resume();
}

// The file's bytes go to the app (the page cannot see file paths).
async function importCertificate() {
  const box = $("import-box");
  box.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
  const file = $("import-file").files[0];
  const c = await act($("import-btn"), async () => {
    // No file chosen: the app answers what to do.
    const contents = file ? Array.from(new Uint8Array(await file.arrayBuffer())) : [];
    return invoke("import_certificate", { contents, password: $("import-password").value });
  }, box);
  if (c) {
    $("import-password").value = "";
    $("import-file").value = "";
    box.open = false;
    await loadCertificates();
    $("footer-note").textContent = t(`証明書「${c.label}」を取り込みました。一覧から選んでください。`, `The certificate "${c.label}" was imported. Choose it in the list.`);
  }
}

async function supportBundle() {
  const path = await act($("support-btn"), () => invoke("support_bundle"));
  if (path) $("footer-note").textContent = t(`サポート用ファイルを保存しました：${path}`, `The support file was saved: ${path}`);
}

// A fault of the page itself is shown, never left as a blank screen.
function showPageFault(detail) {
  const box = $("error");
  if (!box) return;
  box.textContent = `${t("画面の表示で問題が起きました。アプリを閉じて、もう一度開いてください。", "The screen ran into a problem. Close the app and open it again.")}（${detail}）`;
  box.hidden = false;
}
window.addEventListener("error", (e) => showPageFault(e.message));
window.addEventListener("unhandledrejection", (e) => showPageFault(e.reason && (e.reason.message || e.reason)));

window.addEventListener("DOMContentLoaded", async () => {
  $("preflight-btn").addEventListener("click", runPreflight);
  $("preflight-next").addEventListener("click", () => resume());
  $("import-btn").addEventListener("click", importCertificate);
  $("office-login-form").addEventListener("submit", officeLogin);
  $("office-code-form").addEventListener("submit", officeVerify);
  $("office-resend-btn").addEventListener("click", officeResend);
  $("admin-form").addEventListener("submit", adminConfirm);
  $("admin-register-btn").addEventListener("click", adminRegister);
  $("admin-back-btn").addEventListener("click", () => show("admin-form"));
  $("admin-done-next").addEventListener("click", () => resume());
  $("admin-login-form").addEventListener("submit", adminLogin);
  $("send-code-btn").addEventListener("click", sendUserCode);
  $("admin-code-form").addEventListener("submit", adminVerify);
  $("password-form").addEventListener("submit", changePassword);
  $("new-password").addEventListener("input", updateChecklist);
  $("new-password-again").addEventListener("input", updateChecklist);
  $("terminal-form").addEventListener("submit", setupTerminal);
  $("kind-this-pc").addEventListener("change", kindChanged);
  $("kind-mobile").addEventListener("change", kindChanged);
  $("reissue-btn").addEventListener("click", reissueActivation);
  $("simulate-btn").addEventListener("click", simulateDevice);
  $("card-btn").addEventListener("click", cardCheck);
  $("finish-btn").addEventListener("click", finishTerminals);
  $("report-print").addEventListener("click", printReport);
  $("report-save").addEventListener("click", saveReport);
  $("restart-btn").addEventListener("click", async () => { await act(null, () => invoke("restart")); await resume(); });
  $("mailbox-refresh").addEventListener("click", refreshMailbox);
  $("settings-btn").addEventListener("click", openSettings);
  $("settings-save").addEventListener("click", saveSettings);
  $("settings-cancel").addEventListener("click", () => resume());
  $("support-btn").addEventListener("click", supportBundle);
  liveCheck($("kj-id"), "electronic_billing_id");
  liveCheck($("admin-user-id"), "user_id");
  liveCheck($("admin-email"), "email");
  liveCheck($("admin-phone"), "phone");
  liveCheck($("admin-name"), "name");
  liveCheck($("office-code"), "code");
  liveCheck($("admin-code"), "code");
  liveCheck($("terminal-name"), "terminal_name");
  for (const id of ["office-password", "login-password", "new-password"]) watchPassword($(id));
  setInterval(refreshMailbox, 2000);
  // The first screen usually lists the certificates: ask for them alongside.
  state.certificatesAsked = invoke("list_certificates");
  state.certificatesAsked.catch(() => {});
  const started = await act(null, () => invoke("start"));
  if (started === undefined) { show("preflight"); return; }
  await resume(started);
  refreshMailbox();
  invoke("ui_ready");
});
