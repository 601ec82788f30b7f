//! The page (`ui/`) and the Rust it talks to name the same things: screens,
//! texts, form fields, live checks, the password checklist's rules and the
//! commands. Read from the files as they are; each list is compared both
//! ways, so a name on one side only fails here.

use kaigo_app_core::catalogue::{Text, COUNTDOWN_FULL};
use kaigo_app_core::wizard::plan::Screen;
use kaigo_app_core::wizard::{FieldKind, FormField, CHECKLIST_RULES};
use std::collections::BTreeSet;
use std::path::Path;

/// `ui/index.html` and every script under `ui/js`.
struct Page {
    html: String,
    scripts: String,
}

fn ui() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui")
}

/// Every script under `ui/js`, as the page names it (`js/screens/user.js`).
fn modules() -> BTreeSet<String> {
    let ui = ui();
    let mut modules = BTreeSet::new();
    let mut folders = vec![ui.join("js")];
    while let Some(folder) = folders.pop() {
        for path in std::fs::read_dir(&folder).unwrap().flatten().map(|e| e.path()) {
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "js") {
                modules.insert(path.strip_prefix(&ui).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    modules
}

fn page() -> Page {
    let ui = ui();
    let scripts = modules().iter().map(|m| std::fs::read_to_string(ui.join(m)).unwrap() + "\n").collect();
    Page { html: std::fs::read_to_string(ui.join("index.html")).unwrap(), scripts }
}

/// Every value of `attribute="…"` in `html`.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> BTreeSet<&'a str> {
    let needle = format!(" {attribute}=\"");
    html.split(needle.as_str()).skip(1).filter_map(|rest| rest.split('"').next()).collect()
}

/// The string literals of every call's argument number `index` (0-based),
/// for calls of `function(`: `text("a")`, `text(x ? "a" : "b")` → a, b.
fn literal_arguments(scripts: &str, function: &str, index: usize) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let needle = format!("{function}(");
    for (at, _) in scripts.match_indices(&needle) {
        // Only the function itself, not a longer name ending in it.
        if scripts[..at].chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let args = &scripts[at + needle.len()..];
        let mut depth = 0;
        let mut arg = 0;
        let mut current = String::new();
        for c in args.chars() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => break,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    arg += 1;
                    continue;
                }
                _ => {}
            }
            if arg == index {
                current.push(c);
            }
        }
        out.extend(current.split('"').skip(1).step_by(2).map(str::to_owned));
    }
    out
}

/// The fixed beginnings of keys built from a value: `text(`terminal_kind_${t.kind}`)`.
fn key_prefixes(scripts: &str) -> BTreeSet<&str> {
    scripts.split("text(`").skip(1).filter_map(|rest| rest.split("${").next()).filter(|p| !p.contains('`')).collect()
}

fn set<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'a str> {
    names.into_iter().collect()
}

fn owned(names: &BTreeSet<String>) -> BTreeSet<&str> {
    names.iter().map(String::as_str).collect()
}

#[test]
fn every_screen_of_the_page_is_a_screen_rust_names_and_the_other_way_round() {
    let p = page();
    let sections: BTreeSet<&str> = attribute_values(&p.html, "id").into_iter().filter_map(|id| id.strip_prefix("screen-")).collect();
    let screens: Vec<String> = Screen::ALL.iter().map(|s| s.id()).collect();
    assert_eq!(sections, set(screens.iter().map(String::as_str)), "ui/index.html's screen-… sections and wizard::plan::Screen");
    let shown =
        literal_arguments(&p.scripts, "show", 0).into_iter().chain(literal_arguments(&p.scripts, "onEnter", 0)).collect::<BTreeSet<_>>();
    for name in &shown {
        assert!(sections.contains(name.as_str()), "ui/js names a screen {name:?} that Rust does not have");
    }
}

#[test]
fn the_progress_bar_lists_the_steps_screens_show_in_their_order() {
    let p = page();
    let in_page: Vec<&str> = p.html.split(" data-step=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    let mut shown: Vec<String> = Vec::new();
    for step in Screen::ALL.iter().filter_map(|s| s.step()) {
        let name = serde_json::to_value(step).unwrap().as_str().unwrap().to_owned();
        if !shown.contains(&name) {
            shown.push(name);
        }
    }
    assert_eq!(in_page, shown, "ui/index.html's progress bar and the steps of wizard::plan::Screen");
}

#[test]
fn every_text_the_page_places_is_in_the_catalogue_and_every_page_text_is_placed() {
    let p = page();
    let catalogue: BTreeSet<&str> = Text::PAGE.iter().map(|t| t.key()).chain([COUNTDOWN_FULL]).collect();
    let composed: BTreeSet<&str> = Text::COMPOSED.iter().map(|t| t.key()).collect();
    let mut used: BTreeSet<String> = attribute_values(&p.html, "data-text").into_iter().map(str::to_owned).collect();
    used.extend(attribute_values(&p.html, "data-text-aria-label").into_iter().map(str::to_owned));
    used.extend(attribute_values(&p.html, "data-text-alt").into_iter().map(str::to_owned));
    used.extend(literal_arguments(&p.scripts, "text", 0));
    // A key set on an element for the next placing of the words.
    for rest in p.scripts.split("dataset.text = ").skip(1) {
        let expression = rest.split(';').next().unwrap_or_default();
        used.extend(expression.split('"').skip(1).step_by(2).map(str::to_owned));
    }
    for key in &used {
        assert!(!composed.contains(key.as_str()), "{key} is composed in Rust; the status does not carry it");
        assert!(catalogue.contains(key.as_str()), "ui/ places a text {key:?} the catalogue does not have");
    }
    let prefixes = key_prefixes(&p.scripts);
    for key in &catalogue {
        let placed = used.contains(*key) || prefixes.iter().any(|prefix| key.starts_with(prefix));
        assert!(placed, "the catalogue's page text {key:?} is never placed by ui/");
    }
}

#[test]
fn texts_built_from_a_value_exist_for_every_value() {
    use kaigo_api::terminal::TerminalStatus;
    use kaigo_domain::terminal::TerminalKind;
    use kaigo_domain::{CertificateStatus, DeliveryChannel};
    let name = |v: serde_json::Value| v.as_str().unwrap().to_owned();
    let channels = [DeliveryChannel::Email, DeliveryChannel::Sms].map(|c| name(serde_json::to_value(c).unwrap()));
    let kinds = [TerminalKind::ThisPc, TerminalKind::Mobile].map(|k| name(serde_json::to_value(k).unwrap()));
    let statuses =
        [TerminalStatus::AwaitingDevice, TerminalStatus::Pending, TerminalStatus::Linked].map(|s| name(serde_json::to_value(s).unwrap()));
    let certificate = [
        CertificateStatus::Valid,
        CertificateStatus::ExpiresSoon,
        CertificateStatus::Expired,
        CertificateStatus::NotYetValid,
        CertificateStatus::ForClass,
    ]
    .map(|s| name(serde_json::to_value(s).unwrap()));
    let sources = kaigo_app_core::certificates::source::ALL.map(str::to_owned);
    let clocks = kaigo_domain::real_day::DayClock::ALL.map(|c| name(serde_json::to_value(c).unwrap()));
    let pc_warnings = {
        use kaigo_domain::pc_certificates::PcCertificateWarning as W;
        [
            W::NoneFound,
            W::Several { count: 2 },
            W::Expired { holder: String::new() },
            W::ExpiringSoon { holder: String::new(), days_left: 1 },
            W::Rehearsal { holder: String::new() },
        ]
        .map(|w| name(serde_json::to_value(w).unwrap()["kind"].clone()))
    };
    let values_of = |prefix: &str| -> Vec<String> {
        match prefix {
            "channel_" | "channel_by_" => channels.to_vec(),
            "terminal_kind_" | "terminal_default_name_" => kinds.to_vec(),
            "terminal_status_" => statuses.to_vec(),
            "certificate_status_" => certificate.to_vec(),
            "certificate_source_" => sources.to_vec(),
            "real_day_over_" | "real_day_until_" => clocks.to_vec(),
            "real_day_pc_" => pc_warnings.to_vec(),
            other => panic!("ui/js builds keys from {other:?}…: say here which values follow it"),
        }
    };
    let keys: BTreeSet<&str> = Text::PAGE.iter().map(|t| t.key()).collect();
    let p = page();
    let prefixes = key_prefixes(&p.scripts);
    assert!(prefixes.contains("terminal_status_"), "the reader finds built keys: {prefixes:?}");
    for prefix in prefixes {
        for value in values_of(prefix) {
            assert!(keys.contains(format!("{prefix}{value}").as_str()), "no text {prefix}{value}");
        }
    }
}

#[test]
fn the_pages_fields_are_the_fields_rust_names() {
    let p = page();
    let fields = set(FormField::ALL.iter().map(|f| f.as_str()));
    assert_eq!(attribute_values(&p.html, "data-for"), fields, "ui/index.html's data-for and wizard::FormField");
    let mut named: BTreeSet<String> = attribute_values(&p.html, "name").into_iter().map(str::to_owned).collect();
    named.extend(p.scripts.split("name: \"").skip(1).filter_map(|r| r.split('"').next()).map(str::to_owned));
    for field in &fields {
        assert!(named.contains(*field), "no input is named {field}");
    }
    let kinds = literal_arguments(&p.scripts, "liveCheck", 1)
        .into_iter()
        .chain(p.scripts.split("kind: \"").skip(1).filter_map(|r| r.split('"').next()).map(str::to_owned))
        .collect::<BTreeSet<_>>();
    assert_eq!(owned(&kinds), set(FieldKind::ALL.iter().map(|k| k.as_str())), "ui/js's live checks and wizard::FieldKind");
}

#[test]
fn the_password_checklist_shows_the_rules_rust_judges() {
    let p = page();
    assert_eq!(attribute_values(&p.html, "data-rule"), set(CHECKLIST_RULES), "ui/index.html's data-rule and CHECKLIST_RULES");
    let judged = serde_json::to_value(kaigo_app_core::AppCore::password_report("x", None, None)).unwrap();
    for rule in CHECKLIST_RULES {
        assert!(judged[rule].is_boolean(), "the checklist's answer has no {rule}");
    }
}

#[test]
fn the_page_calls_every_command_and_nothing_else() {
    let p = page();
    let called: BTreeSet<String> = [("invoke", 0), ("step", 1), ("onSubmit", 2), ("onClickStep", 1)]
        .into_iter()
        .flat_map(|(function, index)| literal_arguments(&p.scripts, function, index))
        .collect();
    assert_eq!(owned(&called), set(kaigo_onboard_app::COMMANDS.iter().copied()), "ui/js's commands and command_names.rs");
}

#[test]
fn the_reader_finds_names_where_the_page_writes_them() {
    let scripts = r#"a.text("one"); text(x ? "two" : "three", { n: 1 }); context("no"); step($("b"), "go", { k: "v" }); text(`pre_${v}`);"#;
    assert_eq!(owned(&literal_arguments(scripts, "text", 0)), set(["two", "three"]), "a method of another object is not the page's text()");
    assert_eq!(owned(&literal_arguments(scripts, "step", 1)), set(["go"]));
    assert_eq!(key_prefixes(scripts), set(["pre_"]));
    assert_eq!(attribute_values(r#"<p data-for="a"></p><p data-for="b">"#, "data-for"), set(["a", "b"]));
}

/// 文字の大きさ: the page's choices (its radio buttons and the list its
/// script reads them by) are the sizes the settings keep.
#[test]
fn the_text_size_choices_are_the_sizes_the_settings_keep() {
    let page = page();
    let kept: BTreeSet<String> = kaigo_app_core::settings::TextSize::ALL
        .iter()
        .map(|size| serde_json::to_value(size).unwrap().as_str().unwrap().to_owned())
        .collect();
    let radios: BTreeSet<String> = page
        .html
        .split("name=\"text-size\"")
        .skip(1)
        .map(|rest| rest.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned())
        .collect();
    assert_eq!(radios, kept, "index.html's text-size radios");
    let list = page.scripts.split("const TEXT_SIZES = [").nth(1).expect("settings.js lists TEXT_SIZES").split(']').next().unwrap();
    let listed: BTreeSet<String> = list.split(',').map(|s| s.trim().trim_matches('"').to_owned()).filter(|s| !s.is_empty()).collect();
    assert_eq!(listed, kept, "settings.js's TEXT_SIZES");
}

/// Every module of the page is fetched at once (`modulepreload`), not level
/// by level as imports are read: a module left out of the list, or a
/// listed one gone, fails here.
#[test]
fn every_module_of_the_page_is_preloaded_and_every_preload_is_a_module() {
    let html = page().html;
    let entry: Vec<&str> = html.split("<script type=\"module\" src=\"").skip(1).filter_map(|r| r.split('"').next()).collect();
    assert_eq!(entry, ["js/main.js"], "one entry module");
    let mut loaded: BTreeSet<String> = preloads(&html).into_iter().map(str::to_owned).collect();
    assert_eq!(loaded.len(), html.matches("rel=\"modulepreload\"").count(), "a module preloaded twice");
    loaded.insert(entry[0].to_owned());
    assert_eq!(loaded, modules(), "ui/index.html's modulepreload links and the modules under ui/js");
}

/// The `href` of every `<link rel="modulepreload">`.
fn preloads(html: &str) -> BTreeSet<&str> {
    html.split("<link rel=\"modulepreload\" href=\"").skip(1).filter_map(|r| r.split('"').next()).collect()
}

#[test]
fn the_preload_reader_finds_what_a_page_lists() {
    let html =
        r#"<link rel="stylesheet" href="a.css"><link rel="modulepreload" href="js/b.js"><link rel="modulepreload" href="js/c/d.js">"#;
    assert_eq!(preloads(html), set(["js/b.js", "js/c/d.js"]));
}

/// The page reads its first status where the app puts it.
#[test]
fn the_page_reads_the_first_status_where_the_app_puts_it() {
    let main = std::fs::read_to_string(ui().join("js/main.js")).unwrap();
    let wanted = format!("const FIRST_STATUS = \"{}\";", kaigo_onboard_app::FIRST_STATUS_GLOBAL);
    assert!(main.contains(&wanted), "ui/js/main.js does not say {wanted}");
}
