// 設定: the language and the service, over whichever screen was open.
import { invoke } from "../ipc.js";
import { $, act, show } from "../dom.js";
import { current, refresh } from "../wizard.js";

function open() {
  const { settings } = current();
  $("lang-ja").checked = settings.language !== "en";
  $("lang-en").checked = settings.language === "en";
  $("mode-practice").checked = settings.service.mode === "practice";
  $("mode-remote").checked = settings.service.mode === "remote";
  $("service-url").value = settings.service.url || "";
  show("settings");
}

async function save() {
  const before = current().settings.service;
  const service = $("mode-remote").checked
    ? { ...(before.mode === "remote" ? before : {}), mode: "remote", url: $("service-url").value.trim() }
    : { mode: "practice" };
  const settings = { service, language: $("lang-en").checked ? "en" : "ja" };
  if (!(await act($("settings-save"), () => invoke("save_settings", { settings }), $("screen-settings")))) return;
  const started = await act(null, () => invoke("start"));
  await refresh(started);
}

export function wire() {
  $("settings-btn").addEventListener("click", open);
  $("settings-save").addEventListener("click", save);
  $("settings-cancel").addEventListener("click", () => refresh());
}
