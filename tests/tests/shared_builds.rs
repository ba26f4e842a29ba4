//! The README's two commands compile each dependency once. cargo builds a dependency once
//! per feature set, and it resolves features per invocation: `cargo run -p mp-demo` builds the
//! demo on its own, the demo then builds the examples together with itself, and
//! `cargo test --workspace` unifies every member's features with the test suites' and
//! benchmarks' dev-dependencies. The tests build the examples as the demo does, and as they
//! ship (`example_builds`). Every feature set any of these builds gives a dependency must
//! be one the test build gives it too, or the test command compiles it (and everything above
//! it, the AWS SDK included) a second time. The demo's manifest pins what differs.

use std::collections::{BTreeMap, BTreeSet};

#[test]
fn the_test_command_reuses_every_dependency_the_demo_builds() {
    let demo_build = |local_testing| {
        let mut args = crate::example_builds::demo_build_args(local_testing);
        args.extend(["-e".to_owned(), "normal,build".to_owned()]);
        args
    };
    let (local_testing, production) = (demo_build(true), demo_build(false));

    let test_build = feature_sets(&["--workspace", "-e", "normal,build,dev"]);
    let mut missing = Vec::new();
    for (build, args) in [
        (
            "`cargo run -p mp-demo`",
            &["-p", "mp-demo", "-e", "normal,build"][..],
        ),
        (
            "the demo's build of the examples",
            &strs(&local_testing)[..],
        ),
        (
            "the tests' production build of the examples",
            &strs(&production)[..],
        ),
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

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
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
