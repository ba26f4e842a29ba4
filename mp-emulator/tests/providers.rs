//! aws-config's own providers pointed at the emulator: ECS container credentials, IMDSv2
//! region and instance-profile credentials, web identity (IRSA via STS), and the whole default
//! chain making a metering call. aws-config reads the process environment, so each check runs
//! in a child copy of this test binary with a cleared environment holding only what
//! `Emulator::env` exports: hermetic, and nothing can fall through to real AWS.

mod support;

use aws_credential_types::provider::ProvideCredentials;
use mp_emulator::credentials::CredentialSource;
use mp_emulator::{Emulator, EmulatorConfig, Platform};
use support::*;

/// Set in the child: which check to run.
const CHILD: &str = "MP_EMULATOR_PROVIDER_CHILD";

/// Runs `mode` in a child copy of this test binary with exactly `env`; returns its stdout.
async fn in_child(mode: &str, env: Vec<(String, String)>) -> String {
    let out = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_entry", "--nocapture", "--test-threads=1"])
        .env_clear()
        .envs(env)
        .env(CHILD, mode)
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "child `{mode}` failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn without(mut env: Vec<(String, String)>, name: &str) -> Vec<(String, String)> {
    env.retain(|(k, _)| k != name);
    env
}

#[tokio::test]
async fn ecs_container_credentials_provider() {
    let emu = emulator().await;
    let out = in_child("ecs", emu.env(Platform::Ecs)).await;
    assert!(
        out.contains(&format!(
            "key={}",
            CredentialSource::EcsTaskRole.credentials().access_key_id
        )),
        "{out}"
    );
}

#[tokio::test]
async fn ecs_provider_with_a_wrong_token_gets_nothing() {
    let emu = emulator().await;
    let mut env = without(emu.env(Platform::Ecs), "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    env.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN".into(), "wrong".into()));
    let out = in_child("ecs", env).await;
    assert!(out.contains("error="), "{out}");
}

#[tokio::test]
async fn imds_region_and_instance_profile_credentials() {
    let emu = Emulator::start(EmulatorConfig::default().region("eu-west-3"))
        .await
        .unwrap();
    let out = in_child("imds", without(emu.env(Platform::Ec2), "AWS_REGION")).await;
    assert!(out.contains("region=eu-west-3"), "{out}");
    assert!(
        out.contains(&format!(
            "key={}",
            CredentialSource::InstanceProfile
                .credentials()
                .access_key_id
        )),
        "{out}"
    );
}

#[tokio::test]
async fn web_identity_provider_exchanges_the_token_with_sts() {
    let emu = emulator().await;
    let out = in_child("web-identity", emu.env(Platform::Eks)).await;
    assert!(
        out.contains(&format!(
            "key={}",
            CredentialSource::Irsa.credentials().access_key_id
        )),
        "{out}"
    );
    assert_eq!(emu.ledger().request_count("AssumeRoleWithWebIdentity"), 1);
}

#[tokio::test]
async fn default_chain_on_each_platform_registers_as_that_caller() {
    let emu = emulator().await;
    for (platform, caller) in [
        (Platform::Ecs, "ecs-task-role"),
        (Platform::Eks, "irsa"),
        (Platform::Ec2, "instance-profile"),
    ] {
        let mut env = emu.env(platform);
        if platform == Platform::Ec2 {
            // The region comes from instance metadata too.
            env = without(env, "AWS_REGION");
        }
        let out = in_child("default-chain", env).await;
        assert!(out.contains("registered"), "{out}");
        assert_eq!(emu.ledger().registrations.last().unwrap().caller, caller);
    }
}

#[tokio::test]
async fn default_chain_in_each_replicas_environment_signs_with_its_session() {
    let emu = emulator().await;
    for (platform, caller, replica) in [
        (Platform::Ecs, "ecs-task-role", "task-b"),
        (Platform::Eks, "irsa", "pod-b"),
    ] {
        let env = emu.env_for_replica(platform, replica).unwrap();
        let out = in_child("default-chain", env).await;
        assert!(out.contains("registered"), "{out}");
        let ledger = emu.ledger();
        let r = ledger.registrations.last().unwrap();
        assert_eq!(
            (r.caller.as_str(), r.replica.as_deref()),
            (caller, Some(replica))
        );
    }
}

#[tokio::test]
async fn off_aws_compute_the_default_chain_finds_nothing_and_calls_nothing() {
    // What a license-token provider must extend: aws-config alone knows no refresh token
    // file, and the Anywhere environment leaves it no metadata to fall back on.
    let emu = emulator().await;
    let out = in_child("default-chain-credentials", emu.env(Platform::Anywhere)).await;
    assert!(out.contains("error="), "{out}");
    assert_eq!(emu.ledger().request_count("AssumeRoleWithWebIdentity"), 0);
}

/// Not a test of its own: the body of the child processes above. Does nothing otherwise.
#[tokio::test]
async fn child_entry() {
    let Ok(mode) = std::env::var(CHILD) else {
        return;
    };
    match mode.as_str() {
        "ecs" => {
            let p = aws_config::ecs::EcsCredentialsProvider::builder().build();
            match p.provide_credentials().await {
                Ok(c) => println!("key={}", c.access_key_id()),
                Err(e) => println!("error={e}"),
            }
        }
        "imds" => {
            let region = aws_config::imds::region::ImdsRegionProvider::builder()
                .build()
                .region()
                .await;
            println!(
                "region={}",
                region.map(|r| r.to_string()).unwrap_or_default()
            );
            let c = aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                .build()
                .provide_credentials()
                .await
                .unwrap();
            println!("key={}", c.access_key_id());
        }
        "web-identity" => {
            let c = aws_config::web_identity_token::WebIdentityTokenCredentialsProvider::builder()
                .build()
                .provide_credentials()
                .await
                .unwrap();
            println!("key={}", c.access_key_id());
        }
        "default-chain-credentials" => {
            let chain =
                aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
                    .build()
                    .await;
            match chain.provide_credentials().await {
                Ok(c) => println!("key={}", c.access_key_id()),
                Err(e) => println!("error={e}"),
            }
        }
        "default-chain" => {
            register_with_default_chain().await;
            println!("registered");
        }
        other => panic!("unknown child mode {other}"),
    }
}
