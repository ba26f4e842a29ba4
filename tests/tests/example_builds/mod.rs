//! Building the example services the way the demo builds them. cargo builds a dependency
//! once per feature set and resolves features per invocation, so a test that built one example
//! on its own would compile the AWS SDK again for that example's feature set. Built together
//! with the demo, the examples take the dependency builds the demo and the test build already
//! made (`shared_builds.rs` keeps those equal), and a test's build costs a link at most.

// Each test binary that includes this module uses part of it.
#![allow(dead_code)]

use crate::deploy_support::root;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the demo passes to its `service::build`, in its source.
const DEMO_BUILD_CALL: &str = "service::build([";

/// The examples the demo builds, read from its call to `service::build`.
pub(crate) fn demo_examples() -> Vec<String> {
    let main = std::fs::read_to_string(root().join("examples/demo/src/main.rs"))
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

/// The packages and features of the demo's build of the examples: the demo and every
/// example, with each example's `local-testing` feature when `local_testing`.
pub(crate) fn demo_build_args(local_testing: bool) -> Vec<String> {
    let examples = demo_examples();
    let mut args = vec!["-p".to_owned(), "mp-demo".to_owned()];
    for example in &examples {
        args.extend(["-p".to_owned(), example.clone()]);
    }
    if local_testing {
        let features: Vec<String> = examples
            .iter()
            .map(|example| format!("{example}/local-testing"))
            .collect();
        args.extend(["--features".to_owned(), features.join(",")]);
    }
    args
}

/// The workspace's target directory: the one this test binary was built in
/// (`target/<profile>/deps/<this test>`).
pub(crate) fn target_dir() -> PathBuf {
    let profile_dir = profile_dir();
    profile_dir
        .parent()
        .expect("target/<profile>")
        .to_path_buf()
}

/// The directory of this profile's binaries in the workspace's target directory.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.ancestors()
        .nth(2)
        .expect("target/<profile>/deps/<test>")
        .to_path_buf()
}

/// Builds the examples with `local-testing`, as the demo does, and returns `package`'s binary
/// in the workspace's target directory (where `cargo run -p mp-demo` leaves it).
pub(crate) fn build_example(package: &str) -> PathBuf {
    cargo_build(demo_build_args(true), package, None);
    profile_dir().join(package)
}

/// Builds the examples as they ship (no `local-testing`), together as the demo builds them,
/// and returns `package`'s binary in `dir`. Only the compiled dependencies are shared with
/// the workspace's target directory (cargo's build directory); the binaries land in `dir`,
/// so a production build never replaces a local-testing one another test is about to run.
pub(crate) fn build_production_example(package: &str, dir: &Path) -> PathBuf {
    cargo_build(demo_build_args(false), package, Some(dir));
    let profile = profile_dir();
    let profile = profile.file_name().expect("profile name");
    dir.join(profile).join(package)
}

/// `cargo build` of the demo's set with `args`, linking only `package`'s binary (the packages
/// selected, not the binaries built, decide the features).
fn cargo_build(args: Vec<String>, package: &str, binaries_in: Option<&Path>) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--locked"])
        .args(&args)
        .args(["--bin", package])
        .current_dir(root());
    if let Some(dir) = binaries_in {
        command
            .env("CARGO_TARGET_DIR", dir)
            .env("CARGO_BUILD_BUILD_DIR", target_dir());
    }
    let status = command.status().expect("running cargo build");
    assert!(status.success(), "cargo build {}: {status}", args.join(" "));
}
