//! mp-emulator's own image (`mp-emulator/Dockerfile`, the repository root as the context),
//! built and run with podman, in the two ways a seller uses it, on loopback only:
//!
//! - **from the host**: the image publishes its port on 127.0.0.1, takes the command line's
//!   flags and a mounted scenario file, and a program on the host (the `fx_hourly` fixture)
//!   registers through it with nothing but the environment the emulator hands out for that
//!   address (`AWS_ENDPOINT_URL_*`, the ECS credentials endpoint and its token), and again
//!   with the EC2 form written down ahead of time, as a pod spec lists it;
//! - **as a sidecar**: a seller's container (the `ecs-hourly` example's local-testing image)
//!   in the emulator's network namespace, as in a pod, registers and serves with the
//!   environment `mp-emulator env` prints inside the emulator's container.
//!
//! The ledger is read from outside both ways: the control API through the published port,
//! and `--ledger-out` on a mounted directory when the container stops. The image runs as uid
//! 65532 and answers its HEALTHCHECK; its size is printed against its base image's
//! (BENCHMARKS.md).
//!
//! Skips where podman or the base images are missing, unless `MP_REQUIRE_PODMAN=1` (`.ci/run`).

mod deploy_support;
#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;
mod http_support;
mod podman_support;

use deploy_support::{deployment, root};
use e2e_support::harness::{self, Env};
use mp_emulator::ledger::{LEDGER_SCHEMA_VERSION, Ledger};
use mp_emulator::metering::DEMO_HOURLY_PRODUCT;
use podman_support::{Container, Variant, build, image, inspect, podman_or_skip, podman_output};

const TAG: &str = "localhost/mp-emulator:test";
/// The port the image listens on (`MP_EMULATOR_ADDR`).
const PORT: u16 = 8080;
/// The host fixture's product code, given to the image as a flag.
const FIXTURE_PRODUCT: &str = "e2ehourly0000000000000001";
const FIXTURE: &str = env!("CARGO_BIN_EXE_fx_hourly");
/// The sidecar seller: an example whose image registers before it serves.
const SELLER: &str = "ecs-hourly";
/// The seller's port in the shared network namespace, published by the emulator's container.
const SELLER_PORT: u16 = 9090;

#[test]
fn the_emulator_image_serves_the_host_and_a_sidecar_and_its_ledger_is_read_from_outside() {
    if !podman_or_skip() {
        return;
    }
    build(&root(), Some("mp-emulator/Dockerfile"), TAG, "");
    assert_eq!(inspect(TAG, "{{.Config.User}}"), "65532:65532");
    let seller_image = image(SELLER, Variant::LocalTesting);

    // The scenario file and the ledger's directory, mounted; the directory writable by the
    // image's user.
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = dir.path().join("scenario.json");
    std::fs::write(&scenario, r#"{"outcome": "entitled", "seed": 7}"#).unwrap();
    let ledger_dir = dir.path().join("ledger");
    std::fs::create_dir(&ledger_dir).unwrap();
    std::fs::set_permissions(
        &ledger_dir,
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();

    let options: Vec<String> = [
        "--read-only",
        "--publish",
        &format!("127.0.0.1::{PORT}"),
        "--publish",
        &format!("127.0.0.1::{SELLER_PORT}"),
        "--volume",
        &format!("{}:/scenario.json:ro", scenario.display()),
        "--volume",
        &format!("{}:/ledger", ledger_dir.display()),
    ]
    .map(String::from)
    .to_vec();
    let emulator = Container::run_with_args(
        TAG,
        &options,
        &[
            "serve",
            "--scenario",
            "/scenario.json",
            "--ledger-out",
            "/ledger/ledger.json",
            "--product",
            &format!("{DEMO_HOURLY_PRODUCT}=hourly"),
            "--product",
            &format!("{FIXTURE_PRODUCT}=hourly"),
        ],
    );
    let first = emulator.next_line().expect("the emulator's first line");
    assert_eq!(first, format!("listening on http://127.0.0.1:{PORT}"));
    let host = published(&emulator, PORT);
    // The image's own HEALTHCHECK, as Docker and ECS run it.
    let health = podman_output(&["healthcheck", "run", &emulator.name]);
    assert!(health.status.success(), "HEALTHCHECK failed: {health:?}");
    let (status, body) = http_support::request(&host, "GET", "/_emulator/scenario", b"");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"seed\":7"), "the mounted scenario: {body}");

    // From the host: the environment for the published address, and nothing else.
    let (status, body) = http_support::request(
        &host,
        "GET",
        &format!("/_emulator/env?platform=ecs&url=http%3A%2F%2F{host}"),
        b"",
    );
    assert_eq!(status, 200, "{body}");
    let pairs: Vec<(String, String)> = serde_json::from_str(&body).expect("env JSON");
    assert!(
        pairs
            .iter()
            .filter(|(_, v)| v.starts_with("http"))
            .all(|(_, v)| v.starts_with(&format!("http://{host}"))),
        "the host's environment names the published port: {pairs:?}"
    );
    harness::run(FIXTURE, &Env(pairs)).assert_succeeded();
    // The pod spec's environment (docs/emulator-any-language.md), written down ahead of
    // time: the EC2 form, instance-profile credentials from the emulator's IMDSv2.
    let url = format!("http://{host}");
    let written_down = [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL_MARKETPLACE_METERING", &url),
        ("AWS_ENDPOINT_URL_LICENSE_MANAGER", &url),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
    ];
    let written_down = written_down.map(|(k, v)| (k.to_owned(), v.to_owned()));
    harness::run(FIXTURE, &Env(written_down.to_vec())).assert_succeeded();

    // As a sidecar: `mp-emulator env` inside the emulator's container, for its loopback.
    let env = emulator.exec(&[
        "/usr/local/bin/mp-emulator",
        "env",
        "--url",
        &format!("http://127.0.0.1:{PORT}"),
    ]);
    assert!(env.status.success(), "{env:?}");
    let env_file = dir.path().join("seller.env");
    std::fs::write(
        &env_file,
        env_file_of(&String::from_utf8_lossy(&env.stdout)),
    )
    .unwrap();
    let mut seller_options: Vec<String> = [
        "--network",
        &format!("container:{}", emulator.name),
        "--read-only",
        "--env-file",
        &env_file.display().to_string(),
    ]
    .map(String::from)
    .to_vec();
    for (name, value) in deployment(SELLER).env {
        // Every interface: the emulator's published port reaches the namespace's bridge
        // address, not its loopback.
        let value = if name == "BIND_ADDR" {
            format!("0.0.0.0:{SELLER_PORT}")
        } else {
            value
        };
        seller_options.extend(["--env".into(), format!("{name}={value}")]);
    }
    let seller = Container::run(&seller_image, &seller_options);
    let serving = seller.next_line().expect("the seller's first line");
    assert!(serving.starts_with("serving on "), "{serving}");
    let seller_addr = published(&emulator, SELLER_PORT);
    assert_eq!(http_support::request(&seller_addr, "GET", "/", b"").0, 200);
    let (status, _, stderr) = seller.stop(30);
    assert_eq!(status.code(), Some(0), "{stderr}");

    // The ledger from outside: the control API, then the file written at stop.
    let (status, body) = http_support::request(&host, "GET", "/_emulator/ledger", b"");
    assert_eq!(status, 200, "{body}");
    let live: Ledger = serde_json::from_str(&body).expect("ledger JSON");
    let registered: Vec<(&str, &str)> = live
        .registrations
        .iter()
        .map(|r| (r.product_code.as_str(), r.caller.as_str()))
        .collect();
    assert_eq!(
        registered,
        [
            (FIXTURE_PRODUCT, "ecs-task-role"),
            (FIXTURE_PRODUCT, "instance-profile"),
            (DEMO_HOURLY_PRODUCT, "ecs-task-role")
        ],
        "the host's program twice, then the sidecar: {}",
        live.to_table()
    );
    let (status, _, stderr) = emulator.stop(10);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("RegisterUsage accepted: 3"), "{stderr}");
    let written: Ledger = serde_json::from_str(
        &std::fs::read_to_string(ledger_dir.join("ledger.json")).expect("the mounted ledger"),
    )
    .expect("ledger JSON");
    assert_eq!(written.version, LEDGER_SCHEMA_VERSION);
    assert_eq!(written.registrations, live.registrations);
}

/// `127.0.0.1:PORT`: where the host reaches the container's `port`.
fn published(container: &Container, port: u16) -> String {
    let out = podman_output(&["port", &container.name, &format!("{port}/tcp")]);
    assert!(out.status.success(), "{out:?}");
    let addr = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        addr.starts_with("127.0.0.1:"),
        "published on loopback: {addr}"
    );
    addr
}

/// `mp-emulator env`'s `export NAME=value` lines as an env file (`NAME=value`, unquoted).
fn env_file_of(exports: &str) -> String {
    exports
        .lines()
        .filter_map(|line| line.strip_prefix("export "))
        .map(|pair| {
            let (name, value) = pair.split_once('=').expect("NAME=value");
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .map_or(value.to_owned(), |v| v.replace(r"'\''", "'"));
            format!("{name}={value}\n")
        })
        .collect()
}
