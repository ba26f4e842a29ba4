//! The README's two commands compile each dependency once. cargo builds a dependency once
//! per feature set, and it resolves features per invocation: `cargo run -p mp-demo` builds the
//! demo on its own, the demo then builds the examples together with itself, and
//! `cargo test --workspace` unifies every member's features with the test suites' and
//! benchmarks' dev-dependencies. Every feature set either demo build gives a dependency must
//! be one the test build gives it too, or the test command compiles it (and everything above
//! it, the AWS SDK included) a second time. The demo's manifest pins what differs.

use std::collections::{BTreeMap, BTreeSet};

/// What the demo passes to its `service::build`, in its source.
const DEMO_BUILD_CALL: &str = "service::build([";

#[test]
fn the_test_command_reuses_every_dependency_the_demo_builds() {
    let examples = demo_examples();
    let mut with_examples = vec!["-p", "mp-demo"];
    for example in &examples {
        with_examples.extend(["-p", example]);
    }
    let features: Vec<String> = examples
        .iter()
        .map(|example| format!("{example}/local-testing"))
        .collect();
    let features = features.join(",");
    with_examples.extend(["--features", &features, "-e", "normal,build"]);

    let test_build = feature_sets(&["--workspace", "-e", "normal,build,dev"]);
    let mut missing = Vec::new();
    for (build, args) in [
        (
            "`cargo run -p mp-demo`",
            &["-p", "mp-demo", "-e", "normal,build"][..],
        ),
        ("the demo's build of the examples", &with_examples[..]),
    ] {
        for (package, sets) in feature_sets(args) {
            for set in sets {
                let built = test_build.get(&package);
                if !built.is_some_and(|built| built.contains(&set)) {
                    let built = built.map_or("not at all".to_owned(), |sets| {
                        let sets: Vec<String> = sets.iter().map(|s| format!("[{s}]")).collect();
                        format!("only with {}", sets.join(" "))
                    });
                    missing.push(format!(
                        "{build} builds {package} with [{set}], the test build {built}"
                    ));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "cargo test would build these again; pin the features the test build adds in \
         examples/demo/Cargo.toml:\n{}",
        missing.join("\n")
    );
}

/// The examples the demo builds, read from its call to `service::build`.
fn demo_examples() -> Vec<String> {
    let main = std::fs::read_to_string(crate::workspace().join("examples/demo/src/main.rs"))
        .expect("examples/demo/src/main.rs");
    let start = main
        .find(DEMO_BUILD_CALL)
        .expect("the demo calls service::build")
        + DEMO_BUILD_CALL.len();
    let list = &main[start..start + main[start..].find(']').expect("the list ends")];
    let examples: Vec<String> = list
        .split(',')
        .map(|name| name.trim().trim_matches('"').to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    assert!(
        !examples.is_empty(),
        "no example in the demo's build: {list}"
    );
    examples
}

/// Each registry dependency's feature sets in the build `cargo tree` resolves with `args`
/// (host and target builds apart: a proc macro's name carries "(proc-macro)").
fn feature_sets(args: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut tree = vec!["tree", "--locked", "--prefix", "none", "-f", "{p}|{f}"];
    tree.extend(args);
    let stdout = crate::cargo_stdout(&tree);
    let mut sets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&stdout).lines() {
        let Some((package, features)) = line.split_once('|') else {
            continue;
        };
        // The workspace's own packages are rebuilt by design (the test build turns on
        // features of theirs no seller build has); a path in the name marks them.
        if package.contains(" (/") {
            continue;
        }
        let features = features.trim_end_matches(" (*)").to_owned();
        sets.entry(package.to_owned()).or_default().insert(features);
    }
    sets
}
