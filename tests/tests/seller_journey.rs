//! A seller outside this workspace. The shell blocks of docs/quick-start.md run verbatim in
//! an empty temporary directory (this checkout linked where the quick start clones it): the
//! emulator is installed with `cargo install`, a new crate is created and run under it, then
//! built for release. Then an example is copied out the way the deployment guide says, built
//! on its own and run under the installed emulator. Each run's ledger is checked.
//!
//! Everything talks to 127.0.0.1, and cargo runs offline. Two things differ from a seller's
//! shell, both to share the workspace's compiled dependencies rather than to change what is
//! proved: one line added before a new crate's first build copies this workspace's
//! `Cargo.lock` into it (cargo then resolves the versions the workspace tests, not whatever
//! else the machine's cache holds), and cargo's build directory (`CARGO_BUILD_BUILD_DIR`) is
//! the workspace's target dir, so a dependency built there with the same features is not
//! built again. The binaries land in `target/tests/journey`.

mod deploy_support;
mod example_builds;
mod http_support;
mod service_support;

use deploy_support::root;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The section of the quick start whose shell blocks are the journey.
const SECTION: &str = "## Your own service, from an empty directory";
/// Where the quick start clones the framework; the test links this checkout there instead.
const CLONE_PREFIX: &str = "git clone ";
const CHECKOUT_DIR: &str = "marketplace-metering";

/// The `sh` blocks of `section` in `markdown`, in order, each without the indentation of its
/// fence (blocks inside list items are indented; pasted from the rendered page they are not,
/// and a heredoc's terminator must start its line).
fn shell_blocks(markdown: &str, section: &str) -> Vec<String> {
    let start = markdown
        .find(section)
        .unwrap_or_else(|| panic!("docs/quick-start.md has no `{section}` section"));
    let body = &markdown[start + section.len()..];
    let body = &body[..body.find("\n## ").unwrap_or(body.len())];
    let mut blocks = Vec::new();
    let mut lines = body.lines();
    while let Some(line) = lines.next() {
        let Some(indent) = line.find("```sh") else {
            continue;
        };
        if !line[..indent].trim().is_empty() {
            continue;
        }
        let mut block = String::new();
        for line in lines.by_ref() {
            if line.trim_start().starts_with("```") {
                break;
            }
            block.push_str(line.get(indent..).unwrap_or("").trim_end_matches('\r'));
            block.push('\n');
        }
        blocks.push(block);
    }
    blocks
}

/// `lines` as one script, with the workspace's lock file copied in before the first command
/// that builds (see the module's comment).
fn script<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let mut script = String::from("set -euo pipefail\nset -x\n");
    let mut pinned = false;
    for line in lines {
        if !pinned && (line.starts_with("cargo build") || line.contains("cargo run")) {
            let lock = root().join("Cargo.lock");
            script.push_str(&format!("cp '{}' Cargo.lock\n", lock.display()));
            pinned = true;
        }
        script.push_str(line);
        script.push('\n');
    }
    assert!(pinned, "no build in the script:\n{script}");
    script
}

/// The quick start as one script, with the clone replaced by a link to this checkout.
fn quick_start_script(markdown: &str) -> String {
    let blocks = shell_blocks(markdown, SECTION);
    assert!(
        blocks.len() >= 4,
        "the quick start lost its steps: {blocks:#?}"
    );
    let mut lines = Vec::new();
    let mut cloned = false;
    for block in &blocks {
        for line in block.lines() {
            if line.starts_with(CLONE_PREFIX) {
                assert!(
                    line.trim_end().ends_with(CHECKOUT_DIR),
                    "the quick start must clone into `{CHECKOUT_DIR}`: {line}"
                );
                lines.push(format!("ln -s '{}' {CHECKOUT_DIR}", root().display()));
                cloned = true;
            } else {
                lines.push(line.to_owned());
            }
        }
    }
    assert!(
        cloned,
        "the quick start no longer says where the framework comes from"
    );
    script(lines.iter().map(String::as_str))
}

/// An empty directory outside the workspace (so cargo finds no workspace above it), with
/// the environment a seller's shell would have: its own install root on PATH, no AWS
/// settings of this machine, the workspace's build directory.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("mp-seller-journey")
            .tempdir_in(std::env::temp_dir())
            .expect("temporary directory");
        assert!(
            !dir.path().starts_with(root()),
            "the journey must run outside the workspace"
        );
        Sandbox { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn install_root(&self) -> PathBuf {
        self.path().join("cargo-install")
    }

    /// What `cargo install` put on the seller's PATH.
    fn emulator(&self) -> PathBuf {
        self.install_root().join("bin/mp-emulator")
    }

    /// Runs `script` with bash in the sandbox and returns its output; fails the test with the
    /// whole output when the script fails.
    fn bash(&self, what: &str, script: &str) -> Output {
        let path = format!(
            "{}:{}",
            self.install_root().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new("bash");
        command
            .arg("-c")
            .arg(script)
            .current_dir(self.path())
            .env("PATH", path)
            .env("CARGO_INSTALL_ROOT", self.install_root())
            .env("CARGO_TARGET_DIR", journey_target())
            .env("CARGO_BUILD_BUILD_DIR", example_builds::target_dir())
            .env("CARGO_NET_OFFLINE", "true")
            // Debug info only slows the journey's debug builds; nothing here reads it.
            .env("CARGO_PROFILE_DEV_DEBUG", "false")
            // The release steps check that a production build compiles outside the
            // workspace; optimising it would only add minutes to every cold run.
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
            // Nothing of this machine's AWS set-up may reach the services; `mp-emulator run`
            // gives them the emulator's.
            .env("AWS_EC2_METADATA_DISABLED", "true");
        for (name, _) in std::env::vars() {
            if name.starts_with("AWS_")
                || name.starts_with("ECS_CONTAINER_METADATA_URI")
                || name == "MARKETPLACE_PRODUCT_CODE"
                || name.starts_with("CARGO_FEATURE_")
                || name == "RUSTFLAGS"
            {
                command.env_remove(&name);
            }
        }
        command.env("AWS_EC2_METADATA_DISABLED", "true");
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("{what}: cannot run bash: {e}"));
        if !output.status.success() {
            panic!(
                "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        output
    }
}

#[test]
fn shell_blocks_are_dedented_and_confined_to_their_section() {
    let markdown = "# T\n```sh\nbefore\n```\n## S\n1. step\n\n   ```sh\n   cat > f <<'EOF'\n   x\n   EOF\n   ```\n```rust\nnot shell\n```\n## Next\n```sh\nafter\n```\n";
    assert_eq!(
        shell_blocks(markdown, "## S"),
        vec!["cat > f <<'EOF'\nx\nEOF\n".to_owned()]
    );
}

#[test]
fn the_workspace_lock_is_copied_in_once_before_the_first_build() {
    let script = script([
        "cargo new s",
        "cd s",
        "mp-emulator run -- cargo run",
        "cargo build",
    ]);
    let lines: Vec<&str> = script.lines().collect();
    let copy = lines
        .iter()
        .position(|line| line.starts_with("cp ") && line.ends_with(" Cargo.lock"))
        .expect("a copy of the lock file");
    assert_eq!(lines[copy + 1], "mp-emulator run -- cargo run");
    assert_eq!(script.matches(" Cargo.lock").count(), 1, "{script}");
}

/// The guide's section whose first `sh` block copies an example and builds it.
const COPY_SECTION: &str = "## Copy the example";

#[test]
fn quick_start_then_a_copied_example_under_the_installed_emulator() {
    let sandbox = Sandbox::new();
    quick_start_works_verbatim(&sandbox);
    copied_example_builds_and_bills_on_its_own(&sandbox);
}

fn quick_start_works_verbatim(sandbox: &Sandbox) {
    let markdown =
        std::fs::read_to_string(root().join("docs/quick-start.md")).expect("docs/quick-start.md");
    let output = sandbox.bash("the quick start", &quick_start_script(&markdown));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    // The seller's code ran, after registration, and the ledger shows the registration.
    assert!(
        stdout.contains("registered: serving as a paid container"),
        "the service's first line is missing:\n{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains("RegisterUsage accepted: 1"),
        "the ledger shows no registration:\n{stdout}\n{stderr}"
    );
    // The emulator is an installed binary, not this workspace's build.
    assert!(
        sandbox.emulator().is_file(),
        "cargo install put no mp-emulator in the install root"
    );
    // The release build, the one that ships, exists.
    assert!(
        journey_target().join("release/my-service").is_file(),
        "the release build left no binary"
    );
}

/// docs/deploy-ecs.md's copy block in the same directory as the quick start, then the copy
/// under the installed emulator: it registers before it serves, answers, and stops on
/// SIGTERM.
fn copied_example_builds_and_bills_on_its_own(sandbox: &Sandbox) {
    let markdown =
        std::fs::read_to_string(root().join("docs/deploy-ecs.md")).expect("docs/deploy-ecs.md");
    let block = shell_blocks(&markdown, COPY_SECTION)
        .into_iter()
        .next()
        .expect("docs/deploy-ecs.md shows how to copy the example");
    sandbox.bash("copying examples/ecs-hourly", &script(block.lines()));
    let manifest = std::fs::read_to_string(sandbox.path().join("my-product/Cargo.toml"))
        .expect("the copy's Cargo.toml");
    assert!(
        !manifest.contains("../../mp-runtime"),
        "the copy still points at the repository's layout:\n{manifest}"
    );

    let ledger_file = sandbox.path().join("ledger.json");
    let service = service_support::start(
        Command::new(sandbox.emulator())
            .arg("run")
            .arg("--ledger-out")
            .arg(&ledger_file)
            .arg("--")
            .arg(journey_target().join("debug/ecs-hourly"))
            .current_dir(sandbox.path().join("my-product"))
            .env("BIND_ADDR", "127.0.0.1:0")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stderr(Stdio::inherit()),
    );
    let (status, body) = service.request("GET", "/", b"");
    assert_eq!(status, 200, "GET / answered: {body}");
    // mp-emulator run forwards SIGTERM to the service, then writes the ledger.
    let (status, _) = service.terminate();
    assert!(
        status.success(),
        "the copied example did not stop cleanly: {status}"
    );

    let ledger: mp_emulator::ledger::Ledger = serde_json::from_str(
        &std::fs::read_to_string(&ledger_file).expect("the ledger mp-emulator run wrote"),
    )
    .expect("ledger JSON");
    assert_eq!(
        ledger.registrations.len(),
        1,
        "one RegisterUsage before serving: {ledger:?}"
    );
    assert_eq!(
        ledger.registrations[0].product_code,
        mp_emulator::metering::DEMO_HOURLY_PRODUCT
    );
}

fn journey_target() -> PathBuf {
    root().join("target/tests/journey")
}
