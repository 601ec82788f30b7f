// The status the app sent, and drawing it: the screen Rust names, the
// progress bar at the step Rust names, the notice, every word. Screens
// register what to draw when they are entered.
import { invoke } from "./ipc.js";
import { $, act, show } from "./dom.js";
import { placeTexts, said, text, useTexts } from "./texts.js";

let status = null;
const entries = {};

export const current = () => status;

// `enter(status)` draws a screen's parts that depend on the status.
export function onEnter(screen, enter) {
  entries[screen] = enter;
}

// Draws `known` (a status just received) or the status asked anew;
// `shown` is called once the screen is on, before its own parts (lists
// asked of the app) are filled in.
export async function refresh(known, shown) {
  status = known || (await invoke("status"));
  useTexts(status);
  placeTexts();
  const practice = !!status.practice;
  const inClass = status.class;
  // 研修: its mark and its warning on every screen, instead of 練習モード's.
  $("mode-badge").hidden = !practice || !!inClass;
  $("class-badge").hidden = !inClass;
  $("class-badge").textContent = inClass ? text("class_badge", inClass) : "";
  $("class-note").hidden = !inClass;
  $("mailbox").hidden = !practice;
  const note = $("resume-note");
  note.hidden = !status.notice;
  note.textContent = status.notice ? said(status.notice) : "";
  // A join link received mid-way: joined from the first screen; practice
  // may be left for it at once, a real Step 3 is finished first.
  const linkWaits = status.join_link && !inClass && status.screen !== "preflight";
  $("join-link-note").hidden = !linkWaits;
  $("join-link-go").hidden = !practice;
  if (linkWaits) $("join-link-text").textContent = practice ? text("class_link_waiting") : `${text("class_link_waiting")}${text("class_link_after")}`;
  show(status.screen, status.progress_bar);
  if (shown) shown();
  const enter = entries[status.screen];
  if (enter) await enter(status);
  return status;
}

// A command that moves the wizard on: run it, then draw where it stands.
// The answer, or `undefined` when it was refused (the error is shown).
export async function step(button, command, args, scope) {
  const answer = await act(button, () => invoke(command, args), scope);
  if (answer !== undefined) await refresh();
  return answer;
}

// A form that moves the wizard on: on submit, `command` with `args()`;
// once accepted, the fields `clear` names are emptied (codes and
// passwords are not left on the page).
export function onSubmit(form, button, command, args, clear = []) {
  $(form).addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if ((await step($(button), command, args(), $(form))) !== undefined) clear.forEach((id) => { $(id).value = ""; });
  });
}

// A button that moves the wizard on with `command`.
export function onClickStep(button, command) {
  $(button).addEventListener("click", () => step($(button), command));
}
