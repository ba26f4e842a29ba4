//! Checks of the workspace's shape rather than of its behaviour: modules import downward only,
//! and the README's two commands compile each dependency once.

mod deploy_support;
mod example_builds;
mod module_cycles;
mod module_graph;
mod shared_builds;

use deploy_support::root;
use std::process::Command;

/// What `cargo <args>` prints in the workspace, offline; fails the test when cargo fails.
fn cargo_stdout(args: &[&str]) -> Vec<u8> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .arg("--offline")
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}
