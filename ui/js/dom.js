// Drawing helpers: screens, errors, busy buttons, countdowns, live checks.
import { invoke } from "./ipc.js";
import { said, text } from "./texts.js";

export const $ = (id) => document.getElementById(id);

// An element with properties and children.
export function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

// Shows one screen, the progress bar at `step` (unchanged when none).
export function show(screen, step) {
  document.querySelectorAll(".screen").forEach((s) => { s.hidden = s.id !== `screen-${screen}`; });
  clearError();
  if (step) {
    const order = [...document.querySelectorAll("#progress li")].map((li) => li.dataset.step);
    const current = order.indexOf(step);
    document.querySelectorAll("#progress li").forEach((li, i) => {
      li.classList.toggle("done", i < current);
      li.classList.toggle("current", i === current);
      li.setAttribute("aria-current", i === current ? "step" : "false");
    });
  }
  // A new screen: focus on its heading, so that a screen reader says where
  // staff are and the next Tab goes to the screen's first control.
  if (document.body.dataset.screen !== screen) {
    // A glossary of the screen left behind is put away.
    const glossary = $("glossary");
    if (glossary && !glossary.hidden) {
      glossary.hidden = true;
      $("glossary-btn").setAttribute("aria-expanded", "false");
    }
    const heading = document.querySelector(`#screen-${screen} h2`);
    if (heading) { heading.tabIndex = -1; heading.focus(); }
  }
  document.body.dataset.screen = screen;
}

export function clearError() {
  $("error").hidden = true;
  document.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
  document.querySelectorAll("[aria-invalid=true]").forEach((e) => e.removeAttribute("aria-invalid"));
  document.querySelectorAll("[data-error-described]").forEach((e) => { e.removeAttribute("aria-describedby"); e.removeAttribute("data-error-described"); });
}

// Shows an error body: under the field at fault, or above the screen.
export function showError(err, scope) {
  const message = err && err.message ? said(err) : String(err);
  const field = err && err.field;
  const target = field && (scope || document).querySelector(`.field-error[data-for="${field}"]`);
  if (target) {
    target.textContent = message;
    // The field at fault gets the focus, its error read with it.
    const input = (scope || document).querySelector(`[name="${field}"]`);
    if (input) {
      // Ids by the input's own (a field name recurs across forms).
      target.id = target.id || `error-for-${input.id || field}`;
      input.setAttribute("aria-describedby", target.id);
      input.setAttribute("data-error-described", "");
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  } else {
    $("error").textContent = message;
    $("error").hidden = false;
  }
}

// Runs a command with its button disabled; an error is shown, not thrown
// (the answer is then `undefined`).
export async function act(button, fn, scope) {
  clearError();
  if (button) button.disabled = true;
  document.body.classList.add("busy");
  try { return await fn(); } catch (err) { showError(err, scope); return undefined; } finally {
    if (button) button.disabled = false;
    document.body.classList.remove("busy");
  }
}

const timers = {};

export function stopTimer(id) {
  clearInterval(timers[id]);
}

// Counts down to `until` (a time, or milliseconds since 1970) in `id`.
export function countdown(id, until) {
  stopTimer(id);
  const tick = () => {
    const left = Math.max(0, Math.floor((new Date(until) - Date.now()) / 1000));
    $(id).textContent = `${String(Math.floor(left / 60)).padStart(2, "0")}:${String(left % 60).padStart(2, "0")}`;
    if (left === 0) stopTimer(id);
  };
  tick();
  timers[id] = setInterval(tick, 1000);
}

export function every(id, ms, fn) {
  stopTimer(id);
  timers[id] = setInterval(fn, ms);
}

// The code's full lifetime, before a code is sent.
export function fullCountdown(id) {
  stopTimer(id);
  $(id).textContent = text("code_countdown_full");
}

// Checks a field as staff type (after a short pause) and when they leave
// it, by the rules the service applies.
export function liveCheck(input, kind) {
  let timer = null;
  const check = async () => {
    clearTimeout(timer);
    if (!input.value) return;
    const p = input.closest("form, section").querySelector(`.field-error[data-for="${input.name}"]`);
    try { await invoke("check_field", { kind, value: input.value }); if (p) p.textContent = ""; input.removeAttribute("aria-invalid"); } catch (err) {
      if (p) p.textContent = said(err);
      input.setAttribute("aria-invalid", "true");
    }
  };
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 700); });
  input.addEventListener("blur", check);
}

// The live password checklist (the wizard's 3-3 and 本番の日's): each rule
// judged in Rust. Answers can come back out of order while staff type: only
// the latest one is drawn. Returns the function to call with what is typed.
export function passwordChecklist(list) {
  let asked = 0;
  return async (candidate, again = null, userId = null) => {
    const mine = ++asked;
    const report = candidate ? await invoke("password_report", { candidate, again, userId }) : {};
    if (mine !== asked) return;
    for (const li of list.querySelectorAll("li")) {
      const ok = candidate !== "" && report[li.dataset.rule] === true;
      li.classList.toggle("ok", ok);
      // Said in words too (the tick is drawn, not read).
      li.querySelector(".rule-state").textContent = text(ok ? "password_rule_met" : "password_rule_unmet");
    }
  };
}

// Warnings while a password is typed, so that fewer logins fail and lock:
// Caps Lock on, and full-width characters or spaces (checked in Rust).
export function watchPassword(input) {
  const box = document.querySelector(`.field-warning[data-warning-for="${input.id}"]`);
  let caps = false;
  let characters = "";
  const render = () => {
    const warning = [caps ? text("caps_lock") : "", characters].filter(Boolean).join(" ");
    box.textContent = warning;
    box.hidden = !warning;
  };
  const onKey = (e) => { if (e.getModifierState) { caps = e.getModifierState("CapsLock"); render(); } };
  input.addEventListener("keydown", onKey);
  input.addEventListener("keyup", onKey);
  input.addEventListener("blur", () => { caps = false; render(); });
  input.addEventListener("input", async () => {
    characters = "";
    if (input.value) {
      try { await invoke("check_field", { kind: "password_characters", value: input.value }); } catch (err) { characters = said(err); }
    }
    render();
  });
}
