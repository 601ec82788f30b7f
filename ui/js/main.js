// The page: each screen's module wires its controls; the status the app
// sends says which screen to draw. Nothing here decides or keeps a secret.
import { invoke } from "./ipc.js";
import { $, act, show } from "./dom.js";
import { text } from "./texts.js";
import { refresh } from "./wizard.js";
import * as admin from "./screens/admin.js";
import * as card from "./screens/card.js";
import * as classhost from "./screens/classhost.js";
import * as classjoin from "./screens/classjoin.js";
import * as finished from "./screens/finished.js";
import * as glossary from "./screens/glossary.js";
import * as mailbox from "./screens/mailbox.js";
import * as office from "./screens/office.js";
import * as preflight from "./screens/preflight.js";
import * as realday from "./screens/realday.js";
import * as settings from "./screens/settings.js";
import * as terminal from "./screens/terminal.js";
import * as update from "./screens/update.js";
import * as user from "./screens/user.js";

// A fault of the page itself is shown, never left as a blank screen.
function showPageFault(detail) {
  const box = $("error");
  if (!box) return;
  box.textContent = `${text("page_fault")}（${detail}）`;
  box.hidden = false;
}
window.addEventListener("error", (e) => showPageFault(e.message));
window.addEventListener("unhandledrejection", (e) => showPageFault(e.reason && (e.reason.message || e.reason)));

// The status the app gave this window before its page (lib.rs,
// first_status_script), used once: a reload asks the app instead.
const FIRST_STATUS = "__KAIGO_FIRST_STATUS__";
function firstStatus() {
  const given = window[FIRST_STATUS];
  delete window[FIRST_STATUS];
  if (!given) return undefined;
  try { sessionStorage.setItem(FIRST_STATUS, "used"); } catch (_) { /* then a reload shows it again, and `start` corrects it */ }
  return given;
}

async function begin() {
  // The 本番の日 window: the same page, its own view, nothing of the wizard.
  if (new URLSearchParams(location.search).get("view") === "real-day") { await realday.begin(); return; }
  for (const screen of [preflight, classjoin, classhost, realday, office, admin, user, terminal, finished, settings, mailbox, update, glossary, card]) screen.wire();
  $("support-btn").addEventListener("click", async () => {
    const path = await act($("support-btn"), () => invoke("support_bundle"));
    if (path) $("footer-note").textContent = text("support_saved", { path });
  });
  // The first screen as soon as the app says which it is. What the mode
  // needs (the practice service, whose certificates and database the very
  // first start makes) is prepared after it; the screen says so where it
  // waits for it (the certificate list).
  const known = firstStatus() || (await act(null, () => invoke("status")));
  if (known === undefined) { show("preflight"); return; }
  await refresh(known, () => invoke("ui_ready"));
  const started = await act(null, () => invoke("start"));
  if (started === undefined) return;
  if (started.screen !== known.screen) await refresh(started);
  mailbox.refreshMailbox();
  update.checkQuietly();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin); else begin();
