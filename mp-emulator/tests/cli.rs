//! The `mp-emulator` binary: `serve`'s first line, `env`, `health`, `public-key`, `--license`,
//! `license-token`, and `run` forwarding the environment, exit code and SIGTERM, and writing
//! the ledger.

mod support;

use mp_emulator::keys::TEST_ONLY_PUBLIC_KEY_PEM;
use mp_emulator::ledger::Ledger;
use mp_emulator::license::{DEMO_CONTRACT_SKU, MARKETPLACE_KEY_FINGERPRINT};
use mp_emulator::scenario::{PlatformNotSupportedOn, Scenario};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_mp-emulator");
/// Set in the child: makes `child_entry` do a RegisterUsage (`1`) or a License Manager
/// checkout and check-in (`license`) through aws-config's default chain.
const CHILD: &str = "MP_EMULATOR_CLI_CHILD";

/// The binary with a clean environment: tests must not depend on the machine's.
fn bin() -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    c
}

#[test]
fn run_passes_the_environment_and_the_exit_code_and_writes_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let ledger_file = dir.path().join("ledger.json");
    let out = bin()
        .args(["run", "--ledger-out"])
        .arg(&ledger_file)
        .args([
            "--",
            "sh",
            "-c",
            "echo region=$AWS_REGION; echo ecs=$ECS_CONTAINER_METADATA_URI_V4; exit 3",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("region=us-east-1"), "{stdout}");
    assert!(stdout.contains("ecs=http://127.0.0.1:"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("RegisterUsage accepted: 0"), "{stderr}");
    let ledger: Ledger =
        serde_json::from_str(&std::fs::read_to_string(&ledger_file).unwrap()).unwrap();
    assert!(ledger.registrations.is_empty());
}

#[test]
fn run_records_what_the_child_sends() {
    let dir = tempfile::tempdir().unwrap();
    let ledger_file = dir.path().join("ledger.json");
    let out = bin()
        .args(["run", "--platform", "eks", "--ledger-out"])
        .arg(&ledger_file)
        .arg("--")
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", "child_entry", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ledger: Ledger =
        serde_json::from_str(&std::fs::read_to_string(&ledger_file).unwrap()).unwrap();
    assert_eq!(ledger.registrations.len(), 1);
    assert_eq!(ledger.registrations[0].caller, "irsa");
    assert!(String::from_utf8_lossy(&out.stderr).contains("RegisterUsage accepted: 1"));
}

#[test]
fn run_forwards_sigterm_to_the_child() {
    let mut child = bin()
        .args([
            "run",
            "--",
            "sh",
            "-c",
            "trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    // SAFETY: kill(2) on a child we spawned and have not reaped.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(child.wait().unwrap().code(), Some(42));
}

/// `serve` with `args`, and the URL its first line names.
fn serve<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> (Child, String) {
    let mut server = bin()
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect(&line)
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    (server, url)
}

/// `GET url` on a running `serve`, as JSON.
fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> T {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(support::get_json(url))
}

/// SIGTERM, which `serve` answers by exiting cleanly.
fn stop(mut server: Child) {
    // SAFETY: kill(2) on a child we spawned and have not reaped.
    unsafe { libc::kill(server.id() as libc::pid_t, libc::SIGTERM) };
    assert!(server.wait().unwrap().success());
}

#[test]
fn serve_prints_the_url_first_and_env_points_at_it() {
    let (server, url) = serve(["--addr", "127.0.0.1:0", "--region", "eu-west-1"]);

    let out = bin()
        .args(["env", "--url", &url, "--platform", "ecs"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("export AWS_REGION=eu-west-1\n"), "{text}");
    assert!(
        text.contains(&format!(
            "export AWS_CONTAINER_CREDENTIALS_FULL_URI={url}/ecs/credentials\n"
        )),
        "{text}"
    );
    assert!(text.lines().all(|l| l.starts_with("export ")), "{text}");
    stop(server);
}

#[test]
fn env_gives_a_replicas_credentials_and_no_ecs_metadata_on_eks() {
    let (server, url) = serve(["--addr", "127.0.0.1:0"]);
    let env = |args: &[&str]| {
        let out = bin()
            .args(["env", "--url", &url])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (_, ecs, _) = env(&["--platform", "ecs", "--replica", "task-b"]);
    assert!(
        ecs.contains(&format!(
            "export AWS_CONTAINER_CREDENTIALS_FULL_URI={url}/ecs/credentials/task-b\n"
        )),
        "{ecs}"
    );
    for args in [
        &["--platform", "eks"][..],
        &["--platform", "eks", "--replica", "pod-b"],
    ] {
        let (_, eks, _) = env(args);
        assert!(eks.contains("export AWS_WEB_IDENTITY_TOKEN_FILE="), "{eks}");
        assert!(!eks.contains("ECS_CONTAINER_METADATA_URI_V4"), "{eks}");
    }
    let (_, pod, _) = env(&["--platform", "eks", "--replica", "pod-b"]);
    let file = pod
        .lines()
        .find_map(|l| l.strip_prefix("export AWS_WEB_IDENTITY_TOKEN_FILE="))
        .unwrap();
    assert!(std::fs::read_to_string(file).unwrap().ends_with("#pod-b"));
    // A bad name is a bad argument; EC2 has no replicas, which the server says.
    let (code, _, err) = env(&["--replica", "a b"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, _, err) = env(&["--platform", "ec2", "--replica", "i-2"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("instance profile"), "{err}");
    stop(server);
}

#[test]
fn license_token_and_the_anywhere_platform() {
    let (server, url) = serve(["--addr", "127.0.0.1:0"]);
    let token = |sku: &str| {
        bin()
            .args([
                "license-token",
                "--url",
                &url,
                "--license",
                sku,
                "--days",
                "2",
            ])
            .args(["--role", "arn:aws:iam::111122223333:role/on-prem"])
            .output()
            .unwrap()
    };
    let out = token(DEMO_CONTRACT_SKU);
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout.trim().split('.').count(), 3, "one JWT: {stdout}");
    assert!(stderr.contains("license token"), "{stderr}");
    let out = token("prod-notheldbythebuyer");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no license for `prod-notheldbythebuyer`"),
        "{stderr}"
    );

    let out = bin()
        .args(["env", "--url", &url, "--platform", "anywhere"])
        .output()
        .unwrap();
    let env = String::from_utf8(out.stdout).unwrap();
    assert!(
        env.contains("export AWS_EC2_METADATA_DISABLED=true\n"),
        "{env}"
    );
    assert!(
        env.contains("export AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE="),
        "{env}"
    );
    assert!(!env.contains("ECS_CONTAINER_METADATA_URI_V4"), "{env}");
    stop(server);

    let out = bin()
        .args(["run", "--platform", "anywhere", "--", "sh", "-c"])
        .arg(r#"echo role=$AWS_ROLE_ARN; test -s "$AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE" && echo token=present"#)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "role={}",
            mp_emulator::credentials::LICENSE_TOKEN_ROLE_ARN
        )),
        "{stdout}"
    );
    assert!(stdout.contains("token=present"), "{stdout}");
}

#[test]
fn serve_on_every_interface_points_env_where_a_client_reaches_it_and_writes_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let ledger_file = dir.path().join("ledger.json");
    let (server, url) = serve([
        OsStr::new("--addr"),
        OsStr::new("0.0.0.0:0"),
        OsStr::new("--ledger-out"),
        ledger_file.as_os_str(),
    ]);
    let env = |extra: &[&str]| {
        let out = bin()
            .args(["env", "--url", &url])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let here = env(&[]);
    assert!(
        here.contains(&format!(
            "export AWS_ENDPOINT_URL_MARKETPLACE_METERING={url}\n"
        )),
        "{here}"
    );
    let there = env(&["--reach-url", "http://mp-emulator:8080"]);
    assert!(
        there.contains("export AWS_ENDPOINT_URL_MARKETPLACE_METERING=http://mp-emulator:8080\n")
            && there.contains(
                "export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://mp-emulator:8080/ecs/credentials\n"
            ),
        "{there}"
    );
    let refused = bin()
        .args(["env", "--url", &url, "--reach-url", "http://h/path"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("without a path"),
        "{refused:?}"
    );

    stop(server);
    let ledger: Ledger =
        serde_json::from_str(&std::fs::read_to_string(&ledger_file).unwrap()).unwrap();
    assert_eq!(ledger.version, mp_emulator::ledger::LEDGER_SCHEMA_VERSION);
    assert_eq!(ledger.request_count("RegisterUsage"), 0);
}

#[test]
fn health_answers_for_a_running_emulator_only() {
    let (server, url) = serve(["--addr", "127.0.0.1:0"]);
    let addr = url.strip_prefix("http://").unwrap();
    let health = || {
        bin()
            .env("MP_EMULATOR_ADDR", addr)
            .arg("health")
            .output()
            .unwrap()
    };
    let up = health();
    assert!(up.status.success(), "{up:?}");
    stop(server);
    let down = health();
    assert_eq!(down.status.code(), Some(1), "{down:?}");
    assert!(
        String::from_utf8_lossy(&down.stderr).contains("cannot reach the emulator"),
        "{down:?}"
    );
}

#[test]
fn serve_starts_in_the_scenario_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scenario.json");
    std::fs::write(
        &file,
        r#"{"outcome": "platform_not_supported", "platform_not_supported_on": "both"}"#,
    )
    .unwrap();
    let (server, url) = serve([OsStr::new("--scenario"), file.as_os_str()]);
    let got: Scenario = get_json(&format!("{url}/_emulator/scenario"));
    assert_eq!(
        got,
        Scenario::platform_not_supported().platform_not_supported_on(PlatformNotSupportedOn::Both)
    );
    stop(server);
}

#[test]
fn public_key_prints_the_published_pem() {
    let out = bin().arg("public-key").output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        TEST_ONLY_PUBLIC_KEY_PEM
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("key version: 1"));
}

#[test]
fn bad_input_is_one_clear_line_and_a_failure_code() {
    let out = bin()
        .args(["serve", "--product", "nodelimiter"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CODE=PRICING"));

    let out = bin()
        .args(["serve", "--scenario", "/nonexistent/scenario.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot read /nonexistent/scenario.json"),
        "{err}"
    );

    let out = bin()
        .args(["env", "--url", "http://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach the emulator"));
}

#[test]
fn run_points_license_manager_at_the_emulator_and_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let ledger_file = dir.path().join("ledger.json");
    let out = bin()
        .args([
            "run",
            "--license",
            "prod-cli=tier:pro;floating:Seats=3",
            "--ledger-out",
        ])
        .arg(&ledger_file)
        .arg("--")
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", "child_entry", "--nocapture"])
        .env(CHILD, "license")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let ledger: Ledger =
        serde_json::from_str(&std::fs::read_to_string(&ledger_file).unwrap()).unwrap();
    let lic = &ledger.licenses;
    assert_eq!((lic.checkouts.len(), lic.check_ins.len()), (1, 1));
    assert_eq!(lic.checkouts[0].sku, "prod-cli");
    assert_eq!(lic.pool("prod-cli", "Seats").unwrap().in_use, 0);
    assert!(
        lic.pool(DEMO_CONTRACT_SKU, "ConcurrentUsers").is_none(),
        "--license replaces the demo license"
    );
    assert!(
        stderr.contains("License Manager: 1 checkouts, 0 drawdowns, 0 extensions, 1 check-ins"),
        "{stderr}"
    );
}

#[test]
fn serve_takes_licenses_and_a_throttle_and_env_points_license_manager_at_it() {
    let (server, url) = serve([
        "--license",
        "prod-x=tier:pro;floating:Seats=2",
        "--license",
        "prod-y=none",
        "--throttle-license-calls",
        "3",
    ]);
    let out = bin().args(["env", "--url", &url]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("export AWS_ENDPOINT_URL_LICENSE_MANAGER={url}\n")),
        "{text}"
    );
    let all: serde_json::Value = get_json(&format!("{url}/_emulator/licenses"));
    let skus: Vec<_> = all["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["prod-x"]);
    assert_eq!(all["throttle_next_calls"], 3);
    stop(server);
}

#[test]
fn a_bad_license_is_a_bad_argument_saying_what_is_valid() {
    for (arg, says) in [
        ("prod-x=tiers:pro", "unknown item `tiers:`"),
        ("prod-x", "SKU=SPEC"),
        (
            "prod-x=floating:Seats=2/Users",
            "unknown entitlement unit `Users`",
        ),
        ("prod-x=expires:soon", "+30d"),
    ] {
        let out = bin().args(["serve", "--license", arg]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{arg}: {err}");
        assert!(err.contains(says), "{arg}: {err}");
    }
}

/// Not a test of its own: the body of the children `run_records_what_the_child_sends` and
/// `run_points_license_manager_at_the_emulator_and_reports_it` run.
#[tokio::test]
async fn child_entry() {
    match std::env::var(CHILD).as_deref() {
        Ok("license") => checkout_and_check_in_with_default_chain().await,
        Ok(_) => support::register_with_default_chain().await,
        Err(_) => {}
    }
}

/// What a contract product does, configured only by its environment: a seat of `Seats` of
/// `prod-cli`, checked out and in through aws-config's default chain.
async fn checkout_and_check_in_with_default_chain() {
    use aws_sdk_licensemanager::types::{CheckoutType, EntitlementDataUnit};
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(
            aws_smithy_types::timeout::TimeoutConfig::builder()
                .operation_timeout(support::TIMEOUT)
                .build(),
        )
        .load()
        .await;
    let client = aws_sdk_licensemanager::Client::new(&config);
    let out = client
        .checkout_license()
        .product_sku("prod-cli")
        .checkout_type(CheckoutType::Provisional)
        .key_fingerprint(MARKETPLACE_KEY_FINGERPRINT)
        .client_token("cli-child")
        .entitlements(support::entitlement(
            "Seats",
            Some(1),
            EntitlementDataUnit::Count,
        ))
        .send()
        .await
        .expect("CheckoutLicense through the default chain");
    client
        .check_in_license()
        .license_consumption_token(out.license_consumption_token().unwrap())
        .send()
        .await
        .expect("CheckInLicense through the default chain");
}
