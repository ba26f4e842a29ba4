//! Replicas: two tasks of one ECS service or two pods of one Deployment share a role, but each
//! has a credentials session of its own, and the service keeps one record per product,
//! dimension, hour and task or pod (the AWS Marketplace Metering Service API reference,
//! `MeterUsage`: "one record per hour per dimension"). A client token is scoped to the caller,
//! the role, whatever its session. Through the real SDK client, and the credential endpoints
//! that vend the sessions.

mod support;

use aws_sdk_marketplacemetering::operation::meter_usage::MeterUsageError as E;
use aws_sdk_marketplacemetering::operation::meter_usage::builders::MeterUsageFluentBuilder;
use mp_emulator::credentials::{CredentialSource, IRSA_ROLE_ARN, ReplicaSession};
use mp_emulator::metering::DEMO_CUSTOM_PRODUCT;
use mp_emulator::{Emulator, Platform};
use serde_json::Value;
use support::*;

/// The session of replica `name` of IRSA (a pod of the Deployment).
fn pod(name: &str) -> ReplicaSession {
    CredentialSource::Irsa.session(Some(name)).unwrap()
}

/// A MeterUsage of the demo product's `requests` in the hour 10 minutes ago, signed with
/// `session`'s credentials.
fn meter_as(
    emu: &Emulator,
    session: &ReplicaSession,
    quantity: i32,
    token: &str,
) -> MeterUsageFluentBuilder {
    let client = client_with(emu, session.sdk("mp-emulator-test"), emu.region());
    meter_requests(&client, emu, quantity).client_token(token)
}

#[tokio::test]
async fn two_replicas_of_one_role_each_have_their_record_for_the_hour() {
    let emu = emulator().await;
    let ts = ago(&emu, 600);
    let a = meter_as(&emu, &pod("pod-a"), 5, "token-a")
        .timestamp(ts)
        .send()
        .await
        .unwrap();
    let b = meter_as(&emu, &pod("pod-b"), 7, "token-b")
        .timestamp(ts)
        .send()
        .await
        .unwrap();
    assert_ne!(a.metering_record_id(), b.metering_record_id());
    // The role's default session is one more replica.
    meter_as(
        &emu,
        &CredentialSource::Irsa.session(None).unwrap(),
        11,
        "token-default",
    )
    .timestamp(ts)
    .send()
    .await
    .unwrap();
    let ledger = emu.ledger();
    let mut records: Vec<_> = ledger
        .records
        .iter()
        .map(|r| (r.caller.as_str(), r.replica.as_deref(), r.quantity, r.hour))
        .collect();
    records.sort();
    let hour = ledger.records[0].hour;
    assert_eq!(
        records,
        [
            ("irsa", None, 11, hour),
            ("irsa", Some("pod-a"), 5, hour),
            ("irsa", Some("pod-b"), 7, hour),
        ]
    );
    assert_eq!(ledger.total(DEMO_CUSTOM_PRODUCT, "requests"), 23);
    assert!(ledger.rejections.is_empty(), "{:?}", ledger.rejections);
    let table = ledger.to_table();
    assert!(
        table.contains(" replica ") && table.contains(" pod-b "),
        "{table}"
    );
}

#[tokio::test]
async fn the_same_replica_twice_in_an_hour_with_another_quantity_is_a_duplicate() {
    let emu = emulator().await;
    let first = meter_as(&emu, &pod("pod-a"), 5, "token-1")
        .send()
        .await
        .unwrap();
    // Its own repeat (same quantity, another token) is the same record.
    let again = meter_as(&emu, &pod("pod-a"), 5, "token-2")
        .send()
        .await
        .unwrap();
    assert_eq!(first.metering_record_id(), again.metering_record_id());
    let e = error_of(meter_as(&emu, &pod("pod-a"), 6, "token-3")).await;
    assert!(matches!(e, E::DuplicateRequestException(_)), "{e:?}");
    // Another replica of the role is not held by pod-a's record.
    meter_as(&emu, &pod("pod-b"), 6, "token-4")
        .send()
        .await
        .unwrap();
    let ledger = emu.ledger();
    assert_eq!(ledger.records.len(), 2);
    assert_eq!(ledger.rejection_count("DuplicateRequestException"), 1);
}

#[tokio::test]
async fn a_client_token_belongs_to_the_role_not_to_one_replica() {
    let emu = emulator().await;
    let first = meter_as(&emu, &pod("pod-a"), 5, "shared-token")
        .send()
        .await
        .unwrap();
    // Another replica of the same role reusing the token with other parameters: a conflict.
    let e = error_of(meter_as(&emu, &pod("pod-b"), 7, "shared-token")).await;
    assert!(matches!(e, E::IdempotencyConflictException(_)), "{e:?}");
    // With the same parameters: the first answer, and no second record.
    let same = meter_as(&emu, &pod("pod-b"), 5, "shared-token")
        .send()
        .await
        .unwrap();
    assert_eq!(first.metering_record_id(), same.metering_record_id());
    // Another role has tokens of its own.
    let task = CredentialSource::EcsTaskRole
        .session(Some("pod-b"))
        .unwrap();
    meter_as(&emu, &task, 7, "shared-token")
        .send()
        .await
        .unwrap();
    let ledger = emu.ledger();
    assert_eq!(ledger.records.len(), 2, "{}", ledger.to_table());
    assert_eq!(ledger.rejection_count("IdempotencyConflictException"), 1);
}

#[tokio::test]
async fn a_session_token_naming_no_valid_replica_is_refused() {
    let emu = emulator().await;
    let irsa = CredentialSource::Irsa.credentials();
    let profile = CredentialSource::InstanceProfile.credentials();
    for (keys, token) in [
        (irsa, format!("{}/", irsa.session_token)),
        (irsa, format!("{}/a/b", irsa.session_token)),
        (irsa, format!("{}/{}", irsa.session_token, "x".repeat(65))),
        (irsa, format!("{}-pod-a", irsa.session_token)),
        // One session per instance: an instance profile has no replicas.
        (profile, format!("{}/i-1", profile.session_token)),
    ] {
        let creds = aws_credential_types::Credentials::new(
            keys.access_key_id,
            keys.secret_access_key,
            Some(token.clone()),
            None,
            "test",
        );
        let err = meter_requests(&client_with(&emu, creds, emu.region()), &emu, 1)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            code(&err).as_deref(),
            Some("UnrecognizedClientException"),
            "{token}"
        );
    }
    assert!(emu.ledger().records.is_empty());
}

#[tokio::test]
async fn registrations_name_their_replica() {
    let emu = emulator().await;
    let task = CredentialSource::EcsTaskRole
        .session(Some("task-2"))
        .unwrap();
    register_demo(&client_with(&emu, task.sdk("test"), emu.region()))
        .send()
        .await
        .unwrap();
    let r = &emu.ledger().registrations[0];
    assert_eq!(
        (r.caller.as_str(), r.replica.as_deref()),
        ("ecs-task-role", Some("task-2"))
    );
}

/// GET on the emulator, with an optional `Authorization`; status and JSON body.
async fn get(emu: &Emulator, path: &str, authorization: Option<&str>) -> (u16, Value) {
    let mut request = http().get(format!("{}{path}", emu.url()));
    if let Some(token) = authorization {
        request = request.header("authorization", token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn each_ecs_task_has_its_credentials_session_and_its_task_arn() {
    let emu = emulator().await;
    let auth = Some(emu.ecs_authorization_token());
    let (status, task_b) = get(&emu, "/ecs/credentials/task-b", auth).await;
    assert_eq!(status, 200, "{task_b}");
    assert_eq!(
        task_b["Token"],
        CredentialSource::EcsTaskRole
            .session(Some("task-b"))
            .unwrap()
            .session_token()
    );
    let (_, default) = get(&emu, "/ecs/credentials", auth).await;
    assert_eq!(
        default["Token"],
        CredentialSource::EcsTaskRole.credentials().session_token
    );
    assert_eq!(task_b["AccessKeyId"], default["AccessKeyId"], "one role");
    // The authorization token is checked first; a name that is not one is not found.
    assert_eq!(get(&emu, "/ecs/credentials/task-b", None).await.0, 401);
    assert_eq!(get(&emu, "/ecs/credentials/a%20b", auth).await.0, 404);

    let arn = |v: &Value| v["TaskARN"].as_str().unwrap().to_string();
    let (_, task) = get(&emu, "/ecs/v4/container/task", None).await;
    let (status, b) = get(&emu, "/ecs/v4/replicas/task-b/task", None).await;
    assert_eq!(status, 200, "{b}");
    let (_, c) = get(&emu, "/ecs/v4/replicas/task-c/task", None).await;
    assert!(arn(&b).starts_with("arn:aws:ecs:us-east-1:111122223333:task/mp-emulator/"));
    assert!(
        arn(&task) != arn(&b) && arn(&b) != arn(&c),
        "{task} {b} {c}"
    );
    assert_eq!(
        arn(&b),
        arn(&get(&emu, "/ecs/v4/replicas/task-b/task", None).await.1)
    );
    let (_, container) = get(&emu, "/ecs/v4/replicas/task-b", None).await;
    assert_eq!(container["Labels"]["com.amazonaws.ecs.task-arn"], arn(&b));
    assert_eq!(get(&emu, "/ecs/v4/replicas/a%20b/task", None).await.0, 404);
}

/// `AssumeRoleWithWebIdentity` with `token`; status and body.
async fn assume_role(emu: &Emulator, token: &str) -> (u16, String) {
    let response = http()
        .post(format!("{}/", emu.url()))
        .form(&[
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", IRSA_ROLE_ARN),
            ("RoleSessionName", "s"),
            ("WebIdentityToken", token),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn each_pods_token_file_gets_it_a_session_of_its_own() {
    let emu = emulator().await;
    let env = emu.env_for_replica(Platform::Eks, "pod-b").unwrap();
    let file = &env
        .iter()
        .find(|(k, _)| k == "AWS_WEB_IDENTITY_TOKEN_FILE")
        .unwrap()
        .1;
    assert_ne!(std::path::Path::new(file), emu.web_identity_token_file());
    let token = std::fs::read_to_string(file).unwrap();
    let (status, xml) = assume_role(&emu, &token).await;
    assert_eq!(status, 200, "{xml}");
    assert!(
        xml.contains(&format!(
            "<SessionToken>{}</SessionToken>",
            pod("pod-b").session_token()
        )),
        "{xml}"
    );
    let default = std::fs::read_to_string(emu.web_identity_token_file()).unwrap();
    let (_, xml) = assume_role(&emu, &default).await;
    let base = CredentialSource::Irsa.credentials().session_token;
    assert!(
        xml.contains(&format!("<SessionToken>{base}</SessionToken>")),
        "{xml}"
    );
    for bad in [
        format!("{default}#"),
        format!("{default}#a b"),
        format!("{default}pod-b"),
        "another-token#pod-b".to_string(),
    ] {
        let (status, xml) = assume_role(&emu, &bad).await;
        assert_eq!(status, 400, "{bad}");
        assert!(xml.contains("<Code>InvalidIdentityToken</Code>"), "{xml}");
    }
    let file = std::path::PathBuf::from(file);
    drop(emu);
    assert!(!file.exists(), "removed with the emulator");
}

#[tokio::test]
async fn a_replicas_environment_differs_only_in_its_credentials() {
    let emu = emulator().await;
    let url = emu.url();
    let diff = |platform, replica| {
        let base = emu.env(platform);
        let mut changed: Vec<(String, String)> = emu
            .env_for_replica(platform, replica)
            .unwrap()
            .into_iter()
            .filter(|kv| !base.contains(kv))
            .collect();
        changed.sort();
        changed
    };
    assert_eq!(
        diff(Platform::Ecs, "task-b"),
        [
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI".to_string(),
                format!("{url}/ecs/credentials/task-b")
            ),
            (
                "ECS_CONTAINER_METADATA_URI_V4".to_string(),
                format!("{url}/ecs/v4/replicas/task-b")
            ),
        ]
    );
    let eks = diff(Platform::Eks, "pod-b");
    assert_eq!(eks.len(), 1, "{eks:?}");
    assert_eq!(eks[0].0, "AWS_WEB_IDENTITY_TOKEN_FILE");
    let pod = emu.env_for_replica(Platform::Eks, "pod-b").unwrap();
    assert_eq!(
        pod.len(),
        emu.env(Platform::Eks).len(),
        "nothing added: {pod:?}"
    );
    for (platform, name) in [
        (Platform::Ec2, "i-2"),
        (Platform::Ecs, ""),
        (Platform::Eks, "a/b"),
        (Platform::Eks, &"x".repeat(65)),
    ] {
        assert!(emu.env_for_replica(platform, name).is_err(), "{name}");
    }
}
