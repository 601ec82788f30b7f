//! The environment variables of the house: every `KAIGO_…` name the code
//! reads is listed in `ENVIRONMENT.md` with what it does, and every name
//! listed there is still read somewhere.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Where the list is kept, from the repository's root.
pub const LIST: &str = "ENVIRONMENT.md";

static NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bKAIGO_[A-Z0-9_]*[A-Z0-9]\b").expect("a valid pattern"));

/// Every `KAIGO_…` name in the files, with the first file naming it.
pub fn names_in(files: &[(PathBuf, String)]) -> BTreeMap<String, PathBuf> {
    let mut names = BTreeMap::new();
    for (path, text) in files {
        for found in NAME.find_iter(text) {
            names.entry(found.as_str().to_owned()).or_insert_with(|| path.clone());
        }
    }
    names
}

/// The names the list's tables give, in their first column (`| \`NAME\` | …`).
pub fn listed(list: &str) -> Vec<String> {
    list.lines().filter_map(|line| line.strip_prefix("| `")?.split_once('`').map(|(name, _)| name.to_owned())).collect()
}

/// What is wrong between the code and the list, or `None`.
pub fn disagreement(root: &Path) -> Option<String> {
    let list = std::fs::read_to_string(root.join(LIST)).unwrap_or_default();
    let read = names_in(&crate::house_files(root));
    let listed = listed(&list);
    let mut problems = Vec::new();
    for (name, file) in &read {
        if !listed.contains(name) {
            problems.push(format!("  {name} (read in {}) is not in {LIST}: add a row saying what it does", file.display()));
        }
    }
    let mut seen = BTreeSet::new();
    for name in &listed {
        if !seen.insert(name) {
            problems.push(format!("  {name} is listed twice in {LIST}"));
        } else if name.starts_with("KAIGO_") && !read.contains_key(name) {
            problems.push(format!("  {name} is in {LIST} but nothing reads it any more: remove its row"));
        }
    }
    (!problems.is_empty()).then(|| format!("the environment's variables and {LIST} disagree:\n{}", problems.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn every_variable_the_code_reads_is_listed_with_what_it_does_and_no_other() {
        if let Some(report) = disagreement(&repo()) {
            panic!("{report}");
        }
    }

    /// The name spelt here by parts, so that this file's own text holds no
    /// name the check above would find.
    fn name(tail: &str) -> String {
        format!("{}_{tail}", "KAIGO")
    }

    #[test]
    fn a_variable_added_to_a_script_or_left_in_the_list_fails_the_check() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("scripts")).unwrap();
        let (used, new, gone) = (name("USED"), name("NEW_ONE"), name("GONE"));
        std::fs::write(root.path().join("scripts/run.sh"), format!("echo \"${{{used}:-x}}\"\n")).unwrap();
        let table = |rows: &[&str]| {
            let rows: String = rows.iter().map(|n| format!("| `{n}` | scripts/run.sh | Says x. |\n")).collect();
            format!("# Environment\n\n| Variable | Read by | What it does |\n|---|---|---|\n{rows}")
        };
        std::fs::write(root.path().join(LIST), table(&[&used])).unwrap();
        assert_eq!(disagreement(root.path()), None);

        std::fs::write(root.path().join("scripts/run.sh"), format!("echo \"${{{used}:-x}} ${new}\"\n")).unwrap();
        let report = disagreement(root.path()).expect("the new variable is found");
        assert!(report.contains(&format!("{new} (read in scripts/run.sh) is not in")), "{report}");

        std::fs::write(root.path().join(LIST), table(&[&used, &new, &gone, &used])).unwrap();
        let report = disagreement(root.path()).expect("the stale and doubled rows are found");
        assert!(report.contains(&format!("{gone} is in {LIST} but nothing reads it")), "{report}");
        assert!(report.contains(&format!("{used} is listed twice")), "{report}");
    }

    #[test]
    fn names_are_read_whole_and_only_from_the_tables_first_column() {
        let files = vec![(PathBuf::from("a.sh"), format!("{}=1 ${{{}:-}} {}_", name("A"), name("B_C"), "KAIGO"))];
        assert_eq!(names_in(&files).keys().cloned().collect::<Vec<_>>(), [name("A"), name("B_C")]);
        let list = format!("| `{}` | x | Also `{}`. |\ntext `{}`\n", name("A"), name("B"), name("C"));
        assert_eq!(listed(&list), [name("A")]);
    }
}
