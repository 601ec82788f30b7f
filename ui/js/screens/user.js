// 3-3 管理者ユーザの認証: the login, the code by mail or SMS, the forced
// change of the initial password.
import { invoke } from "../ipc.js";
import { $, countdown, el, fullCountdown, liveCheck, passwordChecklist, watchPassword } from "../dom.js";
import { placeTexts, text } from "../texts.js";
import { current, onEnter, onSubmit, step } from "../wizard.js";
import { delivered } from "./office.js";

function enterLogin(status) {
  const admin = status.progress.admin;
  if (admin && !$("login-user-id").value) $("login-user-id").value = admin.user_id;
}

async function login(ev) {
  ev.preventDefault();
  const args = { userId: $("login-user-id").value, password: $("login-password").value };
  await step($("admin-login-btn"), "user_login", args, $("admin-login-form"));
  $("login-password").value = "";
}

function enterCode(status) {
  const codeStep = status.code_step;
  const chosen = document.querySelector("#channels input:checked");
  $("channels").replaceChildren(...codeStep.channels.map((c, i) => {
    const radio = el("input", { type: "radio", name: "channel", value: c, id: `channel-${c}`, checked: chosen ? chosen.value === c : i === 0 });
    return el("label", { className: "check" }, radio, ` ${text(`channel_by_${c}`)}`);
  }));
  const sent = codeStep.delivery;
  $("send-code-btn").dataset.text = sent ? "resend_button" : "send_code_button";
  placeTexts($("channel-box"));
  $("admin-countdown-box").hidden = !sent;
  if (sent) {
    delivered("admin-code-sent", sent);
    countdown("admin-countdown", sent.code_expires_at);
    $("admin-code").focus();
  } else {
    $("admin-code-sent").textContent = "";
    fullCountdown("admin-countdown");
  }
}

async function sendCode() {
  const channel = document.querySelector("#channels input:checked").value;
  await step($("send-code-btn"), "send_user_code", { channel });
}

// The live checklist: each rule of the policy, and the confirmation.
let judge = null;
function updateChecklist() {
  const admin = current().progress.admin;
  judge($("new-password").value, $("new-password-again").value, admin ? admin.user_id : null);
}

export function wire() {
  onEnter("admin-login", enterLogin);
  onEnter("admin-code", enterCode);
  $("admin-login-form").addEventListener("submit", login);
  $("send-code-btn").addEventListener("click", sendCode);
  const verify = () => ({ code: $("admin-code").value, rememberDevice: $("remember-device").checked });
  onSubmit("admin-code-form", "admin-verify-btn", "user_verify", verify, ["admin-code"]);
  const change = () => ({ newPassword: $("new-password").value, newPasswordAgain: $("new-password-again").value });
  onSubmit("password-form", "password-btn", "change_password", change, ["new-password", "new-password-again"]);
  judge = passwordChecklist($("password-checklist"));
  $("new-password").addEventListener("input", updateChecklist);
  $("new-password-again").addEventListener("input", updateChecklist);
  liveCheck($("admin-code"), "code");
  for (const id of ["login-password", "new-password"]) watchPassword($(id));
}
