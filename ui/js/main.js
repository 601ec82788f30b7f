// The page: each screen's module wires its controls; the status the app
// sends says which screen to draw. Nothing here decides or keeps a secret.
import { invoke } from "./ipc.js";
import { $, act, show } from "./dom.js";
import { text } from "./texts.js";
import { refresh, wordsOnly } from "./wizard.js";
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

async function begin() {
  // The 本番の日 window: the same page, its own view, nothing of the wizard.
  if (new URLSearchParams(location.search).get("view") === "real-day") { await realday.begin(); return; }
  for (const screen of [preflight, classjoin, classhost, realday, office, admin, user, terminal, finished, settings, mailbox, update, glossary, card]) screen.wire();
  $("support-btn").addEventListener("click", async () => {
    const path = await act($("support-btn"), () => invoke("support_bundle"));
    if (path) $("footer-note").textContent = text("support_saved", { path });
  });
  // The words first (at once), then what the mode needs (the practice
  // service), with the certificates asked alongside.
  const known = await act(null, () => invoke("status"));
  if (known) wordsOnly(known);
  preflight.askCertificatesEarly();
  const started = await act(null, () => invoke("start"));
  if (started === undefined) { show("preflight"); return; }
  await refresh(started);
  mailbox.refreshMailbox();
  invoke("ui_ready");
  update.checkQuietly();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin); else begin();
