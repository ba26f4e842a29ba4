//! Checks of the workspace's shape rather than of its behaviour: modules import downward only,
//! and the README's two commands compile each dependency once.

mod example_builds;
mod module_cycles;
mod module_graph;
mod shared_builds;

use std::path::Path;
use std::process::Command;

/// The workspace's root directory.
fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
}

/// What `cargo <args>` prints in the workspace, offline; fails the test when cargo fails.
fn cargo_stdout(args: &[&str]) -> Vec<u8> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .arg("--offline")
        .current_dir(workspace())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}
