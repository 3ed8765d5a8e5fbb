//! The shape of `src/` (ARCHITECTURE.md): each stage imports only the stages below it, and no
//! two files import each other, directly or round a loop. Read from the source itself: every
//! `use crate::…`/`use super::…` is resolved to the file that defines the item, through the
//! `pub use` re-exports of each folder's `mod.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages, lowest first: a stage may import only those before it.
const STAGES: [&str; 16] = [
    "diag", "model", "stats", "load", "expr", "template", "check", "data", "eval", "plan", "render", "ledger",
    "results", "run", "serve", "cli",
];

/// One source file: its module path (`["data", "events"]`) and its text without comments.
struct SourceFile {
    module: Vec<String>,
    is_folder: bool,
    code: String,
}

fn source_files() -> BTreeMap<PathBuf, SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("src is readable") {
            let path = entry.expect("a directory entry").path();
            let relative = path.strip_prefix(&root).expect("inside src").to_path_buf();
            if path.is_dir() {
                if relative != Path::new("bin") {
                    folders.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || relative == Path::new("main.rs") {
                continue;
            }
            let mut module: Vec<String> = relative
                .with_extension("")
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let is_folder = matches!(module.last().map(String::as_str), Some("mod" | "lib"));
            if is_folder {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).expect("a source file is readable");
            // Unit tests sit at the end of a file; what they import is not the file's.
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            let code = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            files.insert(
                relative,
                SourceFile {
                    module,
                    is_folder,
                    code,
                },
            );
        }
    }
    files
}

/// Every path a `use` statement names, braces expanded: `a::{b, c::d}` is `a::b`, `a::c::d`.
fn use_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = &rest[..at];
        rest = &rest[at + 4..];
        if before.chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = rest.find(';') else { break };
        let statement: String = rest[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if statement.starts_with("crate::") || statement.starts_with("super::") || statement.starts_with("self::") {
            expand(&statement, &mut paths);
        }
        rest = &rest[end..];
    }
    paths
}

fn expand(statement: &str, paths: &mut Vec<Vec<String>>) {
    let Some(open) = statement.find('{') else {
        let name = statement.split("as").next().unwrap_or(statement);
        paths.push(
            name.split("::")
                .filter(|s| !s.is_empty() && *s != "*")
                .map(String::from)
                .collect(),
        );
        return;
    };
    let head = &statement[..open];
    let body = &statement[open + 1..statement.rfind('}').unwrap_or(statement.len())];
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&format!("{head}{}", &body[start..i]), paths);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < body.len() {
        expand(&format!("{head}{}", &body[start..]), paths);
    }
}

/// Items a folder's `mod.rs` re-exports, by name: `pub use events::{EVENT_ID, load}`.
fn re_exports(files: &BTreeMap<PathBuf, SourceFile>) -> BTreeMap<(Vec<String>, String), Vec<String>> {
    let mut exports = BTreeMap::new();
    for file in files.values().filter(|f| f.is_folder) {
        for line in file.code.lines().map(str::trim) {
            let Some(statement) = line
                .strip_prefix("pub use ")
                .or_else(|| line.strip_prefix("pub(crate) use "))
            else {
                continue;
            };
            let mut paths = Vec::new();
            expand(statement.trim_end_matches(';').replace(' ', "").as_str(), &mut paths);
            for path in paths {
                let (Some(child), Some(item)) = (path.first(), path.last()) else {
                    continue;
                };
                if path.len() >= 2 && child != "crate" {
                    let mut target = file.module.clone();
                    target.push(child.clone());
                    exports.insert((file.module.clone(), item.clone()), target);
                }
            }
        }
    }
    exports
}

/// The files each file imports from, resolved through re-exports.
fn file_imports(files: &BTreeMap<PathBuf, SourceFile>) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let modules: BTreeSet<Vec<String>> = files.values().map(|f| f.module.clone()).collect();
    let exports = re_exports(files);
    let mut imports: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in files.values() {
        let own_folder = if file.is_folder {
            file.module.clone()
        } else {
            file.module[..file.module.len() - 1].to_vec()
        };
        for path in use_paths(&file.code) {
            let mut resolved: Vec<String> = Vec::new();
            let mut parts = path.iter().peekable();
            match parts.next().map(String::as_str) {
                Some("crate") => {}
                Some("self") => resolved = file.module.clone(),
                Some("super") => {
                    resolved = own_folder.clone();
                    while parts.peek().is_some_and(|p| *p == "super") {
                        resolved.pop();
                        parts.next();
                    }
                }
                _ => continue,
            }
            let rest: Vec<String> = parts.cloned().collect();
            let mut target = resolved.clone();
            let mut item = None;
            for part in rest {
                let mut deeper = target.clone();
                deeper.push(part.clone());
                if modules.contains(&deeper) {
                    target = deeper;
                } else {
                    item = Some(part);
                    break;
                }
            }
            // An item a folder re-exports lives in the file that defines it.
            while let Some(found) = item.as_ref().and_then(|i| exports.get(&(target.clone(), i.clone()))) {
                if !modules.contains(found) || *found == target {
                    break;
                }
                target = found.clone();
            }
            if target != file.module && !target.is_empty() {
                imports.entry(file.module.clone()).or_default().insert(target);
            }
        }
    }
    imports
}

fn stage_rank(module: &[String]) -> Option<usize> {
    STAGES.iter().position(|s| module.first().is_some_and(|m| m == s))
}

#[test]
fn stages_import_only_the_stages_below_them() {
    let files = source_files();
    let imports = file_imports(&files);
    let mut upward = Vec::new();
    for (from, targets) in &imports {
        for to in targets {
            if let (Some(a), Some(b)) = (stage_rank(from), stage_rank(to)) {
                if b > a {
                    upward.push(format!("{} imports {}", from.join("::"), to.join("::")));
                }
            }
        }
    }
    let folders: BTreeSet<&str> = files
        .values()
        .filter_map(|f| f.module.first().map(String::as_str))
        .collect();
    for folder in folders {
        assert!(
            STAGES.contains(&folder) || folder == "lib",
            "`src/{folder}` is not a stage in STAGES"
        );
    }
    assert!(
        upward.is_empty(),
        "lower stages import higher ones:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_two_files_import_each_other_round_a_loop() {
    let imports = file_imports(&source_files());
    // Depth-first search with colours; a grey node reached again closes a loop.
    fn visit<'a>(
        node: &'a Vec<String>,
        imports: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        colour: &mut BTreeMap<&'a Vec<String>, bool>,
        stack: &mut Vec<&'a Vec<String>>,
        loops: &mut Vec<String>,
    ) {
        colour.insert(node, false);
        stack.push(node);
        for next in imports.get(node).into_iter().flatten() {
            match colour.get(next) {
                None => visit(next, imports, colour, stack, loops),
                Some(false) => {
                    let from = stack.iter().position(|n| *n == next).unwrap_or(0);
                    let names: Vec<String> = stack[from..].iter().map(|m| m.join("::")).collect();
                    loops.push(format!("{} -> {}", names.join(" -> "), next.join("::")));
                }
                Some(true) => {}
            }
        }
        stack.pop();
        colour.insert(node, true);
    }
    let mut colour = BTreeMap::new();
    let mut loops = Vec::new();
    for node in imports.keys() {
        if !colour.contains_key(node) {
            visit(node, &imports, &mut colour, &mut Vec::new(), &mut loops);
        }
    }
    assert!(
        imports.len() > 100,
        "the import graph was not read: {} files",
        imports.len()
    );
    assert!(
        loops.is_empty(),
        "files import each other in a loop:\n{}",
        loops.join("\n")
    );
}
