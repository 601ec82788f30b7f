// 3-1 事業所ユーザの認証: the readiness questions, the login, the mailed code.
import { invoke } from "../ipc.js";
import { $, countdown, el, liveCheck, watchPassword } from "../dom.js";
import { english, pick, text } from "../texts.js";
import { onClickStep, onEnter, onSubmit } from "../wizard.js";

// 「準備できていますか」: each "いいえ" opens what to do and whom to call.
async function showReadiness() {
  const items = await invoke("readiness_checklist").catch(() => []);
  $("readiness-list").replaceChildren(...items.map((item) => {
    const advice = el("p", { className: "advice", textContent: pick(item.if_not, item.if_not_en), hidden: true });
    const answers = el("div", { className: "answers" });
    for (const [value, label] of [["yes", text("yes")], ["no", text("no")]]) {
      const radio = el("input", { type: "radio", name: `ready-${item.id}`, value, className: "no-autofocus" });
      radio.addEventListener("change", () => { advice.hidden = value !== "no"; });
      answers.append(el("label", { className: "check" }, radio, ` ${label}`));
    }
    return el("li", { id: `ready-${item.id}` }, el("span", { textContent: pick(item.question, item.question_en) }), answers, advice);
  }));
}

// A password kept in the keychain is never shown: the field says it will be used.
async function showSavedOfficeLogin() {
  const saved = await invoke("saved_office_login").catch(() => null);
  const pw = $("office-password");
  $("remember-office").checked = !!saved;
  pw.placeholder = "";
  if (saved) {
    if (!$("kj-id").value) $("kj-id").value = saved;
    pw.placeholder = text("saved_password_placeholder");
  }
}

async function enterLogin(status) {
  const p = status.practice;
  const hint = $("practice-hint");
  hint.hidden = !p;
  if (p) hint.textContent = text("practice_hint", p);
  await Promise.all([showReadiness(), showSavedOfficeLogin()]);
}

// Where a code went, and what it asks: the same for the admin's code.
export function delivered(id, delivery) {
  const sent = text("code_sent", { channel: text(`channel_${delivery.channel}`), destination: delivery.masked_destination });
  // Japanese sentences follow each other without a space; English ones with one.
  $(id).textContent = [sent, text("code_hint")].join(english() ? " " : "");
}

function enterCode(status) {
  const codeStep = status.code_step;
  $("security-code-box").hidden = !codeStep.security_code_required;
  delivered("office-code-sent", codeStep.delivery);
  countdown("office-countdown", codeStep.delivery.code_expires_at);
  // Focus stays on the screen's heading (dom.js show): the fields follow it.
}

export function wire() {
  onEnter("office-login", enterLogin);
  onEnter("office-code", enterCode);
  const login = () => ({ electronicBillingId: $("kj-id").value, password: $("office-password").value, remember: $("remember-office").checked });
  onSubmit("office-login-form", "office-login-btn", "office_login", login, ["office-password"]);
  const verify = () => ({ code: $("office-code").value, securityCode: $("security-code").value || null });
  onSubmit("office-code-form", "office-verify-btn", "office_verify", verify, ["office-code", "security-code"]);
  onClickStep("office-resend-btn", "office_resend_code");
  liveCheck($("kj-id"), "electronic_billing_id");
  liveCheck($("office-code"), "code");
  liveCheck($("security-code"), "security_code");
  watchPassword($("office-password"));
}
