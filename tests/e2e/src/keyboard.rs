//! Working the window by keyboard alone: keys go to whatever has the
//! focus, never to an element picked by the test. At every stop the focus
//! must be visible; on a new screen it must be on the screen's heading; a
//! screen's controls must all be reachable with Tab, in the page's order.

use crate::{E2eResult, Window};
use fantoccini::key::Key;
use serde_json::json;

/// Tab presses tried before giving up on reaching a control.
const MOST_TABS: usize = 120;

/// How both scripts below name a control (the same name for the same one).
macro_rules! name_of {
    () => {
        "const keyOf = (e) => (e.dataset.kbd = e.dataset.kbd || String(window.__kbdNext = (window.__kbdNext || 0) + 1));\nconst nameOf = (e) => '[' + keyOf(e) + '] ' + e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[name=' + e.name + ']' : '') + (e.type === 'radio' || e.type === 'checkbox' ? '[value=' + e.value + ']' : '') + (e.id || e.name ? '' : ' ' + e.textContent.trim().slice(0, 20));\n"
    };
}

const FOCUSED: &str = concat!(
    name_of!(),
    "const e = document.activeElement;
if (!e || e === document.body) return { what: 'nothing', visible: false, matches: false };
const cs = getComputedStyle(e);
const visible = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== 'none');
return { what: nameOf(e), visible, matches: arguments[0] ? e.matches(arguments[0]) : false, style: 'outline ' + cs.outlineStyle + ' ' + cs.outlineWidth + ', shadow ' + cs.boxShadow };"
);

/// Every control of the screen that Tab should reach (one per radio group:
/// the checked one, else the first), in the page's order, and those
/// actually reached in one round of Tab from the heading, in order.
const SCREEN_CONTROLS: &str = concat!(
    name_of!(),
    shown_js!(),
    "const screen = document.querySelector(arguments[0]);
const seen = new Set();
const controls = [];
for (const el of screen.querySelectorAll('input:not([type=hidden]), select, textarea, button, summary, a[href], [tabindex]:not([tabindex=\"-1\"])')) {
  if (!shown(el) || el.disabled) continue;
  if (el.type === 'radio') {
    if (seen.has(el.name)) continue;
    seen.add(el.name);
    const group = [...screen.querySelectorAll(`input[type=radio][name=\"${el.name}\"]`)];
    controls.push(group.find((r) => r.checked) || group[0]);
  } else controls.push(el);
}
return controls.map(nameOf);"
);

struct Focused {
    what: String,
    visible: bool,
    matches: bool,
    /// Its outline and shadow, for a focus that cannot be seen.
    style: String,
}

impl Window {
    async fn focused(&self, css: &str) -> E2eResult<Focused> {
        let v = self.client.execute(FOCUSED, vec![json!(css)]).await?;
        Ok(Focused {
            what: v["what"].as_str().unwrap_or_default().to_owned(),
            visible: v["visible"].as_bool().unwrap_or(false),
            matches: v["matches"].as_bool().unwrap_or(false),
            style: v["style"].as_str().unwrap_or_default().to_owned(),
        })
    }

    /// Presses `key` where the focus is.
    pub async fn press(&self, key: Key) -> E2eResult<()> {
        self.type_here(&char::from(key).to_string()).await
    }

    /// Types `text` where the focus is.
    pub async fn type_here(&self, text: &str) -> E2eResult<()> {
        self.client.active_element().await?.send_keys(text).await?;
        Ok(())
    }

    /// Presses Tab until `css` has the focus (round the page if need be),
    /// checking at every stop that the focus can be seen.
    pub async fn tab_to(&self, css: &str) -> E2eResult<()> {
        for _ in 0..MOST_TABS {
            let now = self.focused(css).await?;
            if now.matches {
                return Ok(());
            }
            self.press(Key::Tab).await?;
            let stop = self.focused(css).await?;
            if !stop.visible {
                let _ = self.shot("keyboard-failure-invisible-focus").await;
                return Err(format!("the focus cannot be seen on {} ({})", stop.what, stop.style).into());
            }
        }
        let _ = self.shot("keyboard-failure-unreachable").await;
        Err(format!("{css} not reached with Tab in {MOST_TABS} presses").into())
    }

    /// Tabs into the radio group whose inputs `group` selects and chooses
    /// `value` in it with the arrow `key`, as staff do; fails when the
    /// arrows do not reach it.
    pub async fn choose_with_arrows(&self, group: &str, value: &str, key: Key) -> E2eResult<()> {
        let checked = format!("{group}:checked");
        self.tab_to(&checked).await?;
        let options = self.client.execute("return document.querySelectorAll(arguments[0]).length", vec![json!(group)]).await?;
        for _ in 0..=options.as_u64().unwrap_or(0) {
            let now = self.client.execute("return document.querySelector(arguments[0]).value", vec![json!(checked)]).await?;
            if now.as_str() == Some(value) {
                return Ok(());
            }
            self.press(key).await?;
        }
        Err(format!("{value} not chosen in {group} with the arrow keys").into())
    }

    /// Shift+Tab once, for going back a field.
    pub async fn tab_back(&self) -> E2eResult<()> {
        self.type_here(&format!("{}{}{}", char::from(Key::Shift), char::from(Key::Tab), char::from(Key::Null))).await
    }

    /// A screen just shown: its heading has the focus, and one round of
    /// Tab from there reaches every control of it, in the page's order;
    /// then its screenshot (`keyboard-<screen>`, with the page checks).
    pub async fn keyboard_screen(&self, screen: &str) -> E2eResult<()> {
        self.wait_screen(screen).await?;
        let heading = format!("#screen-{screen} h2");
        self.wait_true(&format!("document.activeElement === document.querySelector('{heading}')"))
            .await
            .map_err(|_| format!("the focus is not on {screen}'s heading"))?;
        let expected: Vec<String> =
            serde_json::from_value(self.client.execute(SCREEN_CONTROLS, vec![json!(format!("#screen-{screen}"))]).await?)?;
        let inside = format!("#screen-{screen} *");
        let mut reached: Vec<String> = Vec::new();
        for _ in 0..MOST_TABS {
            self.press(Key::Tab).await?;
            let stop = self.focused(&inside).await?;
            if !stop.visible {
                let _ = self.shot("keyboard-failure-invisible-focus").await;
                return Err(format!("{screen}: the focus cannot be seen on {} ({})", stop.what, stop.style).into());
            }
            if !stop.matches {
                if reached.is_empty() {
                    continue;
                }
                break;
            }
            if reached.contains(&stop.what) {
                break;
            }
            reached.push(stop.what);
        }
        let reached_ids: Vec<&String> = reached.iter().filter(|r| expected.contains(r)).collect();
        let expected_refs: Vec<&String> = expected.iter().collect();
        if reached_ids != expected_refs {
            let _ = self.shot(&format!("keyboard-failure-order-{screen}")).await;
            return Err(format!("{screen}: Tab reached {reached:?}, the page has {expected:?}").into());
        }
        // Photographed, checked by axe-core and measured as it is reached.
        self.shot(&format!("keyboard-{screen}")).await?;
        Ok(())
    }
}
