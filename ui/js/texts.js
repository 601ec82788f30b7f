// The page's words. Every one comes from the app's text catalogue, served
// with the status in the language chosen; this module only places them.
// `**…**` in a text is shown bold, built as elements, never as markup.

let texts = {};
let language = "ja";

export function useTexts(status) {
  texts = status.texts;
  language = status.settings.language;
  document.documentElement.lang = language;
  // 文字の大きさ: the root size (style.css sizes everything in rem, so the
  // system's text size carries through as well).
  document.documentElement.dataset.textSize = status.settings.text_size || "standard";
}

export const english = () => language === "en";

// A text by its key, with the values of the moment written in ({name}).
export function text(key, values = {}) {
  const template = texts[key];
  if (template === undefined) return "";
  return template.replace(/\{([a-z_]+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// An answer's words ({message, message_en}) in the language chosen.
export const said = (answer) => (english() && answer.message_en ? answer.message_en : answer.message);

// A pair the app sends as data (a list's names), in the language chosen.
export const pick = (ja, en) => (english() && en ? en : ja);

// Writes `string` into `el`, `**bold**` as <strong>.
export function write(el, string) {
  el.replaceChildren(...String(string).split("**").map((part, i) => (i % 2 ? Object.assign(document.createElement("strong"), { textContent: part }) : document.createTextNode(part))));
}

// Every element that names its text: its content, its aria-label.
export function placeTexts(root = document) {
  root.querySelectorAll("[data-text]").forEach((el) => write(el, text(el.dataset.text)));
  root.querySelectorAll("[data-text-aria-label]").forEach((el) => el.setAttribute("aria-label", text(el.dataset.textAriaLabel)));
  root.querySelectorAll("[data-text-alt]").forEach((el) => { el.alt = text(el.dataset.textAlt); });
}

export const dateOf = (iso) => new Date(iso).toLocaleDateString(english() ? "en-GB" : "ja-JP");
export const timeOf = (iso) => new Date(iso).toLocaleTimeString(english() ? "en-GB" : "ja-JP");
