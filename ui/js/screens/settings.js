// 設定: the language, the service, the proxy and updates, over whichever screen was open.
import { invoke } from "../ipc.js";
import { $, act, el, show } from "../dom.js";
import { said, write } from "../texts.js";
import { current, refresh } from "../wizard.js";
import * as update from "./update.js";

function proxyMode() {
  return ["system", "manual", "direct"].find((m) => $(`proxy-${m}`).checked) || "system";
}

function showManualFields() {
  $("proxy-manual-fields").hidden = proxyMode() !== "manual";
}

const TEXT_SIZES = ["standard", "large", "extra_large"];

function open() {
  const { settings } = current();
  for (const size of TEXT_SIZES) $(`text-size-${size}`).checked = (settings.text_size || "standard") === size;
  $("lang-ja").checked = settings.language !== "en";
  $("lang-en").checked = settings.language === "en";
  $("mode-practice").checked = settings.service.mode === "practice";
  $("mode-remote").checked = settings.service.mode === "remote";
  $("service-url").value = settings.service.url || "";
  const proxy = settings.proxy || { mode: "system" };
  for (const m of ["system", "manual", "direct"]) $(`proxy-${m}`).checked = proxy.mode === m;
  $("proxy-address").value = proxy.address || "";
  $("proxy-user").value = proxy.user || "";
  $("proxy-password").value = "";
  $("connection-result").replaceChildren();
  showManualFields();
  update.fill(current());
  write($("accessibility-statement"), current().accessibility_statement);
  show("settings");
}

// The proxy first (its address checked, its password to the keychain),
// then the rest with it.
async function saveAll() {
  const form = { mode: proxyMode(), address: $("proxy-address").value, user: $("proxy-user").value };
  if ($("proxy-password").value) form.password = $("proxy-password").value;
  const saved = await invoke("save_proxy", { form });
  $("proxy-password").value = "";
  const before = current().settings.service;
  const service = $("mode-remote").checked
    ? { ...(before.mode === "remote" ? before : {}), mode: "remote", url: $("service-url").value.trim() }
    : { mode: "practice" };
  const endpoint = $("update-endpoint").value.trim();
  const textSize = TEXT_SIZES.find((size) => $(`text-size-${size}`).checked) || "standard";
  const settings = { service, language: $("lang-en").checked ? "en" : "ja", proxy: saved.proxy, text_size: textSize };
  if (endpoint) settings.update_endpoint = endpoint;
  return invoke("save_settings", { settings });
}

async function save() {
  if (!(await act($("settings-save"), saveAll, $("screen-settings")))) return;
  const started = await act(null, () => invoke("start"));
  await refresh(started);
}

// 接続テスト with what is on the form: saved first, so that the test and
// every later call go the same way.
async function test() {
  const result = $("connection-result");
  result.replaceChildren();
  if (!(await act($("connection-test"), saveAll, $("screen-settings")))) return;
  const outcome = await act($("connection-test"), () => invoke("connection_test"), $("screen-settings"));
  if (!outcome) return;
  result.className = outcome.reached ? "connection-result ok" : "connection-result failed";
  result.append(el("p", {}, `${outcome.reached ? "✔" : "⚠"} ${said(outcome)}`));
  for (const note of outcome.notes) result.append(el("p", { className: "small" }, said(note)));
}

// 「新しい版があるか確かめる」 with the address on the form: saved first.
async function checkUpdate() {
  if (!(await act($("update-check"), saveAll, $("screen-settings")))) return;
  await act($("update-check"), update.checkNow, $("screen-settings"));
}

export function wire() {
  $("settings-btn").addEventListener("click", open);
  $("settings-save").addEventListener("click", save);
  $("settings-cancel").addEventListener("click", () => refresh());
  $("connection-test").addEventListener("click", test);
  $("update-check").addEventListener("click", checkUpdate);
  for (const m of ["system", "manual", "direct"]) $(`proxy-${m}`).addEventListener("change", showManualFields);
}
