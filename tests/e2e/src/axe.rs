//! axe-core, the accessibility rules engine, run in the page through
//! WebDriver: the WCAG 2.0, 2.1 and 2.2 A and AA rules on the page as it is
//! at that moment. axe-core comes from npm (tests/e2e/package.json, put in
//! place by scripts/setup-tests.sh), never fetched while the tests run.
//! Each run's result is saved beside the screenshot (`<name>.axe.json`).

use crate::E2eResult;
use fantoccini::Client;
use serde_json::{json, Value};
use std::path::Path;

/// The rule sets run: WCAG 2.0/2.1/2.2, levels A and AA.
pub const WCAG_TAGS: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

fn source() -> E2eResult<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e} (scripts/setup-tests.sh installs axe-core with npm ci)").into())
}

const RUN: &str = "const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
  .then(r => done({ violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => ({ target: n.target, html: n.html, summary: n.failureSummary })) })) }))
  .catch(e => done({ error: String(e) }));";

/// Runs the rules on the page in `client`: `{"violations": [{id, impact,
/// help, nodes}]}`.
pub async fn run(client: &Client) -> E2eResult<Value> {
    let loaded = client.execute("return typeof window.axe === 'object'", vec![]).await?;
    if loaded.as_bool() != Some(true) {
        client.execute(&source()?, vec![]).await?;
    }
    let result = client.execute_async(RUN, vec![json!(WCAG_TAGS)]).await?;
    if let Some(error) = result.get("error") {
        return Err(format!("axe-core failed: {error}").into());
    }
    Ok(result)
}

/// Runs the rules on the page in `client`; writes `<dir>/<name>.axe.json`
/// and adds a line to `<dir>/axe-summary.tsv` (name, violations, rules).
/// Fails on any violation, naming each (unless [`crate::report_only`]).
pub async fn check(client: &Client, dir: &Path, name: &str) -> E2eResult<()> {
    let result = run(client).await.map_err(|e| format!("{name}: {e}"))?;
    std::fs::write(dir.join(format!("{name}.axe.json")), serde_json::to_vec_pretty(&result)?)?;
    let violations = result["violations"].as_array().cloned().unwrap_or_default();
    let rules: Vec<String> =
        violations.iter().map(|v| format!("{}({})", v["id"].as_str().unwrap_or("?"), v["nodes"].as_array().map_or(0, Vec::len))).collect();
    let count: usize = violations.iter().map(|v| v["nodes"].as_array().map_or(0, Vec::len)).sum();
    use std::io::Write as _;
    let mut summary = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("axe-summary.tsv"))?;
    writeln!(summary, "{name}\t{count}\t{}", rules.join(" "))?;
    if count == 0 || crate::report_only() {
        return Ok(());
    }
    let detail: Vec<String> = violations.iter().flat_map(describe).collect();
    Err(format!("{count} accessibility violation(s) on {name}:\n{}", detail.join("\n")).into())
}

fn describe(v: &Value) -> Vec<String> {
    let nodes = v["nodes"].as_array().cloned().unwrap_or_default();
    nodes
        .iter()
        .map(|n| {
            format!("  {} [{}] {}: {}", v["id"], v["impact"], n["target"], n["summary"].as_str().unwrap_or_default().replace('\n', " "))
        })
        .collect()
}
