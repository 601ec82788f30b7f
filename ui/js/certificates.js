// A client certificate as every list of them shows it: who it is for, the
// office number and issuer, its expiry with its state, where it is kept.
import { el } from "./dom.js";
import { dateOf, text } from "./texts.js";

export function certificateLines(c) {
  const status = text(`certificate_status_${c.status}`, { days: c.days_left });
  const where = text(`certificate_source_${c.source}`) || c.source;
  return el("span", {},
    el("strong", { textContent: c.label }),
    el("br"), text("certificate_office", { office_number: c.office_number || "—", issuer: c.issuer }),
    el("br"), text("certificate_valid_until", { date: dateOf(c.not_after), status }),
    el("br"), text("certificate_kept_in", { where }));
}
