//! End-to-end start-up: the fixture programs (tests/bins) run under mp-emulator, started in
//! this process on 127.0.0.1, with the environment an ECS task or EKS pod would have and
//! nothing else (`env_clear`). Each case checks the exit code, the stderr line, whether the
//! seller's code ran, and what the emulator's ledger recorded.
//!
//! The fixtures are built with mp-runtime's `local-testing` feature (the only build that
//! honours the emulator's endpoint override); the production endpoint pin is unit-tested in
//! mp-runtime (`client.rs`), without sending anything.

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::harness::{Env, finish, run, spawn, wait_for_ledger};
use e2e_support::replay::Replayer;
use mp_emulator::{
    Emulator, EmulatorConfig, Platform, keys::TEST_ONLY_OTHER_PRIVATE_KEY_PEM, metering::Pricing,
    scenario::Scenario,
};
use std::net::TcpListener;

const HOURLY: &str = "e2ehourly0000000000000001";
const MONTHLY: &str = "e2emonthly000000000000001";
const TRUSTED: &str = "e2etrusted00000000000001";
const FREE: &str = "e2efree000000000000000001";

/// The emulator knows every code the fixtures use.
fn config() -> EmulatorConfig {
    EmulatorConfig::default()
        .product(HOURLY, Pricing::Hourly, &[])
        .product(MONTHLY, Pricing::Monthly, &[])
        .product(TRUSTED, Pricing::Hourly, &[])
        .product(FREE, Pricing::Hourly, &[])
}

fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start_blocking(config).expect("mp-emulator starts on loopback")
}

const FX_HOURLY: &str = env!("CARGO_BIN_EXE_fx_hourly");
const FX_MONTHLY: &str = env!("CARGO_BIN_EXE_fx_monthly");
const FX_SIGNED: &str = env!("CARGO_BIN_EXE_fx_signed");
const FX_OVERRIDES: &str = env!("CARGO_BIN_EXE_fx_overrides");
const FX_DEADLINE: &str = env!("CARGO_BIN_EXE_fx_deadline");

#[test]
fn entitled_registers_before_user_code_runs() {
    let emu = emulator(config());
    let run = run(FX_HOURLY, &Env::of(&emu, Platform::Ecs));
    run.assert_succeeded();
    assert_eq!(
        run.registered(),
        format!("registered: product={HOURLY} tier=paid pricing=hourly region=us-east-1")
    );
    assert!(run.announced_local_testing_build(), "{}", run.stderr);
    let others = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("mp-runtime:"))
        .count();
    assert_eq!(others, 1, "only the local-testing notice: {}", run.stderr);
    let ledger = emu.ledger();
    assert_eq!(ledger.registrations.len(), 1, "{ledger:?}");
    let registration = &ledger.registrations[0];
    assert_eq!(registration.product_code, HOURLY);
    assert_eq!(registration.public_key_version, 1);
    let nonce = registration.nonce.as_deref().expect("a nonce is sent");
    assert_eq!(nonce.len(), 64);
}

#[test]
fn every_start_sends_a_fresh_nonce() {
    let emu = emulator(config());
    let env = Env::of(&emu, Platform::Ecs);
    run(FX_HOURLY, &env).assert_succeeded();
    run(FX_HOURLY, &env).assert_succeeded();
    let ledger = emu.ledger();
    assert_eq!(ledger.registrations.len(), 2);
    assert_ne!(ledger.registrations[0].nonce, ledger.registrations[1].nonce);
}

#[test]
fn monthly_sync_main_runs_inside_the_runtime() {
    let emu = emulator(config());
    let run = run(FX_MONTHLY, &Env::of(&emu, Platform::Ecs));
    run.assert_succeeded();
    assert_eq!(
        run.registered(),
        format!("registered: product={MONTHLY} tier=paid pricing=monthly region=us-east-1")
    );
    assert_eq!(run.stdout.lines().nth(2), Some("runtime entered: true"));
    assert_eq!(emu.ledger().registrations[0].product_code, MONTHLY);
}

#[test]
fn not_entitled_exits_80_before_user_code() {
    let emu = emulator(config().scenario(Scenario::not_entitled()));
    let run = run(FX_HOURLY, &Env::of(&emu, Platform::Ecs));
    assert_eq!(
        run.assert_failed(80),
        format!(
            "mp-runtime: not entitled: the AWS account running this task has no subscription to product {HOURLY} \
             (CustomerNotEntitledException). Subscribe in AWS Marketplace, then restart. [exit 80]"
        )
    );
    let ledger = emu.ledger();
    assert!(ledger.registrations.is_empty());
    assert_eq!(ledger.rejection_count("CustomerNotEntitledException"), 1);
}

#[test]
fn platform_not_supported_warns_and_runs_in_a_local_testing_build() {
    let emu = emulator(config().scenario(Scenario::platform_not_supported()));
    let run = run(FX_HOURLY, &Env::of(&emu, Platform::Ecs));
    run.assert_succeeded();
    let line = run.runtime_line();
    assert!(
        line.starts_with("mp-runtime: warning: PlatformNotSupportedException"),
        "{line}"
    );
    assert!(line.contains("would work on ECS/EKS/Fargate"), "{line}");
    assert_eq!(
        emu.ledger()
            .rejection_count("PlatformNotSupportedException"),
        1
    );
}

#[test]
fn an_hourly_product_given_a_license_token_exits_81_before_calling_aws() {
    let emu = emulator(config().license(
        mp_emulator::license::DEMO_CONTRACT_SKU,
        mp_emulator::license::LicenseSpec::new().tier("pro"),
    ));
    let run = run(FX_HOURLY, &Env::of(&emu, Platform::Anywhere));
    let line = run.assert_failed(81);
    assert!(
        line.starts_with("mp-runtime: AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE is set:"),
        "{line}"
    );
    assert!(line.contains("this product's pricing is hourly"), "{line}");
    assert!(emu.ledger().requests.is_empty(), "nothing was asked of AWS");
}

#[test]
fn calling_another_region_exits_82() {
    let emu = emulator(config());
    let run = run(
        FX_HOURLY,
        &Env::of(&emu, Platform::Ecs).set("AWS_REGION", "eu-west-1"),
    );
    let line = run.assert_failed(82);
    assert!(
        line.starts_with(
            "mp-runtime: wrong region: the metering service refused a call made in eu-west-1"
        ),
        "{line}"
    );
    assert_eq!(emu.ledger().rejection_count("InvalidRegionException"), 1);
}

#[test]
fn unknown_product_exits_85() {
    // The default emulator lists only its demo products.
    let emu = emulator(EmulatorConfig::default());
    let run = run(FX_HOURLY, &Env::of(&emu, Platform::Ecs));
    let line = run.assert_failed(85);
    assert!(
        line.contains(&format!("does not accept product code {HOURLY}")),
        "{line}"
    );
    assert!(emu.ledger().registrations.is_empty());
}

#[test]
fn disabled_api_exits_89() {
    let emu = emulator(config().scenario(Scenario::disabled_api()));
    let line = run(FX_HOURLY, &Env::of(&emu, Platform::Ecs))
        .assert_failed(89)
        .to_owned();
    assert!(line.contains("DisabledApiException"), "{line}");
}

#[test]
fn unknown_public_key_version_exits_90() {
    let emu = emulator(config().key_version(2));
    let line = run(FX_SIGNED, &Env::of(&emu, Platform::Ecs))
        .assert_failed(90)
        .to_owned();
    assert!(line.contains("invalid public key version 1"), "{line}");
}

/// Starts with every RegisterUsage failing by `scenario`, lets the fixture retry, then turns
/// the service healthy once the ledger shows the rejection `error`.
fn recovers_after(scenario: Scenario, error: &str) {
    let emu = emulator(config().scenario(scenario));
    let child = spawn(FX_HOURLY, &Env::of(&emu, Platform::Ecs));
    wait_for_ledger(&emu, |l| l.rejection_count(error) >= 1);
    emu.set_scenario(Scenario::entitled());
    let run = finish(child);
    run.assert_succeeded();
    let ledger = emu.ledger();
    assert_eq!(ledger.registrations.len(), 1, "{ledger:?}");
    assert!(ledger.request_count("RegisterUsage") >= 2, "{ledger:?}");
}

#[test]
fn throttled_then_ok_retries_and_runs() {
    recovers_after(Scenario::entitled().throttle(1.0), "ThrottlingException");
}

#[test]
fn server_errors_then_ok_retries_and_runs() {
    recovers_after(
        Scenario::entitled().server_errors(1.0),
        "InternalServiceErrorException",
    );
}

#[test]
fn dropped_connections_are_retried() {
    let emu = emulator(config().scenario(Scenario::entitled().down_for(2)));
    run(FX_HOURLY, &Env::of(&emu, Platform::Ecs)).assert_succeeded();
    let ledger = emu.ledger();
    assert_eq!(ledger.rejection_count("ConnectionReset"), 2);
    assert_eq!(ledger.registrations.len(), 1);
}

#[test]
fn black_hole_gives_up_at_the_deadline_with_88() {
    let emu = emulator(config().scenario(Scenario::entitled().black_hole()));
    let run = run(FX_DEADLINE, &Env::of(&emu, Platform::Ecs));
    let line = run.assert_failed(88);
    assert!(
        line.starts_with("mp-runtime: gave up: the start-up deadline of 3s passed while retrying RegisterUsage in us-east-1"),
        "{line}"
    );
    assert!(emu.ledger().registrations.is_empty());
}

#[test]
fn genuine_signature_verifies() {
    let emu = emulator(config());
    run(FX_SIGNED, &Env::of(&emu, Platform::Ecs)).assert_succeeded();
}

#[test]
fn signature_from_another_key_exits_87() {
    let emu = emulator(config().signing_key_pem(TEST_ONLY_OTHER_PRIVATE_KEY_PEM));
    let run = run(FX_SIGNED, &Env::of(&emu, Platform::Ecs));
    let line = run.assert_failed(87);
    assert!(
        line.starts_with(
            "mp-runtime: signature verification failed: the Signature does not verify with the configured public key"
        ),
        "{line}"
    );
    // The service did register; the binary still refuses to run on an unverifiable answer.
    assert_eq!(emu.ledger().registrations.len(), 1);
}

#[test]
fn untrusted_override_exits_86_without_calling_aws() {
    let emu = emulator(config());
    let env = Env::of(&emu, Platform::Ecs).set("MARKETPLACE_PRODUCT_CODE", MONTHLY);
    let line = run(FX_OVERRIDES, &env).assert_failed(86).to_owned();
    assert_eq!(
        line,
        format!(
            "mp-runtime: MARKETPLACE_PRODUCT_CODE=\"{MONTHLY}\" is not a product code this binary trusts \
             (compiled in: {HOURLY}; trusted overrides: {TRUSTED}). \
             Unset MARKETPLACE_PRODUCT_CODE or set it to one of those. [exit 86]"
        )
    );
    assert_eq!(emu.ledger().request_count("RegisterUsage"), 0);
}

#[test]
fn trusted_override_registers_that_product_as_paid() {
    let emu = emulator(config());
    let run = run(
        FX_OVERRIDES,
        &Env::of(&emu, Platform::Ecs).set("MARKETPLACE_PRODUCT_CODE", TRUSTED),
    );
    run.assert_succeeded();
    assert_eq!(
        run.registered(),
        format!("registered: product={TRUSTED} tier=paid pricing=hourly region=us-east-1")
    );
    assert_eq!(emu.ledger().registrations[0].product_code, TRUSTED);
}

#[test]
fn free_override_runs_as_the_free_tier() {
    let emu = emulator(config());
    let run = run(
        FX_OVERRIDES,
        &Env::of(&emu, Platform::Ecs).set("MARKETPLACE_PRODUCT_CODE", FREE),
    );
    run.assert_succeeded();
    assert_eq!(
        run.registered(),
        format!("registered: product={FREE} tier=free pricing=hourly region=us-east-1")
    );
    assert_eq!(emu.ledger().registrations[0].product_code, FREE);
}

#[test]
fn no_region_anywhere_exits_83_listing_every_source() {
    let emu = emulator(config());
    // Accepts connections (the kernel's backlog) and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    let env = Env::of(&emu, Platform::Ecs)
        .unset("AWS_REGION")
        .set("ECS_CONTAINER_METADATA_URI_V4", &silent_url)
        .set("AWS_EC2_METADATA_SERVICE_ENDPOINT", &silent_url);
    let run = run(FX_HOURLY, &env);
    let line = run.assert_failed(83);
    assert!(
        line.starts_with(
            "mp-runtime: no AWS region found: AWS_REGION: not set; AWS_DEFAULT_REGION: not set; "
        ),
        "{line}"
    );
    assert!(
        line.contains(&format!(
            "ECS task metadata ({silent_url}/task): no answer within"
        )),
        "{line}"
    );
    assert!(
        line.contains(&format!(
            "EC2 instance metadata ({silent_url}): no answer within"
        )),
        "{line}"
    );
    assert_eq!(emu.ledger().request_count("RegisterUsage"), 0);
}

#[test]
fn hostile_region_is_rejected() {
    let emu = emulator(config());
    let run = run(
        FX_HOURLY,
        &Env::of(&emu, Platform::Ecs).set("AWS_REGION", "evil.example/x"),
    );
    assert_eq!(
        run.assert_failed(83),
        "mp-runtime: AWS_REGION=\"evil.example/x\" is not an AWS region name (like us-east-1); fix or unset it. [exit 83]"
    );
}

#[test]
fn no_credentials_exits_84_naming_task_role_and_irsa() {
    let emu = emulator(config());
    // No container credentials, no web identity, no profile, and instance metadata off.
    let env = Env::of(&emu, Platform::Ec2).set("AWS_EC2_METADATA_DISABLED", "true");
    let run = run(FX_HOURLY, &env);
    let line = run.assert_failed(84);
    assert!(
        line.starts_with("mp-runtime: no AWS credentials found"),
        "{line}"
    );
    assert!(
        line.contains("IAM task role") && line.contains("IRSA") && line.contains("Pod Identity"),
        "{line}"
    );
    assert_eq!(emu.ledger().request_count("RegisterUsage"), 0);
}

#[test]
fn irsa_on_eks_registers() {
    let emu = emulator(config());
    run(FX_HOURLY, &Env::of(&emu, Platform::Eks)).assert_succeeded();
    let ledger = emu.ledger();
    assert_eq!(ledger.registrations.len(), 1);
    // The credentials start-up checks are the ones RegisterUsage is signed with.
    assert_eq!(
        ledger.request_count("AssumeRoleWithWebIdentity"),
        1,
        "{ledger:?}"
    );
}

#[test]
fn region_from_ecs_task_metadata() {
    // Not the default region, so only the task metadata can have supplied it.
    let emu = emulator(config().region("eu-north-1"));
    let run = run(FX_HOURLY, &Env::of(&emu, Platform::Ecs).unset("AWS_REGION"));
    run.assert_succeeded();
    assert!(run.registered().ends_with("region=eu-north-1"), "{run:?}");
    assert_eq!(emu.ledger().registrations.len(), 1);
}

#[test]
fn region_and_credentials_from_instance_metadata_only() {
    let emu = emulator(config().region("ap-southeast-2"));
    let env = Env::of(&emu, Platform::Ec2)
        .unset("AWS_REGION")
        .unset("ECS_CONTAINER_METADATA_URI_V4");
    let run = run(FX_HOURLY, &env);
    run.assert_succeeded();
    assert!(
        run.registered().ends_with("region=ap-southeast-2"),
        "{run:?}"
    );
    assert_eq!(emu.ledger().registrations.len(), 1);
}

#[test]
fn replayed_token_exits_87_on_the_nonce() {
    let emu = emulator(config());
    let replayer = Replayer::start(emu.addr());
    let env =
        Env::of(&emu, Platform::Ecs).set("AWS_ENDPOINT_URL_MARKETPLACE_METERING", &replayer.url());
    // A genuine exchange, recorded on the way through.
    run(FX_SIGNED, &env).assert_succeeded();
    assert!(replayer.has_recorded());
    // The next start gets the same validly signed token, answering the previous nonce.
    let run = run(FX_SIGNED, &env);
    assert_eq!(
        run.assert_failed(87),
        "mp-runtime: signature verification failed: the Signature's nonce is not the one sent \
         (a replayed or foreign token). The response did not come from AWS Marketplace under \
         public key version 1: check public_key and public_key_version. [exit 87]"
    );
    assert_eq!(
        emu.ledger().request_count("RegisterUsage"),
        1,
        "the replay never reached the service"
    );
}
