// 「アプリの更新」: the offer of a newer version (asked for at start,
// quietly, and from 設定), what is new, and installing only when staff
// say so. The app decides whether now is a good time and checks the
// download's signature; this module only shows and asks.
import { invoke } from "../ipc.js";
import { $ } from "../dom.js";
import { said, text, write } from "../texts.js";

let offered = null;

// Shows the offer; `focus` when staff asked for it (from 設定), so that
// they land on it. Either way a screen reader hears of it.
function showOffer(offer, focus) {
  offered = offer;
  const title = text("update_offer_title", { version: offer.version });
  write($("update-offer-title"), title);
  $("update-notes-block").hidden = !offer.notes;
  $("update-notes").textContent = offer.notes || "";
  $("update-state").textContent = "";
  $("update-offer").hidden = false;
  $("update-announce").textContent = title;
  if (focus) $("update-offer-title").focus();
}

function hideOffer() {
  $("update-offer").hidden = true;
  offered = null;
}

// At start: an offer is shown; no answer (offline, no update server
// configured) says nothing, as nothing is wrong with the app.
export async function checkQuietly() {
  try {
    const offer = await invoke("check_update");
    if (offer) showOffer(offer, false);
  } catch (_) { /* said in 設定 when staff ask, never at start */ }
}

// From 設定 (the address on the form saved first): every answer said.
export async function checkNow() {
  const result = $("update-result");
  result.textContent = "";
  try {
    const offer = await invoke("check_update");
    if (offer) showOffer(offer, true); else hideOffer();
    result.textContent = offer ? text("update_offer_title", { version: offer.version }) : text("update_up_to_date");
  } catch (err) {
    result.textContent = said(err);
  }
}

async function install() {
  if (!offered) return;
  const state = $("update-state");
  $("update-install").disabled = true;
  $("update-later").disabled = true;
  state.textContent = text("update_installing");
  try {
    // The app closes (and opens again as the new version) when it is done.
    await invoke("install_update", { version: offered.version });
  } catch (err) {
    state.textContent = said(err);
  } finally {
    $("update-later").disabled = false;
    $("update-install").disabled = false;
  }
}

// 「あとで」: the offer put away, focus back where staff were.
function later() {
  hideOffer();
  const back = document.querySelector(".screen:not([hidden]) h2");
  if (!$("screen-settings").hidden) $("update-check").focus(); else if (back) { back.tabIndex = -1; back.focus(); }
}

// 設定 opened: the version in use, the operator's address.
export function fill(status) {
  write($("update-current"), text("update_current_version", { version: status.app_version }));
  $("update-endpoint").value = status.settings.update_endpoint || "";
  $("update-result").textContent = "";
}

export function wire() {
  $("update-install").addEventListener("click", install);
  $("update-later").addEventListener("click", later);
}
