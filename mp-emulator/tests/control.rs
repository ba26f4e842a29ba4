//! The control API over plain HTTP: health, ledger, scenario, clock and env.

mod support;

use mp_emulator::credentials::CredentialSource;
use mp_emulator::ledger::Ledger;
use mp_emulator::license::DEMO_CONTRACT_SKU;
use mp_emulator::metering::{DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT};
use mp_emulator::scenario::{Outcome, PlatformNotSupportedOn, Scenario};
use mp_emulator::{Emulator, EmulatorConfig, Platform};
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
    // Where the process reaches the emulator from another container or a published port.
    let reached: Vec<(String, String)> =
        env_of("platform=ecs&replica=r-1&url=http%3A%2F%2Fmp-emulator%3A8080")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let own = emu.env_for_replica(Platform::Ecs, "r-1").unwrap();
    let moved: Vec<(String, String)> = own
        .into_iter()
        .map(|(k, v)| (k, v.replace(&emu.url(), "http://mp-emulator:8080")))
        .collect();
    assert_eq!(reached, moved);
    for bad in [
        "platform=ec2&replica=r-1",
        "platform=eks&replica=",
        "platform=eks&replica=a%2Fb",
        "platform=ecs&url=http%3A%2F%2Fh%2Fpath",
        "platform=ecs&url=ftp%3A%2F%2Fh%3A1",
        "platform=ecs&url=",
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

/// `GET` of a control path, as JSON.
async fn get_json(emu: &Emulator, path: &str) -> Value {
    support::get_json(&format!("{}{path}", emu.url())).await
}

/// `PUT` of a control path: status and JSON answer.
async fn put_json(emu: &Emulator, path: &str, body: &str) -> (u16, Value) {
    let r = http()
        .put(format!("{}{path}", emu.url()))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn licenses_are_listed_with_their_pools() {
    let emu = emulator().await;
    let health = get_json(&emu, "/_emulator/health").await;
    assert_eq!(health["licenses"], json!([DEMO_CONTRACT_SKU]));
    let all = get_json(&emu, "/_emulator/licenses").await;
    let demo = &all["licenses"][0];
    assert_eq!(demo["sku"], DEMO_CONTRACT_SKU);
    assert_eq!(demo["tier"], "pro");
    assert_eq!(demo["status"], "AVAILABLE");
    assert_eq!(demo["version"], 1);
    assert_eq!(demo["pools"][0]["entitlement"], "ConcurrentUsers");
    assert_eq!(demo["pools"][0]["available"], 5);
    assert_eq!(demo["pools"][1]["kind"], "drawdown");
    assert_eq!(demo["pools"][1]["size"], 100);
    assert_eq!(all["consumptions"], json!([]));
    assert_eq!(all["throttle_next_calls"], 0);
}

#[tokio::test]
async fn a_license_is_set_in_either_form_replaced_and_taken_away() {
    let emu = emulator().await;
    let path = "/_emulator/licenses/prod-new";
    let (status, view) = put_json(&emu, path, r#""tier:basic;floating:Seats=2;expires:+1d""#).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(
        (view["tier"].clone(), view["version"].clone()),
        (json!("basic"), json!(1))
    );
    assert_eq!(view["pools"][0]["size"], 2);
    let arn = view["license_arn"].clone();
    let (status, view) = put_json(
        &emu,
        path,
        r#"{"tier": "pro", "floating": [{"name": "Seats", "quantity": 4}],
            "drawdown": [{"name": "Scans", "quantity": 9}]}"#,
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(
        (view["license_arn"].clone(), view["version"].clone()),
        (arn, json!(2))
    );
    assert_eq!(view["pools"][1]["unit"], "Count");
    for bad in [
        r#""tiers:pro""#,
        r#""floating:Seats=1/None""#,
        r#"{"tier": "pro", "colour": "blue"}"#,
        r#""""#,
        "tier:pro",
    ] {
        let (status, body) = put_json(&emu, path, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["error"].as_str().is_some(), "{body}");
    }
    let r = http()
        .delete(format!("{}{path}", emu.url()))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["removed"], true);
    let all = get_json(&emu, "/_emulator/licenses").await;
    assert_eq!(all["licenses"].as_array().unwrap().len(), 1, "{all}");
}

#[tokio::test]
async fn a_tier_change_is_scheduled_and_throttling_is_set_over_http() {
    let emu = emulator().await;
    let path = format!("/_emulator/licenses/{DEMO_CONTRACT_SKU}/tier");
    let (status, view) = put_json(&emu, &path, r#"{"tier": "enterprise", "at": "+2h"}"#).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["tier"], "pro");
    assert_eq!(view["upgrades"][0]["tier"], "enterprise");
    let (_, view) = put_json(&emu, &path, r#"{"tier": "basic"}"#).await;
    assert_eq!(view["tier"], "basic", "without `at`: at once");
    for bad in [
        r#"{"tier": "ConcurrentUsers"}"#,
        r#"{"tier": "x", "at": "soon"}"#,
        "{}",
    ] {
        assert_eq!(put_json(&emu, &path, bad).await.0, 400, "{bad}");
    }
    let (status, _) = put_json(
        &emu,
        "/_emulator/licenses/prod-none/tier",
        r#"{"tier": "x"}"#,
    )
    .await;
    assert_eq!(status, 400);

    let (status, body) =
        put_json(&emu, "/_emulator/license-throttle", r#"{"next_calls": 1}"#).await;
    assert_eq!((status, body["next_calls"].clone()), (200, json!(1)));
    assert_eq!(
        get_json(&emu, "/_emulator/license-throttle").await["next_calls"],
        1
    );
    let e = license_client(&emu, CredentialSource::EcsTaskRole)
        .list_received_licenses()
        .send()
        .await
        .unwrap_err();
    assert_eq!(lm_code(e), "RateLimitExceededException");
    assert_eq!(
        get_json(&emu, "/_emulator/license-throttle").await["next_calls"],
        0
    );
    assert_eq!(
        put_json(&emu, "/_emulator/license-throttle", r#"{"next_calls": -1}"#)
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn the_ledger_shows_license_manager_once_called() {
    let emu = emulator().await;
    let before: Value = get_json(&emu, "/_emulator/ledger").await;
    assert!(before.get("licenses").is_none(), "{before}");
    assert!(!emu.ledger().to_table().contains("License Manager"));
    let client = license_client(&emu, CredentialSource::EcsTaskRole);
    let seat = checkout(&client)
        .entitlements(entitlement(
            "ConcurrentUsers",
            Some(2),
            aws_sdk_licensemanager::types::EntitlementDataUnit::Count,
        ))
        .send()
        .await
        .unwrap();
    let all = get_json(&emu, "/_emulator/licenses").await;
    assert_eq!(all["consumptions"][0]["entitlements"][0]["value"], 2);
    assert_eq!(
        all["consumptions"][0]["consumption_token"].as_str(),
        seat.license_consumption_token()
    );
    let l: Ledger = serde_json::from_value(get_json(&emu, "/_emulator/ledger").await).unwrap();
    assert_eq!(l, emu.ledger());
    assert_eq!(l.licenses.checkouts.len(), 1);
    assert_eq!(
        l.licenses
            .pool(DEMO_CONTRACT_SKU, "ConcurrentUsers")
            .unwrap()
            .in_use,
        2
    );
    let table = l.to_table();
    assert!(table.contains("License Manager: 1 checkouts"), "{table}");
    assert!(table.contains("ConcurrentUsers=2"), "{table}");
    assert!(
        table.lines().any(|line| line.contains("ConcurrentUsers")
            && line.contains("floating")
            && line.contains(" 3 ")),
        "{table}"
    );
    assert!(table.contains("CheckoutLicense=1"), "{table}");
}

#[tokio::test]
async fn license_tokens_are_minted_and_revoked() {
    let emu = emulator().await;
    let url = format!("{}/_emulator/license-tokens", emu.url());
    let post = |body: Value| http().post(&url).body(body.to_string()).send();
    let r = post(json!({ "sku": DEMO_CONTRACT_SKU, "days": 7 }))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let minted: Value = r.json().await.unwrap();
    let id = minted["id"].as_str().unwrap();
    assert_eq!(minted["token"].as_str().unwrap().split('.').count(), 3);
    let r = post(json!({ "sku": "prod-notheld" })).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = post(json!({ "license": DEMO_CONTRACT_SKU })).await.unwrap();
    assert_eq!(r.status().as_u16(), 400, "unknown fields are refused");
    for revoked in [true, false] {
        let r: Value = http()
            .delete(format!("{url}/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["revoked"], revoked, "{r}");
    }
}
