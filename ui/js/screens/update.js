// 「アプリの更新」: the offer of a newer version (asked for at start,
// quietly, and from 設定), what is new, and installing only when staff
// say so. The app decides whether now is a good time and checks the
// download's signature; this module only shows and asks.
import { invoke } from "../ipc.js";
import { $ } from "../dom.js";
import { said, text, write } from "../texts.js";

let offered = null;

function showOffer(offer) {
  offered = offer;
  write($("update-offer-title"), text("update_offer_title", { version: offer.version }));
  $("update-notes-block").hidden = !offer.notes;
  $("update-notes").textContent = offer.notes || "";
  $("update-state").textContent = "";
  $("update-offer").hidden = false;
}

// At start: an offer is shown; no answer (no network, no update server
// configured) says nothing, as nothing is wrong with the app.
export async function checkQuietly() {
  try {
    const offer = await invoke("check_update");
    if (offer) showOffer(offer);
  } catch (_) { /* said in 設定 and the pre-flight check, never here */ }
}

// From 設定: every answer said.
async function checkNow() {
  const result = $("update-result");
  $("update-check").disabled = true;
  result.textContent = "";
  try {
    const offer = await invoke("check_update");
    if (offer) showOffer(offer);
    result.textContent = offer ? text("update_offer_title", { version: offer.version }) : text("update_up_to_date");
  } catch (err) {
    result.textContent = said(err);
  } finally {
    $("update-check").disabled = false;
  }
}

async function install() {
  if (!offered) return;
  const state = $("update-state");
  $("update-install").disabled = true;
  $("update-later").disabled = true;
  state.textContent = text("update_installing");
  try {
    await invoke("install_update", { version: offered.version });
    state.textContent = text("update_installed");
  } catch (err) {
    state.textContent = said(err);
    $("update-later").disabled = false;
    $("update-install").disabled = false;
  }
}

// 設定 opened: the version in use, the operator's address.
export function fill(status) {
  write($("update-current"), text("update_current_version", { version: status.app_version }));
  $("update-endpoint").value = status.settings.update_endpoint || "";
  $("update-result").textContent = "";
}

export function wire() {
  $("update-check").addEventListener("click", checkNow);
  $("update-install").addEventListener("click", install);
  $("update-later").addEventListener("click", () => { $("update-offer").hidden = true; });
}
