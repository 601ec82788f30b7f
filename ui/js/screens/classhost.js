// 研修を開く: the trainer opens a class on this PC; the app serves it and
// opens the grid and the projector's page in windows of its own. A class
// already served (resumed after a restart) is shown instead of the form.
// Closing the app during a class asks first (src-tauri's close handler).
import { invoke } from "../ipc.js";
import { $, act, el, every, stopTimer } from "../dom.js";
import { text } from "../texts.js";

function until(iso) {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

function draw(hosted) {
  $("class-host-box").hidden = !!hosted;
  $("class-hosting").hidden = !hosted;
  if (!hosted) { stopTimer("class-hosting"); return; }
  $("class-hosting-text").textContent = text("class_hosting", { class_name: hosted.name, seats: String(hosted.seats), until: until(hosted.ends_at) });
  $("class-hosting-found").textContent = text(hosted.announced ? "class_hosting_announced" : "class_hosting_not_announced");
  $("class-hosting-url").textContent = hosted.service_url;
  $("class-hosting-code").textContent = hosted.join_code;
  $("class-hosting-pin").textContent = hosted.short_pin;
  // The trainer may end the class in the grid's window: seen here within a while.
  every("class-hosting", 10000, async () => { try { draw(await invoke("hosted_class")); } catch { /* shown on the next action */ } });
}

async function listNetworks() {
  const networks = await act(null, () => invoke("class_networks"));
  const select = $("class-host-network");
  select.replaceChildren(
    ...(networks || []).map((n) => el("option", { value: n.address, textContent: `${n.adapter} ${n.address}` })),
    el("option", { value: "127.0.0.1", textContent: text("class_host_this_pc_only") }),
  );
}

export async function enter() {
  const hosted = await act(null, () => invoke("hosted_class"));
  draw(hosted || null);
}

export function wire() {
  $("class-host-box").addEventListener("toggle", () => { if ($("class-host-box").open) listNetworks(); });
  $("class-host-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const opening = {
      name: $("class-host-name").value,
      seats: Number($("class-host-seats").value),
      hours: Number($("class-host-hours").value),
      address: $("class-host-network").value,
    };
    const hosted = await act($("class-host-btn"), () => invoke("open_class", { opening }), $("class-host-form"));
    if (hosted) draw(hosted);
  });
  $("class-grid-btn").addEventListener("click", () => act($("class-grid-btn"), () => invoke("show_trainer_window", { page: "grid" })));
  $("class-projector-btn").addEventListener("click", () => act($("class-projector-btn"), () => invoke("show_trainer_window", { page: "projector" })));
  window.addEventListener("kaigo-close-asked", () => { $("class-close-ask").hidden = false; $("class-close-keep").focus(); });
  $("class-close-keep").addEventListener("click", () => { $("class-close-ask").hidden = true; });
  $("class-close-go").addEventListener("click", () => act($("class-close-go"), () => invoke("close_app")));
}
