// 本番の日: the narrow window beside Edge. The guide walks the real Step 3
// one step at a time (what the screen in Edge asks, what to have ready,
// what comes next); staff tick steps, start the clocks that matter, read
// what to do when something goes wrong and whether the help desk is open.
// Everything drawn comes from Rust (`real_day`); nothing secret is asked
// for or kept (a new password may be tried against the rules, never kept).
import { invoke } from "../ipc.js";
import { certificateLines } from "../certificates.js";
import { $, act, el, every, passwordChecklist, show, watchPassword } from "../dom.js";
import { text, useTexts, placeTexts } from "../texts.js";

let english = false;
const FIELDS = {
  office_number: "rd-office-number",
  electronic_billing_id: "rd-kj-id",
  office_name: "rd-office-name",
  admin_name: "rd-admin-name",
  admin_email: "rd-admin-email",
  admin_phone: "rd-admin-phone",
};

// Times come from Rust in Japan time ("2026-12-08T10:00:00+09:00"): shown
// as written, whatever time zone the PC is set to.
const hhmm = (iso) => iso.slice(11, 16);
const monthDay = (iso) => `${Number(iso.slice(5, 7))}/${Number(iso.slice(8, 10))}`;
const pick = (ja, en) => (english ? en : ja);

function drawSteps(day) {
  $("rd-steps").replaceChildren(...day.guide.steps.map((s) => {
    const done = !!day.done[s.id];
    const box = el("input", { type: "checkbox", id: `rd-done-${s.id}`, checked: done });
    box.addEventListener("change", () => act(box, async () => draw(await invoke("tick_real_day_step", { step: s.id, done: box.checked }))));
    return el("li", { className: done ? "done" : "" },
      el("h4", {}, pick(s.title, s.title_en)),
      el("p", { className: "small" }, text("real_day_asks")),
      el("ul", {}, ...pick(s.asks, s.asks_en).map((a) => el("li", {}, a))),
      el("p", { className: "small" }, text("real_day_ready")),
      el("ul", {}, ...pick(s.ready, s.ready_en).map((a) => el("li", {}, a))),
      el("p", {}, pick(s.next, s.next_en)),
      el("label", { className: "rd-done" }, box, el("span", {}, text("real_day_done"))));
  }));
}

// The copy buttons: each value prepared, named by its field's label in
// the form above. Rust puts it on the clipboard and takes it off again.
const labelOf = (field) => document.querySelector(`#real-day-values [name=${field}]`).closest("label").querySelector("span").textContent;

function drawCopies(day) {
  const list = $("rd-copies");
  if (!day.copies.length) { list.replaceChildren(el("li", { className: "small" }, text("real_day_copies_none"))); return; }
  list.replaceChildren(...day.copies.map((c) => {
    const label = labelOf(c.field);
    const button = el("button", { type: "button", id: `rd-copy-${c.field}`, textContent: text("real_day_copy_button") });
    button.setAttribute("aria-label", text("real_day_copy_button_for", { label }));
    button.addEventListener("click", async () => {
      // A refusal is said at the top of the window (no field of the form
      // above is at fault; that form may be closed).
      const copied = await act(button, () => invoke("copy_real_day_value", { field: c.field }), $("rd-copies"));
      $("rd-copied").textContent = copied ? text("real_day_copied", { label, until: hhmm(copied.clears_at) }) : "";
    });
    return el("li", {}, el("span", { className: "rd-copy-label" }, label), " ", el("code", {}, c.value), " ", button);
  }));
}

function drawClocks(day) {
  $("rd-clocks").replaceChildren(...day.clocks.map((c) => el("li", { className: c.over ? "over" : "" },
    c.over ? text(`real_day_over_${c.clock}`) : text(`real_day_until_${c.clock}`, { until: hhmm(c.ends_at) }))));
}

function drawHints(day) {
  $("rd-hints").replaceChildren(...day.guide.hints.map((h) => el("details", { className: "rd-hint", id: `rd-hint-${h.id}` },
    el("summary", {}, pick(h.title, h.title_en)),
    el("ul", {}, ...pick(h.what_to_do, h.what_to_do_en).map((w) => el("li", {}, w))))));
}

function drawHelpDesk(day) {
  const d = day.help_desk;
  const now = day.help_desk_now;
  const state = now.state === "open"
    ? text("real_day_desk_open", { until: hhmm(now.closes_at) })
    : now.opens_at ? text("real_day_desk_closed", { until: `${monthDay(now.opens_at)} ${hhmm(now.opens_at)}` }) : "";
  $("rd-help-desk").textContent = `${pick(d.name, d.name_en)} ${d.phone}　${state}　(${pick(d.hours, d.hours_en)})`;
}

// The form shows what was saved: on opening and after a save, never while
// staff may be typing (the clocks redraw every half minute).
function drawValues(day) {
  for (const [field, id] of Object.entries(FIELDS)) $(id).value = day.values[field] || "";
}

function draw(day) {
  if (!day) return;
  // Redrawn every half minute: the control staff are on keeps the focus.
  const focused = document.activeElement && document.activeElement.id;
  $("rd-on-top").checked = !!day.on_top;
  drawCopies(day);
  drawSteps(day);
  drawClocks(day);
  drawHints(day);
  drawHelpDesk(day);
  if (focused && document.activeElement && document.activeElement.id !== focused && $(focused)) $(focused).focus();
}

// 3-3's new password, tried before it is typed in Edge: judged as staff
// type (the wizard's checklist and warnings), never kept, and cleared as
// soon as the focus leaves the box or the window is hidden.
function wirePassword() {
  const input = $("rd-new-password");
  const judge = passwordChecklist($("rd-password-checklist"));
  watchPassword(input);
  input.addEventListener("input", () => judge(input.value));
  // Emptied as if staff had deleted it: the list and the warnings follow.
  const forget = () => {
    input.value = "";
    input.type = "password";
    $("rd-password-show").checked = false;
    input.dispatchEvent(new Event("input"));
  };
  $("rd-password-show").addEventListener("change", () => { input.type = $("rd-password-show").checked ? "text" : "password"; });
  $("rd-password").addEventListener("focusout", (ev) => { if (!$("rd-password").contains(ev.relatedTarget)) forget(); });
  document.addEventListener("visibilitychange", () => { if (document.hidden) forget(); });
  window.addEventListener("pagehide", forget);
  forget();
}

// Opens the guide's hint and brings it into view, focused.
function openHint(id) {
  const hint = $(`rd-hint-${id}`);
  if (!hint) return;
  hint.open = true;
  hint.querySelector("summary").focus();
  hint.scrollIntoView({ block: "nearest" });
}

// 本番の日の前に: the certificates Edge will offer on this PC, and what
// needs doing about them (each warning opens the hint that says what).
async function checkCertificates() {
  const found = await act($("rd-pc-btn"), () => invoke("check_pc_certificates"));
  if (!found) return;
  const warnings = found.warnings.map((w) => {
    const item = el("li", { className: "rd-pc-warning" },
      text(`real_day_pc_${w.kind}`, { count: w.count, holder: w.holder, days: w.days_left }));
    if (w.hint) {
      const how = el("button", { type: "button" }, text("real_day_pc_what_to_do"));
      how.addEventListener("click", () => openHint(w.hint));
      item.append(" ", how);
    }
    return item;
  });
  if (!found.platform_store) warnings.unshift(el("li", {}, text("real_day_pc_no_store")));
  else if (warnings.length === 0) warnings.push(el("li", { className: "rd-pc-ok" }, text("real_day_pc_ok")));
  $("rd-pc-warnings").replaceChildren(...warnings);
  $("rd-pc-certificates").replaceChildren(...found.certificates.map((c) => el("li", { className: `card status-${c.status}` }, certificateLines(c))));
}

// The IDs the day decided, kept for the record (the boxes show what is kept).
function drawResults(day) {
  if (!day) return;
  $("rd-admin-user-id").value = day.results.admin_user_id;
  $("rd-terminal-id").value = day.results.terminal_id;
}

// 本番の日の記録: made by the app (every value escaped there) and shown;
// printing prints the sheet alone (style.css, @media print).
async function showRecord() {
  const sheet = await act($("rd-record-btn"), () => invoke("real_day_record"));
  if (!sheet) return;
  $("rd-record").innerHTML = sheet;
  $("rd-record").hidden = false;
  $("rd-record-print").hidden = false;
  $("rd-record").scrollIntoView({ block: "start" });
}

export async function begin() {
  const status = await act(null, () => invoke("status"));
  if (status) { useTexts(status); placeTexts(); english = status.settings && status.settings.language === "en"; }
  document.body.classList.add("real-day-window");
  show("real-day");
  const first = await act(null, () => invoke("real_day"));
  if (first) { drawValues(first); drawResults(first); }
  draw(first);
  // The clocks and the desk's hours move on by themselves.
  every("real-day", 30000, async () => draw(await act(null, () => invoke("real_day"))));
  $("real-day-values").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const values = Object.fromEntries(Object.entries(FIELDS).map(([field, id]) => [field, $(id).value]));
    const saved = await act($("rd-values-btn"), () => invoke("save_real_day_values", { values }), $("real-day-values"));
    if (saved) { drawValues(saved); draw(saved); }
  });
  $("real-day-results").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const results = { admin_user_id: $("rd-admin-user-id").value, terminal_id: $("rd-terminal-id").value };
    const saved = await act($("rd-results-btn"), () => invoke("save_real_day_results", { results }), $("real-day-results"));
    if (saved) { drawResults(saved); draw(saved); }
  });
  $("rd-record-btn").addEventListener("click", showRecord);
  $("rd-record-print").addEventListener("click", () => window.print());
  $("rd-on-top").addEventListener("change", async () => {
    const box = $("rd-on-top");
    const day = await act(box, () => invoke("keep_real_day_on_top", { onTop: box.checked }));
    // Refused, the box shows what is in force again.
    if (day) draw(day); else box.checked = !box.checked;
  });
  wirePassword();
  $("rd-pc-btn").addEventListener("click", checkCertificates);
  checkCertificates();
  for (const b of document.querySelectorAll("#screen-real-day [data-clock]")) {
    b.addEventListener("click", async () => draw(await act(b, () => invoke("start_day_clock", { clock: b.dataset.clock }))));
  }
}

export function wire() {
  $("real-day-btn").addEventListener("click", () => act($("real-day-btn"), () => invoke("open_real_day_window")));
}
