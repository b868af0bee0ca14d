//! The dependency rules of `../shared/STYLE.md`, checked on the source: the numeric core imports
//! no egui, and the panels import from the app only its leaf modules, which import nothing of
//! the panels or of the rest of the app (so there is no `app` ↔ `ui` cycle).

use std::collections::BTreeSet;
use std::path::Path;

/// The app's modules the panels may import.
const LEAVES: [&str; 3] = ["commands", "settings", "presets"];

/// Every `.rs` file under `dir`, with its text.
pub fn sources(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = code(&std::fs::read_to_string(&path).unwrap());
                out.push((path.display().to_string(), text));
            }
        }
    }
    assert!(!out.is_empty(), "no sources under {dir}");
    out
}

/// `text` without its comments (doc links are not imports).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names that follow `prefix` in `text`: `a` in `prefix a::…` and `a`, `b` in
/// `prefix {a, b::…}`.
fn names_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in text.match_indices(prefix) {
        let rest = &text[at + prefix.len()..];
        let parts: Vec<&str> = match rest.strip_prefix('{') {
            Some(inner) => inner[..inner.find('}').unwrap_or(inner.len())]
                .split(',')
                .collect(),
            None => vec![rest],
        };
        for part in parts {
            let name: String = part
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

#[test]
fn the_numeric_core_imports_no_egui() {
    for dir in ["src/nn", "src/data", "src/train"] {
        for (path, text) in sources(dir) {
            assert!(!text.contains("egui"), "{path} mentions egui");
        }
    }
}

#[test]
fn the_panels_import_only_the_apps_leaf_modules() {
    for (path, text) in sources("src/ui") {
        for name in names_after(&text, "crate::app::") {
            assert!(
                LEAVES.contains(&name.as_str()),
                "{path} imports crate::app::{name}; the panels may import only {LEAVES:?}"
            );
        }
    }
}

#[test]
fn the_apps_leaf_modules_import_nothing_of_the_panels_or_the_rest_of_the_app() {
    for leaf in LEAVES {
        let path = format!("{}/src/app/{leaf}.rs", env!("CARGO_MANIFEST_DIR"));
        let text = code(&std::fs::read_to_string(&path).unwrap());
        assert!(!text.contains("crate::ui"), "{path} imports the panels");
        let used: BTreeSet<String> = names_after(&text, "super::")
            .into_iter()
            .chain(names_after(&text, "crate::app::"))
            .collect();
        for name in used {
            assert!(
                LEAVES.contains(&name.as_str()),
                "{path} imports app's {name}, which is not a leaf module"
            );
        }
    }
}

#[test]
fn the_import_scanner_sees_grouped_and_single_imports() {
    let text = "use crate::app::{commands::Command, settings};\nuse crate::app::session::Session, x;\n\
                // crate::app::Command";
    let text = code(text);
    let names = names_after(&text, "crate::app::");
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        ["commands", "session", "settings"]
    );
}
