// 事前チェック: the client certificate (chosen or imported) and the checks.
import { invoke } from "../ipc.js";
import { $, act, el } from "../dom.js";
import { certificateLines } from "../certificates.js";
import { said, text } from "../texts.js";
import { current, onEnter, refresh } from "../wizard.js";
import { enter as enterClass } from "./classjoin.js";
import { enter as enterHosting } from "./classhost.js";

let choosing = null;

// The list waits for the practice service (its certificate) on the first
// start: until it comes, the box says it is being read, never "none".
async function loadCertificates() {
  const box = $("certificates");
  if (!box.querySelector("input")) box.textContent = text("certificates_loading");
  box.setAttribute("aria-busy", "true");
  const list = await act(null, () => invoke("list_certificates"));
  box.removeAttribute("aria-busy");
  box.replaceChildren();
  if (!list) return;
  if (list.length === 0) box.textContent = text("certificates_none");
  const chosen = current().progress.certificate_id;
  for (const c of list) {
    const radio = el("input", { type: "radio", name: "certificate", value: c.id, checked: c.id === chosen });
    // A check started right after choosing waits for the choice to be kept.
    radio.addEventListener("change", () => { choosing = act(null, () => invoke("choose_certificate", { id: c.id })); });
    box.append(el("label", { className: `card status-${c.status}` }, radio, certificateLines(c)));
  }
}

async function runPreflight() {
  if (choosing) await choosing;
  const report = await act($("preflight-btn"), () => invoke("preflight"));
  if (!report) return;
  const mark = { ok: "✓", warning: "！", error: "✕" };
  $("checks").replaceChildren(...report.checks.map((c) => el("li", { className: `check-${c.status}`, textContent: `${mark[c.status]} ${said(c)}` })));
  $("preflight-next").disabled = !report.can_continue;
  if (report.can_continue) $("preflight-next").focus();
}

// The file's bytes go to the app (the page cannot see file paths).
async function importCertificate() {
  const box = $("import-box");
  const file = $("import-file").files[0];
  const c = await act($("import-btn"), async () => {
    // No file chosen: the app answers what to do.
    const contents = file ? Array.from(new Uint8Array(await file.arrayBuffer())) : [];
    return invoke("import_certificate", { contents, password: $("import-password").value });
  }, box);
  if (!c) return;
  $("import-password").value = "";
  $("import-file").value = "";
  box.open = false;
  await loadCertificates();
  $("footer-note").textContent = text("import_done", { label: c.label });
}

// Results of an earlier check say nothing of a new list (a class joined
// or left): they are asked again.
function forgetChecks() {
  $("checks").replaceChildren(el("li", { textContent: text("checks_press") }));
  $("preflight-next").disabled = true;
}

export function wire() {
  onEnter("preflight", (status) => {
    enterClass(status);
    enterHosting();
    forgetChecks();
    return loadCertificates();
  });
  $("preflight-btn").addEventListener("click", runPreflight);
  $("preflight-next").addEventListener("click", () => refresh());
  $("import-btn").addEventListener("click", importCertificate);
}
