// カードの読み取りテスト: a My Number card on the reader, read without its
// PIN. Offered on the terminal step, on the first screen (in the field
// the reader is often connected first) and in 設定, from any screen.
import { invoke } from "../ipc.js";
import { $, act } from "../dom.js";
import { said, write } from "../texts.js";

async function check(button, result) {
  const outcome = await act($(button), () => invoke("card_check"));
  if (!outcome) return;
  const p = $(result);
  p.hidden = false;
  p.className = `card-result ${outcome.passed ? "ok" : "ng"}`;
  p.dataset.outcome = outcome.outcome;
  write(p, `${outcome.passed ? "✔" : "⚠"} ${outcome.reader ? `${said(outcome)}（${outcome.reader}）` : said(outcome)}`);
}

export function wire() {
  $("card-btn").addEventListener("click", () => check("card-btn", "card-result"));
  $("early-card-btn").addEventListener("click", () => check("early-card-btn", "early-card-result"));
  $("settings-card-btn").addEventListener("click", () => check("settings-card-btn", "settings-card-result"));
}
