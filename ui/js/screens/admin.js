// 3-2 管理者ユーザの登録: the form, its confirmation, the completion.
import { invoke } from "../ipc.js";
import { $, act, el, liveCheck } from "../dom.js";
import { pick, text } from "../texts.js";
import { onClickStep, onEnter, onSubmit } from "../wizard.js";

let lists = null;
let lastStatus = null;

// In a class, the seat's made-up admin is offered (never real personal data).
function offerMadeUp(status) {
  const madeUp = status.class ? status.class.made_up_admin : null;
  $("class-made-up").hidden = !madeUp;
  if (madeUp) $("class-made-up-text").textContent = text("class_made_up_hint", madeUp);
}

function fillMadeUp() {
  const madeUp = lastStatus && lastStatus.class ? lastStatus.class.made_up_admin : null;
  if (!madeUp) return;
  $("admin-name").value = madeUp.name;
  $("admin-email").value = madeUp.email;
  $("admin-phone").value = madeUp.phone;
  $("admin-user-id").value = madeUp.user_id;
  $("admin-user-id").dispatchEvent(new Event("input"));
}

// The lists (サービス種類, 職種区分) as the service has them; never free text.
async function enterForm(status) {
  lastStatus = status;
  offerMadeUp(status);
  if (!lists) lists = await act(null, () => invoke("reference_lists"));
  if (!lists || $("service-type-groups").childElementCount) return;
  for (const g of lists.groups) {
    const preventive = g.id === "preventive";
    const box = el(preventive ? "details" : "div", { className: "group" }, el(preventive ? "summary" : "h4", { textContent: pick(g.name, g.name_en) }));
    // Past types (moved into 総合事業) are not offered.
    for (const s of lists.service_types.filter((t) => t.group === g.id && !t.past)) {
      const box2 = el("input", { type: "checkbox", value: s.code, name: "service_types" });
      const unconfirmed = s.status === "unconfirmed" ? text("service_type_unconfirmed") : "";
      // The official Japanese name, in either language.
      box.append(el("label", { className: "check", lang: "ja" }, box2, ` ${s.code} ${s.name}${unconfirmed}`));
    }
    $("service-type-groups").append(box);
  }
  for (const j of lists.job_categories) $("job-category").append(el("option", { value: j.code, textContent: j.name, lang: "ja" }));
}

function request() {
  const codes = [...document.querySelectorAll("#service-type-groups input:checked")].map((c) => c.value);
  const optional = (v) => (v.trim() === "" ? null : v.trim());
  return {
    name: $("admin-name").value,
    email: optional($("admin-email").value),
    phone: optional($("admin-phone").value),
    service_types: codes,
    job_category: $("job-category").value,
    user_id: $("admin-user-id").value,
  };
}

function enterConfirm(status) {
  $("admin-summary").replaceChildren(...status.review.rows.flatMap((r) => [el("dt", { textContent: pick(r.label, r.label_en) }), el("dd", { textContent: r.value })]));
}

function enterDone(status) {
  const a = status.progress.admin;
  $("admin-done-text").textContent = text("admin_done_text", { user_id: a.user_id, channel: text(`channel_${a.initial_password_channel}`), destination: a.initial_password_sent_to });
}

export function wire() {
  onEnter("admin-form", enterForm);
  $("class-made-up-btn").addEventListener("click", fillMadeUp);
  onEnter("admin-confirm", enterConfirm);
  onEnter("admin-done", enterDone);
  // The whole form is checked in Rust (the service's rules and lists, the
  // user ID free); the confirmation screen shows what it kept.
  onSubmit("admin-form", "admin-confirm-btn", "review_registration", () => ({ request: request() }));
  onClickStep("admin-register-btn", "register_admin");
  onClickStep("admin-back-btn", "edit_registration");
  onClickStep("admin-done-next", "acknowledge_registration");
  liveCheck($("admin-user-id"), "user_id");
  liveCheck($("admin-email"), "email");
  liveCheck($("admin-phone"), "phone");
  liveCheck($("admin-name"), "name");
}
