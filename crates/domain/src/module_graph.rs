//! The crate's modules form layers: read from the sources, which module
//! uses which (`crate::module::…`, or a name `lib.rs` re-exports), and fail
//! on any cycle. Tests are left out: a test may use anything.

use std::collections::{BTreeMap, BTreeSet};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn sources() -> BTreeMap<String, String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            out.insert(name, std::fs::read_to_string(&path).expect("a source file is readable"));
        }
    }
    out
}

/// The code of a file without its comments and its test module.
fn code_of(source: &str) -> String {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Names `lib.rs` re-exports (`pub use module::{A, B}`), by the module they come from.
fn re_exports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in lib.lines().filter_map(|l| l.strip_prefix("pub use ")) {
        let Some((module, names)) = line.trim_end_matches(';').split_once("::") else { continue };
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            out.insert(name.trim().to_owned(), module.to_owned());
        }
    }
    out
}

/// Which module each module uses.
fn graph(sources: &BTreeMap<String, String>) -> Graph {
    let exported = re_exports(&sources["lib"]);
    let modules: BTreeSet<&str> = sources.keys().map(String::as_str).filter(|m| *m != "lib").collect();
    let mut graph = Graph::new();
    for (module, source) in sources.iter().filter(|(m, _)| *m != "lib" && *m != "module_graph") {
        let code = code_of(source);
        let mut uses = BTreeSet::new();
        for path in code.split("crate::").skip(1) {
            // `crate::a::b`, `crate::{a::x, b}`, `crate::Name`: every first segment.
            let head: String = path.chars().take_while(|c| !matches!(c, ';' | '(' | ')' | '\n' | ' ' | '<' | '>' | '=')).collect();
            for item in head.trim_matches(|c| c == '{' || c == '}').split(',') {
                let first = item.trim().trim_start_matches('{').split("::").next().unwrap_or_default().trim();
                let target = if modules.contains(first) { Some(first.to_owned()) } else { exported.get(first).cloned() };
                if let Some(target) = target.filter(|t| t != module) {
                    uses.insert(target);
                }
            }
        }
        graph.insert(module.clone(), uses);
    }
    graph
}

/// A cycle of the graph, if it has one, as the path that closes it.
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(node: &str, graph: &Graph, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|start| visit(start, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_of_the_rules_uses_one_that_uses_it() {
    let graph = graph(&sources());
    assert!(graph["messages"].contains("error") && graph["login"].contains("refusal"), "the reader finds uses: {graph:?}");
    if let Some(found) = cycle(&graph) {
        panic!("module cycle: {}", found.join(" → "));
    }
}

#[test]
fn a_cycle_is_found_where_there_is_one() {
    let mut sources = BTreeMap::new();
    sources.insert("lib".to_owned(), "pub use b::Thing;\n".to_owned());
    sources.insert("a".to_owned(), "use crate::Thing;\n".to_owned());
    sources.insert("b".to_owned(), "use crate::{c::x, y};\n// use crate::a;\n".to_owned());
    sources.insert("c".to_owned(), "fn f() { crate::a::g() }\n#[cfg(test)]\nmod tests { use crate::b; }\n".to_owned());
    let graph = graph(&sources);
    assert_eq!(cycle(&graph), Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned(), "a".to_owned()]));
    sources.insert("c".to_owned(), "#[cfg(test)]\nmod tests { use crate::a; }\n".to_owned());
    assert_eq!(cycle(&super::module_graph::graph(&sources)), None, "tests and comments are not uses");
}
