// 研修に参加する: the three codes from the projector (or a join link) go
// to the app, which checks and joins; leaving takes the seat's
// certificate out again. The class's mark is drawn by `wizard.js`.
import { $ } from "../dom.js";
import { text } from "../texts.js";
import { onClickStep, onSubmit, refresh } from "../wizard.js";

export function enter(status) {
  const joined = status.class;
  $("class-join-box").hidden = !!joined;
  $("class-banner").hidden = !joined;
  if (joined) $("class-joined").textContent = text("class_joined", joined);
  // A join link the app was opened with: filled in, staff press 参加する.
  const link = !joined && status.join_link;
  $("class-link-received").hidden = !link;
  if (link) {
    // The link says it all: fields typed before would only confuse.
    for (const id of ["class-url", "class-join-code", "class-check-code"]) $(id).value = "";
    $("class-link").value = link;
    $("class-join-box").open = true;
    $("class-join-btn").focus();
  }
}

export function wire() {
  onSubmit("class-join-form", "class-join-btn", "join_class", () => {
    const link = $("class-link").value.trim();
    if (link) return { link };
    return { form: { url: $("class-url").value, join_code: $("class-join-code").value, check_code: $("class-check-code").value } };
  }, ["class-join-code", "class-check-code", "class-link"]);
  onClickStep("class-leave-btn", "leave_class");
  onClickStep("join-link-go", "restart");
  // A link opened while the app runs (src-tauri's single-instance handler).
  window.addEventListener("kaigo-join-link", () => refresh());
}
