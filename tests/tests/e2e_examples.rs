//! The example services end to end under mp-emulator, with the environment their deployment
//! files give them: ecs-hourly and ecs-contract with their task definitions' variables and an
//! ECS task's credentials, eks-custom with the Helm chart's (plain manifests') variables, including the
//! product-code override and the metering journal, and IRSA credentials. Only the listen
//! address (loopback, a free port) and the journal's directory (a temporary one) are changed.

mod deploy_support;
mod example_builds;
mod http_support;
mod service_support;

use deploy_support::{read, root, yaml_env};
use example_builds::build_example;
use mp_emulator::{
    Emulator, EmulatorConfig, Platform,
    license::DEMO_CONTRACT_SKU,
    metering::{DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT},
};
use service_support::{HANG_GUARD, Service};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Starts `binary` with exactly `env` and waits until it serves.
fn start(binary: &Path, env: &[(String, String)]) -> Service {
    service_support::start(
        Command::new(binary)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stderr(Stdio::inherit()),
    )
}

/// `env` with `name` replaced (or added).
fn with(mut env: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    env.retain(|(k, _)| k != name);
    env.push((name.to_owned(), value.to_owned()));
    env
}

/// An ECS task's environment from the emulator, with the task definition's variables of
/// `package` and a loopback listen address.
fn task_env(emulator: &Emulator, package: &str) -> Vec<(String, String)> {
    let task: serde_json::Value = serde_json::from_str(&read(
        &root().join(format!("examples/{package}/deploy/task-definition.json")),
    ))
    .expect("task definition JSON");
    let mut env = emulator.env(Platform::Ecs);
    for var in task["containerDefinitions"][0]["environment"]
        .as_array()
        .expect("environment")
    {
        let s = |k: &str| var[k].as_str().expect("string").to_owned();
        env = with(env, &s("name"), &s("value"));
    }
    with(env, "BIND_ADDR", "127.0.0.1:0")
}

#[test]
fn ecs_hourly_runs_with_its_task_definition_environment() {
    let emulator = Emulator::start_blocking(EmulatorConfig::default()).expect("emulator");
    let env = task_env(&emulator, "ecs-hourly");

    let service = start(&build_example("ecs-hourly"), &env);
    assert_eq!(service.request("GET", "/health", b"").0, 200);
    let (status, body) = service.request("GET", "/", b"");
    assert_eq!(
        (status, body.as_str()),
        (200, "hello from a paid container")
    );
    let (exit, _) = service.terminate();
    assert!(exit.success(), "ecs-hourly after SIGTERM: {exit}");

    let ledger = emulator.ledger();
    assert_eq!(ledger.registrations.len(), 1, "{}", ledger.to_table());
    assert_eq!(ledger.registrations[0].product_code, DEMO_HOURLY_PRODUCT);
    assert_eq!(ledger.registrations[0].caller, "ecs-task-role");
    assert!(ledger.records.is_empty(), "hourly pricing meters nothing");
}

#[test]
fn eks_custom_runs_with_its_pod_spec_environment_and_meters_what_it_served() {
    let manifests = read(&root().join("examples/eks-custom/deploy/kubernetes/eks-custom.yaml"));
    let journal_dir = tempfile::tempdir().expect("tempdir");
    let emulator = Emulator::start_blocking(EmulatorConfig::default()).expect("emulator");
    let mut env = emulator.env(Platform::Eks);
    let mut journal = None;
    for (name, value) in yaml_env(&manifests) {
        let value = if name == "MARKETPLACE_METERING_JOURNAL" {
            // The pod's volume path, moved under a temporary directory.
            let file = Path::new(&value).file_name().expect("journal file name");
            let path = journal_dir.path().join(file);
            journal = Some(path.clone());
            path.display().to_string()
        } else {
            value
        };
        env = with(env, &name, &value);
    }
    let journal = journal.expect("the manifests configure a metering journal");
    assert!(
        !env.iter().any(|(k, _)| k == "MARKETPLACE_PRODUCT_CODE"),
        "by default the pod spec leaves the product code to the binary's compiled-in one"
    );
    let env = with(env, "BIND_ADDR", "127.0.0.1:0");

    let service = start(&build_example("eks-custom"), &env);
    assert_eq!(service.request("GET", "/health", b"").0, 200);
    for _ in 0..3 {
        assert_eq!(service.request("GET", "/", b"").0, 200);
    }
    let (status, body) = service.request("POST", "/upload", b"some bytes");
    assert_eq!(
        (status, body.as_str()),
        (200, "stored 10 bytes, metered 1 GB")
    );
    let (exit, _) = service.terminate();
    assert!(
        exit.success(),
        "eks-custom returns from main on SIGTERM, so its own status stands: {exit}"
    );

    let ledger = emulator.ledger();
    let quantity = |dimension: &str| {
        ledger
            .records
            .iter()
            .filter(|r| r.dimension == dimension)
            .map(|r| {
                assert_eq!(r.product_code, DEMO_CUSTOM_PRODUCT);
                assert_eq!(r.caller, "irsa");
                r.quantity
            })
            .sum::<i64>()
    };
    assert_eq!(quantity("requests"), 4, "{}", ledger.to_table());
    assert_eq!(quantity("data_gb"), 1, "{}", ledger.to_table());
    assert!(
        journal.exists(),
        "the runtime wrote the journal the pod spec names"
    );
}

#[test]
fn ecs_contract_holds_a_seat_per_session_and_returns_it() {
    // The demo license: tier pro, 5 ConcurrentUsers.
    let emulator = Emulator::start_blocking(EmulatorConfig::default()).expect("emulator");
    let env = task_env(&emulator, "ecs-contract");
    let service = start(&build_example("ecs-contract"), &env);
    assert_eq!(service.request("GET", "/health", b"").0, 200);
    let (status, body) = service.request("GET", "/", b"");
    assert_eq!(
        (status, body.as_str()),
        (
            200,
            "hello from a contract container: pro tier, every feature"
        )
    );
    for id in 1..=5 {
        let (status, body) = service.request("POST", "/sessions", b"");
        assert_eq!((status, body), (201, format!("session {id} opened")));
    }
    assert_eq!(
        service.request("POST", "/sessions", b"").0,
        429,
        "the pool of 5 is empty"
    );
    assert_eq!(service.request("DELETE", "/sessions/2", b"").0, 200);
    let in_use = || {
        emulator
            .pool_levels()
            .into_iter()
            .find(|p| p.entitlement == "ConcurrentUsers")
            .map(|p| p.in_use)
    };
    let started = std::time::Instant::now();
    while in_use() != Some(4) {
        assert!(
            started.elapsed() < HANG_GUARD,
            "the closed session's seat never came back"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(service.request("POST", "/sessions", b"").0, 201);
    let (exit, _) = service.terminate();
    assert!(exit.success(), "ecs-contract after SIGTERM: {exit}");

    // main returned: the 5 seats still held were checked in.
    assert_eq!(in_use(), Some(0));
    let licenses = emulator.ledger().licenses;
    assert_eq!(licenses.check_ins.len(), 6);
    assert!(
        licenses
            .checkouts
            .iter()
            .all(|c| c.sku == DEMO_CONTRACT_SKU && c.caller == "ecs-task-role")
    );
    assert!(
        emulator.ledger().registrations.is_empty(),
        "contract pricing registers nothing"
    );
}
