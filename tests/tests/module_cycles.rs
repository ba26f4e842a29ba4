//! No import cycles between the modules of any workspace crate: modules import downward
//! only. Prints every cycle found (crate, modules, one written path per edge with its
//! file and line), and fails on a cycle in a checked crate.

use crate::module_graph::{Cycle, Disk, OWN_ITEMS, cycles};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Cycles a crate's shape requires, each exactly (crate, level, modules) and why.
const ACCEPTED: &[(&str, &str, &[&str], &str)] = &[(
    "ecs-contract",
    "",
    &[OWN_ITEMS, "app"],
    "#[marketplace_main] generates the tiers enum `Plan` in main.rs, which `app` names",
)];

#[test]
fn workspace_crates_have_no_module_cycles() {
    let workspace = crate::root();
    let roots = target_roots();
    let mut failing = Vec::new();
    let mut seen_accepted = Vec::new();
    for (package, root) in &roots {
        let found = cycles(root, &Disk).unwrap_or_else(|e| panic!("{package}: {e}"));
        for cycle in &found {
            let accepted = ACCEPTED.iter().find(|(name, level, modules, _)| {
                name == package && cycle.level.join("::") == *level && cycle.modules == *modules
            });
            match accepted {
                Some(entry @ (.., why)) => {
                    println!("accepted: {why}");
                    seen_accepted.push(entry);
                }
                None => failing.push(format!("{package} {}", level_name(cycle))),
            }
            println!("{}", describe(package, root, cycle, &workspace));
        }
    }
    for entry in ACCEPTED {
        assert!(
            seen_accepted.contains(&entry),
            "accepted cycle no longer found: {entry:?}"
        );
    }
    assert!(
        failing.is_empty(),
        "module cycles (printed above) in: {}",
        failing.join(", ")
    );
}

/// Each workspace package's library, proc-macro and binary roots, from `cargo metadata`.
fn target_roots() -> Vec<(String, PathBuf)> {
    let stdout = crate::cargo_stdout(&["metadata", "--no-deps", "--format-version", "1"]);
    let metadata: serde_json::Value = serde_json::from_slice(&stdout).expect("metadata JSON");
    let mut roots = Vec::new();
    for package in metadata["packages"].as_array().expect("packages") {
        let name = package["name"].as_str().expect("package name");
        for target in package["targets"].as_array().expect("targets") {
            let kinds = target["kind"].as_array().expect("target kinds");
            if kinds
                .iter()
                .any(|k| matches!(k.as_str(), Some("lib" | "proc-macro" | "bin")))
            {
                let root = PathBuf::from(target["src_path"].as_str().expect("src_path"));
                roots.push((name.to_string(), root));
            }
        }
    }
    roots.sort();
    roots
}

fn describe(package: &str, root: &Path, cycle: &Cycle, workspace: &Path) -> String {
    let level = if cycle.level.is_empty() {
        "root".into()
    } else {
        cycle.level.join("::")
    };
    let mut out = format!(
        "{package} ({}) {level}: {} modules in one cycle: {}",
        shown(root, workspace),
        cycle.modules.len(),
        cycle.modules.join(" ")
    );
    for edge in &cycle.edges {
        out += &format!(
            "\n    {} -> {}   {}:{}   {}",
            edge.from,
            edge.to,
            shown(&edge.file, workspace),
            edge.line,
            edge.written
        );
    }
    out
}

fn level_name(cycle: &Cycle) -> String {
    match cycle.level.is_empty() {
        true => "root".into(),
        false => cycle.level.join("::"),
    }
}

fn shown(path: &Path, workspace: &Path) -> String {
    path.strip_prefix(workspace)
        .unwrap_or(path)
        .display()
        .to_string()
}

// The checker itself, on small crates held in memory.

fn crate_of(files: &[(&str, &str)]) -> BTreeMap<PathBuf, String> {
    files
        .iter()
        .map(|(path, text)| (PathBuf::from(path), text.to_string()))
        .collect()
}

fn cycles_in(files: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
    cycles(Path::new("src/lib.rs"), &crate_of(files))
        .expect("the crate reads")
        .into_iter()
        .map(|cycle| (cycle.level.join("::"), cycle.modules))
        .collect()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn siblings_naming_each_other_are_a_cycle() {
    let found = cycles_in(&[
        ("src/lib.rs", "mod a; mod b; mod c;"),
        ("src/a.rs", "use crate::b::B; pub struct A;"),
        ("src/b.rs", "pub struct B; pub fn f() { crate::c::g() }"),
        ("src/c.rs", "pub fn g() { let _ = super::a::A; }"),
    ]);
    assert_eq!(found, vec![(String::new(), names(&["a", "b", "c"]))]);
}

#[test]
fn modules_importing_downward_only_are_no_cycle() {
    let found = cycles_in(&[
        ("src/lib.rs", "mod a; mod b; mod c; pub use a::A;"),
        ("src/a.rs", "use crate::b::B; pub struct A(B);"),
        ("src/b.rs", "pub struct B; pub fn f() { crate::c::g() }"),
        ("src/c.rs", "pub fn g() {}"),
    ]);
    assert_eq!(found, vec![]);
}

#[test]
fn test_modules_and_test_only_items_are_not_read() {
    let found = cycles_in(&[
        ("src/lib.rs", "mod a; mod b; #[cfg(test)] mod helpers;"),
        (
            "src/a.rs",
            "use crate::b::B; #[cfg(test)] mod tests { use crate::b::B; }",
        ),
        (
            "src/b.rs",
            "pub struct B;
             #[cfg(test)] use crate::a;
             #[cfg(all(test, unix))] fn only_in_tests() { crate::a::f() }
             mod tests { fn t() { crate::a::f() } }
             impl B { #[cfg(test)] fn t() { crate::a::f() } }",
        ),
        // Never read: a file declared only under cfg(test) may even be missing.
    ]);
    assert_eq!(found, vec![]);
}

#[test]
fn cfg_not_test_is_code() {
    let found = cycles_in(&[
        ("src/lib.rs", "mod a; mod b;"),
        ("src/a.rs", "use crate::b::B; pub fn f() {}"),
        (
            "src/b.rs",
            "pub struct B; #[cfg(not(test))] fn g() { crate::a::f() }",
        ),
    ]);
    assert_eq!(found, vec![(String::new(), names(&["a", "b"]))]);
}

#[test]
fn a_child_using_its_parents_items_is_an_edge_to_the_parent() {
    // `license` dispatches to `checkout`, which takes a helper from `license` itself.
    let found = cycles_in(&[
        ("src/lib.rs", "mod license;"),
        (
            "src/license/mod.rs",
            "mod checkout; pub fn route() { checkout::handle() } fn iso() {}",
        ),
        (
            "src/license/checkout.rs",
            "pub fn handle() { super::iso() }",
        ),
    ]);
    assert_eq!(
        found,
        vec![("license".into(), names(&[OWN_ITEMS, "checkout"]))]
    );
}

#[test]
fn a_re_export_counts_as_the_module_behind_it() {
    // `crate::Platform` is `env::Platform`: `state` naming it depends on `env`.
    let found = cycles_in(&[
        ("src/lib.rs", "mod env; mod state; pub use env::Platform;"),
        (
            "src/env.rs",
            "pub enum Platform {} pub fn f() { crate::state::g() }",
        ),
        ("src/state.rs", "use crate::Platform; pub fn g() {}"),
    ]);
    assert_eq!(found, vec![(String::new(), names(&["env", "state"]))]);
}

#[test]
fn paths_inside_macro_calls_and_inline_modules_count() {
    let found = cycles_in(&[
        (
            "src/lib.rs",
            "mod outer { pub mod a { pub fn f() {} } pub mod b; }",
        ),
        (
            "src/outer/b.rs",
            "pub fn g() { println!(\"{}\", super::a::f()); }",
        ),
        ("src/outer/a/mod.rs", ""),
    ]);
    assert_eq!(found, vec![]);
    let found = cycles_in(&[
        (
            "src/lib.rs",
            "mod outer { pub mod a { pub fn f() { super::b::g() } } pub mod b; }",
        ),
        (
            "src/outer/b.rs",
            "pub fn g() { println!(\"{:?}\", super::a::f()); }",
        ),
    ]);
    assert_eq!(found, vec![("outer".into(), names(&["a", "b"]))]);
}

#[test]
fn paths_in_attribute_arguments_count_and_visibilities_do_not() {
    // clap calls the parser the attribute names: `run` depends on `args`.
    let found = cycles_in(&[
        ("src/lib.rs", "mod args; mod run;"),
        (
            "src/args.rs",
            "pub(crate) fn parse(_: &str) {} fn f() { crate::run::g() }",
        ),
        (
            "src/run.rs",
            "#[arg(value_parser = super::args::parse)] pub(crate) fn g() {}",
        ),
    ]);
    assert_eq!(found, vec![(String::new(), names(&["args", "run"]))]);
    // `pub(crate)`, `pub(super)` and `pub(in crate::a)` say who may look: no edge.
    let found = cycles_in(&[
        ("src/lib.rs", "mod a; mod b;"),
        (
            "src/a.rs",
            "pub(in crate::a) fn f() {} pub(crate) fn g() { crate::b::h() }",
        ),
        ("src/b.rs", "pub(super) fn h() {} pub(crate) struct S;"),
    ]);
    assert_eq!(found, vec![]);
}

#[test]
fn an_edge_is_reported_with_its_file_and_line() {
    let sources = crate_of(&[
        ("src/lib.rs", "mod a;\nmod b;"),
        (
            "src/a.rs",
            "pub fn f() {}\npub fn g() {\n    crate::b::h()\n}",
        ),
        ("src/b.rs", "use crate::a::f;\npub fn h() { f() }"),
    ]);
    let found = cycles(Path::new("src/lib.rs"), &sources).expect("reads");
    let edges: Vec<_> = found[0]
        .edges
        .iter()
        .map(|e| {
            (
                e.from.as_str(),
                e.to.as_str(),
                e.file.display().to_string(),
                e.line,
                e.written.as_str(),
            )
        })
        .collect();
    assert_eq!(
        edges,
        vec![
            ("a", "b", "src/a.rs".into(), 3, "crate::b::h"),
            ("b", "a", "src/b.rs".into(), 1, "crate::a::f"),
        ]
    );
}

#[test]
fn a_declared_module_without_a_file_is_an_error() {
    let error = cycles(
        Path::new("src/lib.rs"),
        &crate_of(&[("src/lib.rs", "mod gone;")]),
    )
    .err()
    .expect("an error");
    assert!(error.contains("mod gone;"), "{error}");
}
