// 練習用メールボックス: what practice mode would have sent, shown as it arrives.
import { invoke } from "../ipc.js";
import { $, el } from "../dom.js";
import { text, timeOf } from "../texts.js";

export async function refreshMailbox() {
  if ($("mailbox").hidden) return;
  let list;
  try { list = await invoke("mailbox"); } catch (_) { return; }
  const by = { sms: text("channel_sms"), email: text("mailbox_mail") };
  $("mailbox-list").replaceChildren(...list.map((m) => el("li", { className: "message" },
    el("div", { className: "message-head", textContent: `${by[m.channel]} → ${m.recipient}　${timeOf(m.delivered_at)}` }),
    el("div", { className: "message-subject", textContent: m.subject }),
    el("pre", { className: "message-body", textContent: m.body }))));
}

export function wire() {
  $("mailbox-refresh").addEventListener("click", refreshMailbox);
  setInterval(refreshMailbox, 2000);
}
