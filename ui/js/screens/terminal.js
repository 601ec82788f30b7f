// 3-4 マイナ資格確認アプリの事前設定: this PC (linked by the app itself), a
// phone or tablet (its code and QR code, waited for). (The card test: card.js.)
import { invoke } from "../ipc.js";
import { $, act, countdown, el, every, liveCheck, showError, stopTimer } from "../dom.js";
import { text } from "../texts.js";
import { onEnter, step } from "../wizard.js";

let activation = null;

function enter(status) {
  $("simulate-btn").hidden = !status.practice;
  if (!$("terminal-name").value) $("terminal-name").value = text(`terminal_default_name_${kind()}`);
  loadTerminals();
}

const kind = () => ($("kind-mobile").checked ? "mobile" : "this_pc");

// A default name follows the kind; a name staff typed stays.
function kindChanged() {
  const name = $("terminal-name");
  const defaults = ["this_pc", "mobile"].map((k) => text(`terminal_default_name_${k}`));
  if (defaults.includes(name.value)) name.value = text(`terminal_default_name_${kind()}`);
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
    const unlink = el("button", { type: "button", className: "unlink", textContent: text("unlink_button") });
    unlink.addEventListener("click", () => unlinkTerminal(t, unlink));
    const row = el("tr", {},
      el("td", { textContent: t.name }),
      el("td", { textContent: text(`terminal_kind_${t.kind}`) }),
      el("td", { textContent: text(`terminal_status_${t.status}`) }),
      el("td", {}, unlink));
    row.dataset.terminal = t.terminal_id;
    row.dataset.status = t.status;
    return row;
  }));
}

async function unlinkTerminal(t, button) {
  if (!window.confirm(text("unlink_confirm", { name: t.name }))) return;
  const list = await act(button, () => invoke("unlink_terminal", { terminalId: t.terminal_id }));
  if (!list) return;
  if (activation && activation.terminal.terminal_id === t.terminal_id) hideActivation();
  drawTerminals(list);
}

async function setupTerminal(ev) {
  ev.preventDefault();
  const name = $("terminal-name").value;
  if (kind() === "mobile") {
    const shown = await act($("terminal-btn"), () => invoke("issue_device_terminal", { name }), $("terminal-form"));
    if (shown) showActivation(shown);
    return;
  }
  const progress = await act($("terminal-btn"), () => invoke("setup_terminal", { name }), $("terminal-form"));
  if (!progress) return;
  $("footer-note").textContent = text("terminal_linked", { name });
  await loadTerminals();
}

function showActivation(shown) {
  activation = { ...shown, deadline: Date.now() + shown.seconds_left * 1000 };
  $("device-activation").hidden = false;
  $("activation-qr").innerHTML = shown.qr_svg; // SVG made by the app itself from the activation link
  $("activation-code").textContent = shown.code;
  $("activation-name").textContent = shown.terminal.name;
  $("activation-state").textContent = text("activation_waiting");
  countdown("activation-countdown", activation.deadline);
  every("poll", 3000, pollActivation);
  loadTerminals();
}

function hideActivation() {
  stopTimer("poll");
  stopTimer("activation-countdown");
  activation = null;
  $("device-activation").hidden = true;
}

async function pollActivation() {
  if (!activation || document.body.dataset.screen !== "terminal") { stopTimer("poll"); return; }
  const list = await loadTerminals();
  const mine = list && list.find((t) => t.terminal_id === activation.terminal.terminal_id);
  if (mine && mine.status === "linked") { activationDone(mine.name); return; }
  if (Date.now() >= activation.deadline) $("activation-state").textContent = text("activation_expired");
}

function activationDone(name) {
  hideActivation();
  $("footer-note").textContent = text("terminal_linked", { name });
  loadTerminals();
}

async function reissueActivation() {
  if (!activation) return;
  const shown = await act($("reissue-btn"), () => invoke("reissue_device_activation", { terminalId: activation.terminal.terminal_id }));
  if (shown) showActivation(shown);
}

// 練習モード: a simulated phone reads the QR code's contents.
async function simulateDevice() {
  if (!activation) return;
  const name = activation.terminal.name;
  const settings = await act($("simulate-btn"), () => invoke("practice_device_scan", { link: activation.link }));
  if (settings) activationDone(name);
}

async function finish() {
  if (await step($("finish-btn"), "finish_terminals")) hideActivation();
}

export function wire() {
  onEnter("terminal", enter);
  $("terminal-form").addEventListener("submit", setupTerminal);
  $("kind-this-pc").addEventListener("change", kindChanged);
  $("kind-mobile").addEventListener("change", kindChanged);
  $("reissue-btn").addEventListener("click", reissueActivation);
  $("simulate-btn").addEventListener("click", simulateDevice);
  $("finish-btn").addEventListener("click", finish);
  liveCheck($("terminal-name"), "terminal_name");
}
