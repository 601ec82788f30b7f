//! The page measured as staff see it, at any text size: nothing scrolls
//! sideways, no text is cut off by its box, no text is drawn over other
//! text, and every click target is at least 44 × 44 px (a choice's whole
//! line counts for its radio button).

use crate::E2eResult;
use fantoccini::Client;

/// The smallest click target, in CSS pixels (WCAG 2.5.5's 44 px).
pub const MIN_TARGET: f64 = 44.0;

const MEASURE: &str = concat!(
    shown_js!(),
    "const min = arguments[0];
const problems = [];
const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
  (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
  ' \"' + (el.innerText || el.value || '').trim().slice(0, 40) + '\"';
const page = document.documentElement;
if (page.scrollWidth > window.innerWidth + 1) problems.push(`the page scrolls sideways: ${page.scrollWidth} px in ${window.innerWidth} px`);
for (const el of document.querySelectorAll('body *')) {
  if (!shown(el) || el.classList.contains('sr-only')) continue;
  const overflow = getComputedStyle(el).overflowX;
  if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
    if (overflow === 'hidden' || overflow === 'clip') problems.push('text cut off: ' + name(el));
    if (overflow === 'auto' || overflow === 'scroll') problems.push('scrolls sideways: ' + name(el));
  }
}
// Text over text: the line boxes of every text shown, compared within a
// layer (a dialog or a positioned box lies over the page on purpose; a
// list box draws its options itself) and cut to the boxes that clip them
// (a scrolled panel's hidden lines are not drawn); lines, a text's own
// lines too, may touch, but not cross by a quarter of their height.
const clipOf = (el) => {
  let c = { left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity };
  for (let e = el; e && e !== document.body; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const b = e.getBoundingClientRect();
    c = { left: Math.max(c.left, b.left), top: Math.max(c.top, b.top), right: Math.min(c.right, b.right), bottom: Math.min(c.bottom, b.bottom) };
  }
  return c;
};
const layerOf = (el) => {
  for (let e = el; e; e = e.parentElement) {
    if (e.tagName === 'DIALOG' || ['fixed', 'absolute', 'sticky'].includes(getComputedStyle(e).position)) return e;
  }
  return null;
};
const lines = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!node.textContent.trim() || !el || !shown(el) || el.closest('.sr-only, script, style, select, textarea')) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  const layer = layerOf(el), clip = clipOf(el);
  for (const line of range.getClientRects()) {
    const r = { left: Math.max(line.left, clip.left), top: Math.max(line.top, clip.top), right: Math.min(line.right, clip.right), bottom: Math.min(line.bottom, clip.bottom), height: line.height };
    if (r.right - r.left > 1 && r.bottom - r.top > 1) lines.push({ node, el, layer, r });
  }
}
const crossings = new Set();
for (let i = 0; i < lines.length; i++) {
  for (let j = i + 1; j < lines.length; j++) {
    const a = lines[i], b = lines[j];
    if (a.layer !== b.layer) continue;
    const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
    const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
    if (w > 2 && h > Math.min(a.r.height, b.r.height) / 4) crossings.add(`text over text: ${name(a.el)} / ${name(b.el)}`);
  }
}
problems.push(...crossings);
for (const control of document.querySelectorAll('button, select, summary, input:not([type=hidden])')) {
  // A radio button's or a check box's target is its whole label.
  const el = control.matches('[type=radio], [type=checkbox]') ? (control.closest('label') || control) : control;
  if (!shown(el)) continue;
  const r = el.getBoundingClientRect();
  if (r.width < min - 0.5 || r.height < min - 0.5) problems.push(`target ${Math.round(r.width)}x${Math.round(r.height)} px: ` + name(el));
}
return problems;"
);

/// What is wrong with the page's layout now, in words; empty when nothing.
pub async fn problems(client: &Client) -> E2eResult<Vec<String>> {
    let found = client.execute(MEASURE, vec![serde_json::json!(MIN_TARGET)]).await?;
    Ok(serde_json::from_value(found)?)
}

/// Fails, naming each problem, when the page has any; each is also
/// listed in `<dir>/layout-summary.tsv`.
pub async fn check(client: &Client, dir: &std::path::Path, name: &str) -> E2eResult<()> {
    let found = problems(client).await?;
    use std::io::Write as _;
    let mut summary = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("layout-summary.tsv"))?;
    writeln!(summary, "{name}\t{}\t{}", found.len(), found.join(" | "))?;
    if found.is_empty() || crate::report_only() {
        return Ok(());
    }
    Err(format!("layout of {name}:\n  {}", found.join("\n  ")).into())
}
