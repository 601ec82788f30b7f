// 完了: the completion report (made by the app), to print or keep.
import { invoke } from "../ipc.js";
import { $, act } from "../dom.js";
import { text } from "../texts.js";
import { onClickStep, onEnter } from "../wizard.js";

async function enter() {
  const html = await act(null, () => invoke("completion_report"));
  // Made by the app from the saved progress, every value escaped there.
  if (html) $("report").innerHTML = html;
}

async function saveReport() {
  const path = await act($("report-save"), () => invoke("save_completion_report"));
  if (path) $("report-note").textContent = text("report_saved", { path });
}

export function wire() {
  onEnter("finished", enter);
  // Printing shows the sheet alone (style.css, @media print).
  $("report-print").addEventListener("click", () => window.print());
  $("report-save").addEventListener("click", saveReport);
  onClickStep("restart-btn", "restart");
}
