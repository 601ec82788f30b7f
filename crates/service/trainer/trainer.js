// The trainer's pages: they only draw what the service sends (the grid,
// over server-sent events) and call its trainer API with the session's
// CSRF token. Japanese first; the English switch is remembered.

// The pages' words, [Japanese, English] by key, from the words crate (the
// service serves them; the HTML came with the Japanese written in).
let WORDS = {};

let english = localStorage.getItem("kaigo-trainer-lang") === "en";
let session = null;
let lastGrid = null;
let glossary = [];

// A word in the language shown, its values of the moment written in.
const say = (key, values = {}) => {
  let text = WORDS[key]?.[english ? 1 : 0] ?? key;
  for (const [name, value] of Object.entries(values)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
};
const $ = (id) => document.getElementById(id);
const el = (tag, text, attrs = {}) => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};
const time = (iso) => new Date(iso).toLocaleString(english ? "en-GB" : "ja-JP", { timeZone: "Asia/Tokyo", dateStyle: "short", timeStyle: "short" });
const notice = (text) => { const n = $("notice"); if (n) n.textContent = text; };

function applyWords() {
  // Words not loaded (the service gone a moment): the page keeps the
  // Japanese it came with rather than showing keys.
  if (WORDS.grid_title) {
    document.documentElement.lang = english ? "en" : "ja";
    for (const e of document.querySelectorAll("[data-t]")) e.textContent = say(e.dataset.t);
    for (const e of document.querySelectorAll("[data-t-alt]")) e.alt = say(e.dataset.tAlt);
    for (const e of document.querySelectorAll("[data-t-label]")) e.setAttribute("aria-label", say(e.dataset.tLabel));
    if (document.body.dataset.title) document.title = `${say(document.body.dataset.title)} — Kaigo Onboard`;
    const button = $("language");
    if (button) {
      // The other language, named in itself.
      button.textContent = say("language_switch");
      button.lang = english ? "ja" : "en";
    }
  }
  if (lastGrid) draw(lastGrid);
  drawGlossary();
}

// ことばの説明: the glossary the app uses (served from kaigo_domain), its
// words found on this page, in the language shown.
function drawGlossary() {
  const main = document.querySelector("main");
  if (!main || glossary.length === 0) return;
  let box = $("glossary");
  if (!box) {
    box = el("details", undefined, { id: "glossary" });
    box.append(el("summary"), el("dl"));
    main.append(box);
  }
  box.querySelector("summary").textContent = say("glossary");
  // What the page shows, the glossary's own words left out.
  const shown = [...main.children].filter((c) => c !== box).map((c) => c.innerText).join("\n");
  const words = glossary.filter((t) => [english ? t.term_en : t.term, ...(english ? t.also_en : t.also)].some((f) => f && shown.includes(f)));
  box.querySelector("dl").replaceChildren(...words.flatMap((t) => [el("dt", english ? t.term_en : t.term), el("dd", english ? t.en : t.ja)]));
  box.hidden = words.length === 0;
}

async function loadGlossary() {
  const resp = await fetch("/trainer/assets/glossary.json");
  if (resp.ok) glossary = await resp.json();
  drawGlossary();
}

function drawCounts(grid) {
  const list = $("counts");
  if (!list) return;
  list.replaceChildren(...grid.counts.map((c) => el("li", `${stepWords(c.step)}: ${c.seats}`)));
}

const COLUMNS = ["office_login", "admin_registration", "admin_login", "terminal", "finished"];

// What the grid sends by name, in words: a step, how a seat is doing
// (a lock's end as the clock in Japan shows it), why it was refused.
const stepWords = (step) => say(`grid_step_${step}`);
const conditionWords = (seat) => {
  if (seat.condition !== "locked" || !seat.locked_until) return say(`seat_${seat.condition}`);
  const until = new Date(seat.locked_until).toLocaleTimeString("ja-JP", { timeZone: "Asia/Tokyo", hour: "numeric", minute: "2-digit" });
  return say("seat_locked_until", { until });
};
const refusalWords = (seat) => (seat.last_refusal ? say(`refusal_${seat.last_refusal}`) : "");

function headRow(row, withActions) {
  const cells = [say("seat"), say("office")];
  for (const step of COLUMNS) cells.push(stepWords(step));
  cells.push(say("condition"), say("last_refusal"), say("idle"));
  if (withActions) cells.push(say("actions"));
  row.replaceChildren(...cells.map((t) => el("th", t, { scope: "col" })));
}

// A seat's idle time as of now: the service's figure when it sent the
// seat, counted on here (the stream sends a seat only when it moves).
function idle(seat) {
  if (seat.idle_seconds === null || seat.idle_seconds === undefined) return "";
  const seconds = seat.idle_seconds + Math.max(0, (Date.now() - (seat.received || Date.now())) / 1000);
  return seconds < 60 ? say("under_minute") : say("minutes", { minutes: Math.floor(seconds / 60) });
}

function tickIdle() {
  if (!lastGrid) return;
  const bySeat = new Map(lastGrid.seats.map((s) => [String(s.seat_number), s]));
  for (const cell of document.querySelectorAll("td.idle")) {
    const seat = bySeat.get(cell.dataset.seat);
    if (seat) cell.textContent = idle(seat);
  }
}

function received(seats) {
  const now = Date.now();
  for (const s of seats) s.received = now;
  return seats;
}

// A `change` event: the seats that moved replace theirs; counts and the
// room's state are the new ones.
function merge(change) {
  const bySeat = new Map(lastGrid.seats.map((s) => [s.seat_number, s]));
  for (const s of received(change.seats)) bySeat.set(s.seat_number, s);
  return { ...lastGrid, seats: [...bySeat.values()].sort((a, b) => a.seat_number - b.seat_number),
    counts: change.counts, at: change.at, nobody_reached: change.nobody_reached };
}

function seatRow(seat, withActions) {
  const row = el("tr");
  if (seat.needs_help) row.className = "needs-help";
  row.append(el("th", String(seat.seat_number), { scope: "row" }), el("td", `${seat.office_name} (${seat.electronic_billing_id})`));
  const at = COLUMNS.indexOf(seat.step);
  COLUMNS.forEach((_, i) => {
    const mark = at < 0 ? "" : i < at ? "✓" : i === at ? "●" : "";
    const label = at < 0 ? "" : i < at ? say("done_mark") : i === at ? say("here_mark") : "";
    const cell = el("td", mark, { class: "step" });
    if (label) cell.setAttribute("aria-label", label);
    row.append(cell);
  });
  row.append(el("td", conditionWords(seat), { class: "condition" }), el("td", refusalWords(seat)),
    el("td", idle(seat), { class: "idle", "data-seat": String(seat.seat_number) }));
  if (withActions) {
    const cell = el("td");
    const unlock = el("button", say("unlock"), { type: "button", "data-action": "unlock", "data-seat": seat.seat_number });
    const reset = el("button", say("reset"), { type: "button", "data-action": "reset", "data-seat": seat.seat_number });
    cell.append(unlock, " ", reset);
    row.append(cell);
  }
  return row;
}

function draw(grid) {
  lastGrid = grid;
  // The tables are drawn anew: a seat's button the trainer is on keeps the focus.
  const on = document.activeElement && document.activeElement.closest && document.activeElement.closest("button[data-action]");
  const focus = on ? `button[data-action="${on.dataset.action}"][data-seat="${on.dataset.seat}"]` : null;
  const name = $("class-name");
  if (name) name.textContent = grid.class_name;
  drawCounts(grid);
  for (const [id, withActions] of [["grid", true], ["summary", false]]) {
    const table = $(id);
    if (!table) continue;
    headRow(table.querySelector("thead tr"), withActions);
    table.querySelector("tbody").replaceChildren(...grid.seats.map((s) => seatRow(s, withActions)));
  }
  const taken = $("taken-at");
  if (taken) taken.textContent = time(grid.at);
  // The service judges when to say that no PC has reached the class yet.
  const unreached = $("unreached");
  if (unreached) unreached.hidden = !grid.nobody_reached;
  drawGlossary();
  if (focus) document.querySelector(focus)?.focus();
  // For tests and the benchmark: the moment the page drew this grid.
  document.body.dataset.drawnAt = String(Date.now());
  document.body.dataset.gridAt = grid.at;
}

async function call(method, path) {
  const resp = await fetch(path, { method, headers: { "X-CSRF-Token": session.csrf_token }, credentials: "same-origin" });
  if (!resp.ok) {
    const body = await resp.json().catch(() => ({}));
    throw new Error(english ? body.message_en || resp.statusText : body.message || resp.statusText);
  }
  return resp.status === 204 ? null : resp.json();
}

async function onAction(event) {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const n = button.dataset.seat;
  if (button.dataset.action === "reset" && !confirm(say("reset_confirm", { seat_number: n }))) return;
  try {
    await call("POST", `/v1/trainer/seats/${n}/${button.dataset.action}`);
    notice(say(button.dataset.action === "unlock" ? "unlocked" : "reset_done", { seat_number: n }));
  } catch (e) {
    notice(say("action_failed") + e.message);
  }
}

async function closeClass() {
  if (!confirm(say("close_confirm"))) return;
  try {
    const last = await call("POST", "/v1/trainer/close");
    sessionStorage.setItem("kaigo-last-grid", JSON.stringify(last));
    location.assign("/trainer/summary?closed=1");
  } catch (e) {
    notice(say("action_failed") + e.message);
  }
}

function offerCsv(grid) {
  // After the end the service has nothing left: the CSV is made here.
  // The service's columns (its summary.csv), in the language shown.
  const head = ["seat", "office", "csv_user_id", "csv_step", "condition", "last_refusal", "csv_idle_minutes"].map((k) => say(k));
  const minutes = (s) => (s.idle_seconds === null || s.idle_seconds === undefined ? "" : Math.floor(s.idle_seconds / 60));
  const lines = [head, ...grid.seats.map((s) => [s.seat_number, s.office_name, s.electronic_billing_id,
    stepWords(s.step), conditionWords(s), refusalWords(s), minutes(s)])];
  const text = "\ufeff" + lines.map((l) => l.map((v) => `"${String(v).replaceAll('"', '""')}"`).join(",")).join("\r\n") + "\r\n";
  $("csv").href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
}

function listen() {
  const source = new EventSource("/v1/trainer/events");
  source.addEventListener("grid", (e) => {
    const grid = JSON.parse(e.data);
    received(grid.seats);
    draw(grid);
    notice(say("live"));
  });
  source.addEventListener("change", (e) => { if (lastGrid) draw(merge(JSON.parse(e.data))); });
  setInterval(tickIdle, 15000);
  source.onerror = () => notice(say("reconnecting"));
}

async function loadWords() {
  try {
    const resp = await fetch("/trainer/assets/words.json");
    if (resp.ok) WORDS = await resp.json();
  } catch {
    // Not reached: the page goes on with the words it was served with.
  }
}

async function start() {
  await loadWords();
  applyWords();
  $("language")?.addEventListener("click", () => {
    english = !english;
    localStorage.setItem("kaigo-trainer-lang", english ? "en" : "ja");
    applyWords();
  });
  $("print")?.addEventListener("click", () => window.print());
  loadGlossary();
  const page = document.body.dataset.page;
  if (page === "summary" && new URLSearchParams(location.search).has("closed")) {
    const kept = sessionStorage.getItem("kaigo-last-grid");
    if (kept) {
      draw(JSON.parse(kept));
      offerCsv(lastGrid);
      notice(say("closed"));
    }
    return;
  }
  const resp = await fetch("/v1/trainer/session", { credentials: "same-origin" });
  if (!resp.ok) {
    notice(say("sign_in_needed"));
    return;
  }
  session = await resp.json();
  $("class-name").textContent = session.class_name;
  if ($("ends-at")) $("ends-at").textContent = time(session.ends_at);
  if ($("service-url")) {
    $("service-url").textContent = session.service_url;
    $("join-code").textContent = session.join_code;
    $("short-pin").textContent = session.short_pin;
  }
  // The join link's QR code, once signed in (its address needs the session).
  if ($("join-qr")) $("join-qr").src = "/v1/trainer/join-qr.svg";
  $("grid")?.addEventListener("click", onAction);
  $("close-class")?.addEventListener("click", closeClass);
  listen();
}

start();
