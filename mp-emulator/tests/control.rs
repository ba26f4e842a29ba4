//! The control API over plain HTTP: health, ledger, scenario, clock and env.

mod support;

use mp_emulator::*;
use serde_json::{Value, json};
use support::*;

#[tokio::test]
async fn health_lists_region_and_products() {
    let emu = emulator().await;
    let h: Value = http()
        .get(format!("{}/_emulator/health", emu.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["region"], "us-east-1");
    assert_eq!(h["products"][0]["code"], DEMO_HOURLY_PRODUCT);
    assert_eq!(
        h["products"][1]["dimensions"],
        json!(["requests", "data_gb"])
    );
}

#[tokio::test]
async fn ledger_json_is_the_ledger() {
    let emu = emulator().await;
    client(&emu)
        .meter_usage()
        .product_code(DEMO_CUSTOM_PRODUCT)
        .usage_dimension("data_gb")
        .usage_quantity(3)
        .timestamp(ago(&emu, 30))
        .send()
        .await
        .unwrap();
    let l: Ledger = http()
        .get(format!("{}/_emulator/ledger", emu.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(l, emu.ledger());
    assert_eq!(l.records[0].quantity, 3);
}

#[tokio::test]
async fn scenario_is_switched_at_run_time_and_bad_ones_are_refused() {
    let emu = emulator().await;
    let url = format!("{}/_emulator/scenario", emu.url());
    let r = http()
        .put(&url)
        .body(r#"{"outcome": "not_entitled"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.scenario().outcome, Outcome::NotEntitled);
    let got: Scenario = http().get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(got.outcome, Outcome::NotEntitled);
    for bad in [
        r#"{"outcome": "sometimes"}"#,
        r#"{"faults": {"throttle_probability": 2}}"#,
        r#"{"platform_not_supported_on": "meter_usage"}"#,
        "nope",
    ] {
        let r = http().put(&url).body(bad).send().await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].as_str().is_some(), "{body}");
    }
    assert_eq!(emu.scenario().outcome, Outcome::NotEntitled);
    let r = http()
        .put(&url)
        .body(r#"{"outcome": "platform_not_supported", "platform_not_supported_on": "both"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        emu.scenario(),
        Scenario::platform_not_supported().platform_not_supported_on(PlatformNotSupportedOn::Both)
    );
}

#[tokio::test]
async fn clock_is_set_by_now_or_offset() {
    let emu = emulator().await;
    let url = format!("{}/_emulator/clock", emu.url());
    let r: Value = http()
        .put(&url)
        .body(r#"{"now": 1800000000}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        (1_800_000_000.0..1_800_000_060.0).contains(&r["now"].as_f64().unwrap()),
        "{r}"
    );
    let r: Value = http()
        .put(&url)
        .body(r#"{"offset_secs": -86400}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(r["now"].as_f64().unwrap() < real - 86000.0, "{r}");
    for bad in [
        r#"{}"#,
        r#"{"now": 1, "offset_secs": 2}"#,
        r#"{"now": -5}"#,
        "x",
    ] {
        assert_eq!(
            http().put(&url).body(bad).send().await.unwrap().status(),
            400,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn env_endpoint_matches_the_library() {
    let emu = emulator().await;
    for (name, platform) in [
        ("ecs", Platform::Ecs),
        ("eks", Platform::Eks),
        ("ec2", Platform::Ec2),
    ] {
        let got: Vec<(String, String)> = http()
            .get(format!("{}/_emulator/env?platform={name}", emu.url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(got, emu.env(platform));
    }
    let env = emu.env(Platform::Eks);
    let file = &env
        .iter()
        .find(|(k, _)| k == "AWS_WEB_IDENTITY_TOKEN_FILE")
        .unwrap()
        .1;
    assert!(std::path::Path::new(file).exists());
}

#[tokio::test]
async fn only_ecs_and_ec2_environments_have_ecs_task_metadata() {
    let emu = emulator().await;
    let metadata = |platform| {
        emu.env(platform)
            .into_iter()
            .find(|(k, _)| k == "ECS_CONTAINER_METADATA_URI_V4")
    };
    // An EKS pod has no ECS agent; an ECS task on EC2 may use the instance's credentials.
    assert_eq!(metadata(Platform::Eks), None);
    let url = format!("{}/ecs/v4/container", emu.url());
    assert_eq!(metadata(Platform::Ecs).unwrap().1, url);
    assert_eq!(metadata(Platform::Ec2).unwrap().1, url);
}

#[tokio::test]
async fn env_endpoint_gives_a_replicas_environment_and_refuses_bad_ones() {
    let emu = emulator().await;
    let env_of = |query: &str| {
        http()
            .get(format!("{}/_emulator/env?{query}", emu.url()))
            .send()
    };
    for (name, platform) in [("ecs", Platform::Ecs), ("eks", Platform::Eks)] {
        let got: Vec<(String, String)> = env_of(&format!("platform={name}&replica=r-1"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(got, emu.env_for_replica(platform, "r-1").unwrap());
    }
    for bad in [
        "platform=ec2&replica=r-1",
        "platform=eks&replica=",
        "platform=eks&replica=a%2Fb",
    ] {
        let r = env_of(bad).await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].as_str().is_some(), "{body}");
    }
}

#[test]
fn start_blocking_serves_from_its_own_thread_and_cleans_up_on_drop() {
    let emu = Emulator::start_blocking(EmulatorConfig::default()).unwrap();
    let token_file = emu.web_identity_token_file();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = http()
            .get(format!("{}/_emulator/health", emu.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    });
    assert!(token_file.exists());
    drop(emu);
    assert!(!token_file.exists());
}
