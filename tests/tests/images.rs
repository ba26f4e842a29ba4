//! The example images, built from their Dockerfiles unchanged (repository root as the
//! context, `--build-arg FEATURES=local-testing` for the variant that talks to the emulator)
//! and run with podman, on loopback only:
//!
//! - the local-testing image runs with its task definition's or pod spec's environment plus
//!   the emulator's, `--network host` and a read-only root: it registers (or dry-runs its
//!   dimensions) before it serves, answers its HEALTHCHECK through the health-probe binary,
//!   and `podman stop` (the image's STOPSIGNAL) ends it within the deployment's stop timeout
//!   with the partial hour flushed: the ledger holds exactly what the runtime says it metered,
//!   and a contract image checks the seats of its open sessions in;
//! - the contract image also runs outside AWS as its Helm chart deploys it with the buyer's
//!   license secret: the license token file mounted read-only where the chart mounts it, and
//!   every License Manager call made with the credentials the token was traded for;
//! - the production image runs the product binary as uid 65532, has no shell and no AWS
//!   variable, exits 83 (no region) before any seller code when started with
//!   `--network none`, and refuses a buyer's CA named in `SSL_CERT_FILE` (exit 92).
//! - the same Dockerfile builds from a copy of the example directory (`docker build .`), the
//!   framework inside the copy as a git dependency would bring it.
//!
//! Part of `cargo test --workspace --locked`: the images are what a seller ships, so they are
//! tested like the binaries. Where podman or the base images are missing each test says so
//! and skips; `.ci/run` installs podman, builds local base images (`.ci/base-images`) and
//! sets `MP_REQUIRE_PODMAN=1`, so CI fails instead. Image builds share cargo's caches
//! (`RUN --mount=type=cache`): after the first, a build compiles only the workspace's crates.

mod buyer_attack;
mod deploy_support;
mod http_support;
mod podman_support;

use buyer_attack::Build;
use deploy_support::{
    Deployment, LICENSE_TOKEN_FILE_VAR, chart_license_token_file, copy_example, copy_tree,
    declared, deployment, kubernetes_deployment, read, root,
};
use mp_emulator::{Emulator, EmulatorConfig, Platform, ledger::Ledger};
use podman_support::{Container, MountedImage, Variant, image, podman, podman_or_skip};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::Path;
use std::time::Instant;

/// The examples that ship an image (`examples/<name>/Dockerfile`).
const EXAMPLES: &[&str] = &["ecs-hourly", "eks-custom", "ecs-contract"];
/// The contract-priced example, whose chart also deploys it outside AWS.
const CONTRACT: &str = "ecs-contract";
/// The custom-priced example the buyer-CA attack is played on (its control counts the
/// start-up dry runs reaching the fake endpoint).
const ATTACKED: &str = "eks-custom";
/// Calls by which a service is entitled before it serves, whatever its pricing.
const ENTITLEMENT_CALLS: [&str; 3] = ["RegisterUsage", "MeterUsage", "CheckoutLicense"];

#[test]
fn local_testing_images_register_serve_answer_health_checks_and_flush_on_stop() {
    if !podman_or_skip() {
        return;
    }
    for package in EXAMPLES {
        run_local_testing_image(package);
    }
}

#[test]
fn the_contract_image_runs_outside_aws_on_the_buyers_license_token() {
    if !podman_or_skip() {
        return;
    }
    // As the chart deploys it with `licenseConfigSecret`: its default pod spec plus the token
    // file where the chart mounts the secret; AWS_ROLE_ARN (the secret's `iam_role`) is the
    // emulator's.
    let mut deployment = kubernetes_deployment(CONTRACT);
    deployment.env.push((
        LICENSE_TOKEN_FILE_VAR.into(),
        chart_license_token_file(CONTRACT),
    ));
    run_local_testing_image_on(CONTRACT, Platform::Anywhere, deployment);
}

fn run_local_testing_image(package: &str) {
    let deployment = deployment(package);
    let platform = if deployment.ecs {
        Platform::Ecs
    } else {
        Platform::Eks
    };
    run_local_testing_image_on(package, platform, deployment);
}

/// Runs `package`'s local-testing image as `deployment` runs it on `platform`, against a
/// fresh emulator, and stops it.
fn run_local_testing_image_on(package: &str, platform: Platform, deployment: Deployment) {
    let image = image(package, Variant::LocalTesting);
    let pricing = declared(&read(
        &root().join("examples").join(package).join("src/main.rs"),
    ))
    .pricing;
    let emulator = Emulator::start_blocking(EmulatorConfig::default()).expect("emulator");
    let addr = format!("127.0.0.1:{}", free_port());
    let mut env: BTreeMap<String, String> = deployment.env.into_iter().collect();
    env.insert("BIND_ADDR".into(), addr.clone());
    // The emulator's environment as `mp-emulator env | sed 's/^export //'` writes it (an env
    // file), but for what the deployment sets itself; then the deployment's variables,
    // listening on a free loopback port.
    let dir = tempfile::tempdir().expect("tempdir");
    let env_file = dir.path().join("emulator.env");
    let emulator_env = emulator.env(platform);
    let lines: String = emulator_env
        .iter()
        .filter(|(name, _)| !env.contains_key(name))
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    std::fs::write(&env_file, lines).expect("writing the env file");

    let mut options: Vec<String> = vec![
        "--network".into(),
        "host".into(),
        "--read-only".into(),
        "--env-file".into(),
        env_file.display().to_string(),
    ];
    for (name, value) in &env {
        options.extend(["--env".into(), format!("{name}={value}")]);
    }
    // A file the emulator's environment names on the host (the web identity token, the
    // license token) is mounted read-only where the deployment's variable says, else where
    // the emulator's does: as the EKS webhook mounts the projected token, as the chart mounts
    // the buyer's license secret.
    for (name, value) in &emulator_env {
        if value.starts_with('/') && Path::new(value).is_file() {
            let target = env.get(name).unwrap_or(value);
            options.extend(["--volume".into(), format!("{value}:{target}:ro")]);
        }
    }
    // The pod's emptyDir volumes (the metering journal's directory).
    for path in &deployment.volume_paths {
        options.extend(["--tmpfs".into(), format!("{path}:rw,mode=1777")]);
    }

    let started = Instant::now();
    let container = Container::run(&image, &options);
    let serving = container
        .next_line()
        .unwrap_or_else(|| panic!("{package}: the container exited before serving"));
    assert!(
        serving.starts_with(&format!("serving on http://{addr} ")),
        "{package}: first line {serving:?}"
    );
    let before_serving = emulator.ledger();
    assert!(
        entitlement_calls(&before_serving) > 0 && before_serving.records.is_empty(),
        "{package}: served before registering or dry-running: {}",
        before_serving.to_table()
    );
    let (status, _) = http_support::request(&addr, "GET", "/", b"");
    assert_eq!(status, 200, "{package}: GET /");
    println!(
        "{package}: podman run to first served request: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    // The image's own HEALTHCHECK (the health-probe binary), as Docker and ECS run it.
    let health = podman(&["healthcheck", "run", &container.name])
        .output()
        .expect("podman healthcheck run");
    assert!(
        health.status.success(),
        "{package}: HEALTHCHECK failed: {}{}",
        String::from_utf8_lossy(&health.stdout),
        String::from_utf8_lossy(&health.stderr)
    );
    // The service's process as the host sees it: the uid it runs as.
    let pid = podman(&["inspect", "--format", "{{.State.Pid}}", &container.name])
        .output()
        .expect("podman inspect");
    let pid = String::from_utf8_lossy(&pid.stdout).trim().to_owned();
    let status = read(Path::new(&format!("/proc/{pid}/status")));
    let uids = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .expect("Uid line");
    assert!(
        uids.split_whitespace().all(|uid| uid == "65532"),
        "{package}: the service runs as uid 65532, not {uids}"
    );
    for _ in 0..2 {
        assert_eq!(http_support::request(&addr, "GET", "/", b"").0, 200);
    }
    if pricing == "contract" {
        // Sessions left open: each holds a seat the stop must check in.
        for _ in 0..SESSIONS_AT_STOP {
            let (status, body) = http_support::request(&addr, "POST", "/sessions", b"");
            assert_eq!(status, 201, "{package}: POST /sessions: {body}");
        }
        check_credentials(package, platform, &emulator.ledger());
    }

    let stop = Instant::now();
    let (status, _, stderr) = container.stop(deployment.stop_timeout_secs);
    println!(
        "{package}: podman stop took {:.2} s (stop timeout {} s)",
        stop.elapsed().as_secs_f64(),
        deployment.stop_timeout_secs
    );
    assert_eq!(
        status.code(),
        Some(0),
        "{package}: after its STOPSIGNAL it must exit by itself within the stop timeout \
         (137 = killed): {stderr}"
    );

    let ledger = emulator.ledger();
    if pricing == "contract" {
        check_seats_returned(package, platform, &ledger);
    }
    match exit_summary(&stderr) {
        Some(summary) => {
            assert!(
                summary.metered > 0 && summary.metered == summary.sent_units && summary.lost == 0,
                "{package}: the partial hour was not flushed in full: {stderr}"
            );
            assert_eq!(
                (
                    ledger.records.len() as u64,
                    ledger
                        .records
                        .iter()
                        .map(|r| r.quantity as u64)
                        .sum::<u64>()
                ),
                (summary.sent_records, summary.sent_units),
                "{package}: the ledger is what the runtime metered: {}",
                ledger.to_table()
            );
        }
        None => {
            assert_ne!(
                pricing, "custom",
                "{package}: no metering summary: {stderr}"
            );
            assert!(
                ledger.records.is_empty(),
                "{package}: {pricing} pricing meters nothing: {}",
                ledger.to_table()
            );
        }
    }
}

/// Sessions a contract image holds open when it is stopped.
const SESSIONS_AT_STOP: usize = 2;

/// Every License Manager checkout was signed with `platform`'s credentials; outside AWS,
/// those the license token was traded for (License Manager, then STS).
fn check_credentials(package: &str, platform: Platform, ledger: &Ledger) {
    let checkouts = &ledger.licenses.checkouts;
    let caller = platform.source().name();
    assert!(
        checkouts.len() > SESSIONS_AT_STOP && checkouts.iter().all(|c| c.caller == caller),
        "{package}: the tier and one seat per session, checked out as {caller}: {}",
        ledger.to_table()
    );
    if platform == Platform::Anywhere {
        for exchange in ["GetAccessToken", "AssumeRoleWithWebIdentity"] {
            assert!(
                ledger.request_count(exchange) > 0,
                "{package}: the license token was not traded for credentials ({exchange}): {}",
                ledger.to_table()
            );
        }
    }
}

/// After the stop, every seat checked out (a floating quantity; the tier holds none) was
/// checked in by the process itself, none left to lapse.
fn check_seats_returned(package: &str, platform: Platform, ledger: &Ledger) {
    let licenses = &ledger.licenses;
    let caller = platform.source().name();
    let checked_in: BTreeSet<&str> = licenses
        .check_ins
        .iter()
        .filter(|c| c.caller == caller)
        .map(|c| c.consumption_token.as_str())
        .collect();
    let checked_out: BTreeSet<&str> = licenses
        .checkouts
        .iter()
        .filter(|c| c.entitlements.iter().any(|e| e.value.is_some()))
        .map(|c| c.consumption_token.as_str())
        .collect();
    assert_eq!(
        checked_out.len(),
        SESSIONS_AT_STOP,
        "{package}: one seat per open session"
    );
    assert_eq!(
        checked_in,
        checked_out,
        "{package}: the stop checks every seat in: {}",
        ledger.to_table()
    );
    assert!(
        licenses
            .pools
            .iter()
            .all(|p| p.kind != "floating" || p.in_use == 0),
        "{package}: seats still in use after the stop: {:?}",
        licenses.pools
    );
}

/// How many start-up entitlement calls the emulator answered.
fn entitlement_calls(ledger: &Ledger) -> u64 {
    ENTITLEMENT_CALLS
        .iter()
        .filter_map(|call| ledger.requests.get(*call))
        .sum()
}

/// The runtime's exit line: "metering at exit: M unit(s) metered, S sent in R record(s), L lost ...".
struct ExitSummary {
    metered: u64,
    sent_units: u64,
    sent_records: u64,
    lost: u64,
}

fn exit_summary(stderr: &str) -> Option<ExitSummary> {
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("mp-runtime: metering at exit: "))?;
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(numbers.len() >= 5, "unexpected exit line: {line}");
    assert!(
        !line.contains("not yet sent"),
        "usage left unsent at exit: {line}"
    );
    Some(ExitSummary {
        metered: numbers[0],
        sent_units: numbers[1],
        sent_records: numbers[2],
        lost: numbers[3],
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

#[test]
fn production_images_run_the_product_binary_as_65532_with_no_shell_and_no_aws_settings() {
    if !podman_or_skip() {
        return;
    }
    for package in EXAMPLES {
        let image = image(package, Variant::Production);
        println!("{image}: {}", podman_support::size_line(&image));
        let config: serde_json::Value =
            serde_json::from_str(&podman_support::inspect(&image, "{{json .Config}}"))
                .expect("image config JSON");
        assert_eq!(config["User"], "65532:65532", "{package}: USER");
        assert_eq!(
            config["Entrypoint"],
            serde_json::json!([format!("/usr/local/bin/{package}")]),
            "{package}: the product binary is the entrypoint"
        );
        let env: Vec<&str> = config["Env"]
            .as_array()
            .expect("Env")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert!(
            env.iter().all(|v| !v.starts_with("AWS_")),
            "{package}: AWS settings baked into the image: {env:?}"
        );

        let mounted = MountedImage::new(&image);
        let shells = files_named(&mounted.path, &["sh", "bash", "dash", "ash", "busybox"]);
        assert!(
            shells.is_empty(),
            "{package}: shells in the image: {shells:?}"
        );
        let binaries: BTreeSet<String> = std::fs::read_dir(mounted.path.join("usr/local/bin"))
            .expect("/usr/local/bin")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            binaries,
            BTreeSet::from([package.to_string(), "health-probe".into()]),
            "{package}: /usr/local/bin holds the service and its health probe"
        );
    }
}

/// Every path under `dir` whose file name is one of `names` (symlinks included).
fn files_named(dir: &Path, names: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.map_while(Result::ok) {
            let path = entry.path();
            let file_type = entry.file_type().expect("file type");
            if file_type.is_dir() {
                stack.push(path);
            } else if names.iter().any(|n| entry.file_name() == *n) {
                found.push(
                    path.strip_prefix(dir)
                        .unwrap_or(&path)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    found
}

#[test]
fn production_images_without_a_region_exit_83_before_seller_code() {
    if !podman_or_skip() {
        return;
    }
    for package in EXAMPLES {
        let image = image(package, Variant::Production);
        let started = Instant::now();
        // Nothing but loopback, and no environment beyond the image's own.
        let container = Container::run(&image, &["--network".into(), "none".into()]);
        let first = container.next_line();
        let (status, stderr) = container.wait();
        println!(
            "{package}: production image, no region: {status} after {:.2} s (podman run included)",
            started.elapsed().as_secs_f64()
        );
        assert_eq!(
            status.code(),
            Some(mp_runtime::exit::NO_REGION),
            "{package}: {stderr}"
        );
        assert_eq!(first, None, "{package}: the seller's code ran");
        let lines: Vec<&str> = stderr.lines().collect();
        assert!(
            lines.len() == 1 && lines[0].starts_with("mp-runtime: no AWS region found"),
            "{package}: one line saying what to set: {stderr}"
        );
    }
}

const PRODUCTION_IMAGE: &str = "MP_IMAGES_PRODUCTION_IMAGE";
const LOCAL_TESTING_IMAGE: &str = "MP_IMAGES_LOCAL_TESTING_IMAGE";
/// Names the attack's containers, so the outer test can remove them: stopping `podman run`
/// (as the attack stops the control) leaves its container running.
const CONTAINER_PREFIX: &str = "MP_IMAGES_ATTACK_CONTAINER_PREFIX";
const ATTACK_TEST: &str = "the_production_image_refuses_a_buyer_ca_from_ssl_cert_file";

#[test]
fn the_production_image_refuses_a_buyer_ca_from_ssl_cert_file() {
    if buyer_attack::inside_namespaces() {
        // podman itself runs in the private network namespace: `--network host` is the
        // namespace's loopback, where the fake endpoint listens.
        return buyer_attack::play(|build, env| {
            let image = match build {
                Build::Production => std::env::var(PRODUCTION_IMAGE).unwrap(),
                Build::LocalTesting => std::env::var(LOCAL_TESTING_IMAGE).unwrap(),
            };
            let host = format!("{}:127.0.0.1", buyer_attack::HOST);
            let name = attack_container(&std::env::var(CONTAINER_PREFIX).unwrap(), build);
            // No HEALTHCHECK: without systemd podman logs that it cannot time one, and the
            // attack counts the container's stderr lines.
            let mut command = podman(&[
                "run",
                "--rm",
                "--no-healthcheck",
                "--name",
                &name,
                "--network",
                "host",
                "--add-host",
                &host,
            ]);
            command.args(podman_support::ULIMITS);
            for (name, value) in env {
                command.args(["--env", &format!("{name}={value}")]);
                // The buyer's CA file, where SSL_CERT_FILE names it.
                if name == "SSL_CERT_FILE" {
                    command.args(["--volume", &format!("{value}:{value}:ro")]);
                }
            }
            command.arg(image);
            command
        });
    }
    if !podman_or_skip() || !buyer_attack::namespaces_or_skip() {
        return;
    }
    let production = image(ATTACKED, Variant::Production);
    let local_testing = image(ATTACKED, Variant::LocalTesting);
    let prefix = format!("mp-tests-attack-{}", std::process::id());
    buyer_attack::rerun_inside_namespaces(
        ATTACK_TEST,
        &[
            (PRODUCTION_IMAGE, OsString::from(production)),
            (LOCAL_TESTING_IMAGE, OsString::from(local_testing)),
            (CONTAINER_PREFIX, OsString::from(&prefix)),
        ],
    );
    for build in [Build::Production, Build::LocalTesting] {
        let _ = podman(&[
            "rm",
            "--force",
            "--time",
            "0",
            &attack_container(&prefix, build),
        ])
        .output();
    }
}

fn attack_container(prefix: &str, build: Build) -> String {
    match build {
        Build::Production => format!("{prefix}-production"),
        Build::LocalTesting => format!("{prefix}-local-testing"),
    }
}

#[test]
fn each_dockerfile_also_builds_from_a_copy_of_its_example_directory() {
    if !podman_or_skip() {
        return;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for package in EXAMPLES {
        // As the deploy docs say: copy the directory, give mp-runtime a home inside the build
        // context (this checkout, as a git dependency would fetch it), lock, `docker build .`.
        let dir = tempfile::tempdir().expect("tempdir");
        let checkout = format!("vendor/{}", VENDORED_CHECKOUT);
        let copy = copy_example(package, dir.path(), &format!("{checkout}/mp-runtime"));
        copy_tree(&root(), &copy.join(&checkout), &["target", ".git", "fuzz"]);
        // The workspace's lock file, trimmed to this package: the versions this repository
        // tests, and the builds' shared cache already holds them compiled. `cargo update
        // --workspace` trims from the registry index alone; `cargo metadata` would first
        // download every locked crate, other targets' (wasm, Windows) included.
        std::fs::copy(root().join("Cargo.lock"), copy.join("Cargo.lock")).expect("Cargo.lock");
        let trimmed = std::process::Command::new(&cargo)
            .args(["update", "--workspace", "--offline", "--quiet"])
            .current_dir(&copy)
            .status()
            .expect("cargo update");
        assert!(trimmed.success(), "{package}: locking the copy");

        let tag = format!("localhost/{package}:copied");
        podman_support::build(&copy, None, &tag, "");
        let container = Container::run(&tag, &["--network".into(), "none".into()]);
        let (status, stderr) = container.wait();
        assert_eq!(
            status.code(),
            Some(mp_runtime::exit::NO_REGION),
            "{package}: the copy's image runs the product binary: {stderr}"
        );
        let _ = podman(&["image", "rm", &tag]).output();
    }
}

/// Where the copy keeps this repository, as its Cargo.toml's mp-runtime path names it.
const VENDORED_CHECKOUT: &str = "marketplace-metering";
