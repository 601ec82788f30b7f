// 研修に参加する: the three codes from the projector (or a join link) go
// to the app, which checks and joins; leaving takes the seat's
// certificate out again. 研修をさがす lists the classes announced on the
// network, and choosing one fills in the address (typing it always works).
// The class's mark is drawn by `wizard.js`.
import { invoke } from "../ipc.js";
import { $, act, el } from "../dom.js";
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

/** 研修をさがす: the app listens a few seconds and lists what it heard. */
async function findClasses() {
  const status = $("class-found-status");
  const list = $("class-found-list");
  list.replaceChildren();
  status.textContent = text("class_finding");
  const found = await act($("class-find-btn"), () => invoke("find_classes"));
  if (!found) { status.textContent = ""; return; }
  status.textContent = text(found.length ? "class_found" : "class_found_none");
  list.replaceChildren(...found.map((c) => {
    const choose = el("button", { type: "button", textContent: text("class_found_choice", { class_name: c.name, service_url: c.service_url }) });
    choose.addEventListener("click", () => {
      $("class-url").value = c.service_url;
      status.textContent = text("class_found_chosen");
      $("class-join-code").focus();
    });
    return el("li", {}, choose);
  }));
}

export function wire() {
  // Only when asked: listening on the network makes Windows ask about
  // the firewall, which staff are told of beside the button.
  $("class-find-btn").addEventListener("click", findClasses);
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
