// ことばの説明: the words of the screen shown, explained (the glossary
// comes with the status, in the language chosen). Opened from the footer
// or with F1, closed with Esc or 閉じる; focus goes to it and back.
import { $, el } from "../dom.js";
import { current } from "../wizard.js";

let openedFrom = null;

// The words of the glossary found in what is shown now: the screen and
// the notes and messages above it, only those on view (innerText leaves
// out what is hidden inside a shown element).
function wordsOnScreen() {
  const parts = ["screen-loading", "error", "update-offer", "class-note", "resume-note", "join-link-note"].map((id) => $(id))
    .concat([...document.querySelectorAll(".screen")])
    .filter((p) => p && p.getClientRects().length > 0);
  const shown = parts.map((p) => p.innerText).join("\n");
  return (current().glossary || []).filter((t) => t.forms.some((f) => f && shown.includes(f)));
}

function open() {
  const words = wordsOnScreen();
  $("glossary-list").replaceChildren(...words.flatMap((t) => [el("dt", { textContent: t.term }), el("dd", { textContent: t.explanation })]));
  $("glossary-none").hidden = words.length > 0;
  openedFrom = document.activeElement;
  $("glossary").hidden = false;
  $("glossary-btn").setAttribute("aria-expanded", "true");
  $("glossary-title").focus();
}

function close() {
  if ($("glossary").hidden) return;
  $("glossary").hidden = true;
  $("glossary-btn").setAttribute("aria-expanded", "false");
  const back = openedFrom && openedFrom.getClientRects().length > 0 ? openedFrom : $("glossary-btn");
  back.focus();
}

export function wire() {
  $("glossary-btn").addEventListener("click", () => ($("glossary").hidden ? open() : close()));
  $("glossary-close").addEventListener("click", close);
  document.addEventListener("keydown", (e) => {
    if (e.key === "F1") { e.preventDefault(); if ($("glossary").hidden) open(); else close(); }
    if (e.key === "Escape" && !$("glossary").hidden) { e.preventDefault(); close(); }
  });
}
