//! MeterUsage through the real SDK client: records, the hour lock, the 6-hour window (via the
//! emulator's clock), client-token idempotency, DryRun, allocations and every modelled error
//! (the AWS Marketplace Metering Service API reference, `MeterUsage`).

mod support;

use aws_sdk_marketplacemetering::error::SdkError;
use aws_sdk_marketplacemetering::operation::meter_usage::MeterUsageError as E;
use aws_sdk_marketplacemetering::operation::meter_usage::builders::MeterUsageFluentBuilder;
use aws_sdk_marketplacemetering::types::{Tag, UsageAllocation};
use aws_smithy_types::DateTime;
use mp_emulator::credentials::CredentialSource;
use mp_emulator::ledger::Allocation;
use mp_emulator::metering::{DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT, Pricing};
use mp_emulator::scenario::{DryRunAnswer, PlatformNotSupportedOn, Scenario};
use mp_emulator::{Emulator, EmulatorConfig};
use support::*;

/// A MeterUsage of the demo custom product's `requests` dimension, 10 minutes ago.
fn meter(emu: &Emulator, quantity: i32) -> MeterUsageFluentBuilder {
    meter_requests(&client(emu), emu, quantity)
}

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build().unwrap()
}

fn allocation(quantity: i32, tags: Vec<Tag>) -> UsageAllocation {
    UsageAllocation::builder()
        .allocated_usage_quantity(quantity)
        .set_tags(Some(tags))
        .build()
        .unwrap()
}

#[tokio::test]
async fn accepted_record_is_in_the_ledger_with_its_hour() {
    let emu = emulator().await;
    let out = meter(&emu, 7).send().await.unwrap();
    let id = out.metering_record_id().unwrap().to_string();
    assert_eq!(id.split('-').count(), 5, "UUID-like: {id}");
    let ledger = emu.ledger();
    let r = &ledger.records[0];
    assert_eq!(
        (r.dimension.as_str(), r.quantity, r.caller.as_str()),
        ("requests", 7, "ecs-task-role")
    );
    assert_eq!(r.hour % 3600, 0);
    assert_eq!(r.hour, (r.timestamp as u64) / 3600 * 3600);
    assert_eq!(r.record_id, id);
    assert!(r.client_token.is_some(), "the SDK fills a client token");
    assert_eq!(ledger.total(DEMO_CUSTOM_PRODUCT, "requests"), 7);
}

#[tokio::test]
async fn hour_lock_same_quantity_same_id_different_quantity_duplicate() {
    let emu = emulator().await;
    let ts = ago(&emu, 60);
    let first = meter(&emu, 5).timestamp(ts).send().await.unwrap();
    // A new SDK call (new client token), same hour and quantity: the same record.
    let again = meter(&emu, 5).timestamp(ts).send().await.unwrap();
    assert_eq!(first.metering_record_id(), again.metering_record_id());
    let e = error_of(meter(&emu, 6).timestamp(ts)).await;
    assert!(matches!(e, E::DuplicateRequestException(_)), "{e:?}");
    // Another dimension or another caller has its own record for the hour.
    meter(&emu, 6)
        .timestamp(ts)
        .usage_dimension("data_gb")
        .send()
        .await
        .unwrap();
    client_as(&emu, CredentialSource::Irsa, "us-east-1")
        .meter_usage()
        .product_code(DEMO_CUSTOM_PRODUCT)
        .usage_dimension("requests")
        .usage_quantity(6)
        .timestamp(ts)
        .send()
        .await
        .unwrap();
    let ledger = emu.ledger();
    assert_eq!(ledger.records.len(), 3);
    assert_eq!(ledger.rejection_count("DuplicateRequestException"), 1);
}

#[tokio::test]
async fn six_hour_window_follows_the_emulator_clock() {
    let emu = emulator().await;
    let base = 1_800_000_000u64; // a fixed "now" keeps the hour arithmetic readable
    emu.set_clock(epoch(base));
    let five_h_ago = DateTime::from_secs((base - 5 * 3600) as i64);
    meter(&emu, 1).timestamp(five_h_ago).send().await.unwrap();
    // Two hours later the same record is more than 6 hours old.
    emu.set_clock(epoch(base + 2 * 3600));
    let e = error_of(meter(&emu, 2).timestamp(five_h_ago)).await;
    assert!(matches!(e, E::TimestampOutOfBoundsException(_)), "{e:?}");
    // The future is refused too (beyond a few seconds of skew).
    let future = DateTime::from_secs((base + 3 * 3600) as i64);
    let e = error_of(meter(&emu, 2).timestamp(future)).await;
    assert!(matches!(e, E::TimestampOutOfBoundsException(_)), "{e:?}");
    // A timestamp with a fractional second inside the window is fine.
    let frac = DateTime::from_secs_f64((base + 2 * 3600) as f64 - 0.5);
    meter(&emu, 3).timestamp(frac).send().await.unwrap();
}

#[tokio::test]
async fn client_token_reuse_same_params_same_answer_different_params_conflict() {
    let emu = emulator().await;
    let ts = ago(&emu, 60);
    let first = meter(&emu, 4)
        .timestamp(ts)
        .client_token("tok-1")
        .send()
        .await
        .unwrap();
    let again = meter(&emu, 4)
        .timestamp(ts)
        .client_token("tok-1")
        .send()
        .await
        .unwrap();
    assert_eq!(first.metering_record_id(), again.metering_record_id());
    let e = error_of(meter(&emu, 9).timestamp(ts).client_token("tok-1")).await;
    assert!(matches!(e, E::IdempotencyConflictException(_)), "{e:?}");
    assert_eq!(emu.ledger().records.len(), 1);
}

#[tokio::test]
async fn dry_run_records_nothing_and_answers_either_way() {
    let emu = emulator().await;
    let out = meter(&emu, 1).dry_run(true).send().await.unwrap();
    assert!(out.metering_record_id().is_none());
    emu.set_scenario(Scenario::entitled().dry_run_answer(DryRunAnswer::DryRunOperation));
    let err = meter(&emu, 1).dry_run(true).send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("DryRunOperation"));
    assert!(emu.ledger().records.is_empty());
    // A dry run still validates: an unknown dimension is refused.
    let e = error_of(meter(&emu, 1).dry_run(true).usage_dimension("nope")).await;
    assert!(matches!(e, E::InvalidUsageDimensionException(_)), "{e:?}");
    // And a not-entitled buyer's dry run says so.
    emu.set_scenario(Scenario::not_entitled());
    let e = error_of(meter(&emu, 1).dry_run(true)).await;
    assert!(matches!(e, E::CustomerNotEntitledException(_)), "{e:?}");
}

#[tokio::test]
async fn unknown_dimension_and_hourly_product_are_invalid_usage_dimension() {
    let emu = emulator().await;
    let e = error_of(meter(&emu, 1).usage_dimension("reqests")).await;
    assert!(matches!(e, E::InvalidUsageDimensionException(_)), "{e:?}");
    let e = error_of(meter(&emu, 1).product_code(DEMO_HOURLY_PRODUCT)).await;
    assert!(matches!(e, E::InvalidUsageDimensionException(_)), "{e:?}");
}

#[tokio::test]
async fn allocations_are_recorded_when_they_sum_to_the_quantity() {
    let emu = emulator().await;
    meter(&emu, 10)
        .usage_allocations(allocation(6, vec![tag("tenant", "acme")]))
        .usage_allocations(allocation(
            4,
            vec![tag("tenant", "globex"), tag("tier", "gold")],
        ))
        .send()
        .await
        .unwrap();
    let r = &emu.ledger().records[0];
    assert_eq!(r.allocations.len(), 2);
    assert_eq!(r.allocations[1].tags[1].key, "tier");
}

#[tokio::test]
async fn an_allocation_without_tags_is_the_untagged_share() {
    let emu = emulator().await;
    let untagged = UsageAllocation::builder()
        .allocated_usage_quantity(4)
        .build()
        .unwrap();
    meter(&emu, 10)
        .usage_allocations(allocation(6, vec![tag("tenant", "acme")]))
        .usage_allocations(untagged)
        .send()
        .await
        .unwrap();
    let ledger = emu.ledger();
    let r = &ledger.records[0];
    assert_eq!(r.allocations[1], Allocation::untagged(4));
    assert!(!r.allocations[0].is_untagged());
    assert!(
        ledger.to_table().contains("4  untagged"),
        "{}",
        ledger.to_table()
    );
}

#[tokio::test]
async fn allocation_rules_give_their_typed_errors() {
    let emu = emulator().await;
    let e = error_of(meter(&emu, 10).usage_allocations(allocation(6, vec![tag("t", "a")]))).await;
    assert!(
        matches!(e, E::InvalidUsageAllocationsException(_)),
        "sum: {e:?}"
    );

    let too_many = (0..2501)
        .map(|_| allocation(0, vec![tag("t", "a")]))
        .collect();
    let e = error_of(meter(&emu, 0).set_usage_allocations(Some(too_many))).await;
    assert!(
        matches!(e, E::InvalidUsageAllocationsException(_)),
        "count: {e:?}"
    );

    let six_tags = (0..6).map(|i| tag(&format!("k{i}"), "v")).collect();
    let e = error_of(meter(&emu, 1).usage_allocations(allocation(1, six_tags))).await;
    assert!(matches!(e, E::InvalidTagException(_)), "6 tags: {e:?}");

    let e = error_of(meter(&emu, 1).usage_allocations(allocation(1, vec![]))).await;
    assert!(matches!(e, E::InvalidTagException(_)), "no tags: {e:?}");

    let long_key = tag(&"k".repeat(101), "v");
    let e = error_of(meter(&emu, 1).usage_allocations(allocation(1, vec![long_key]))).await;
    assert!(matches!(e, E::InvalidTagException(_)), "long key: {e:?}");

    let long_value = tag("k", &"v".repeat(257));
    let e = error_of(meter(&emu, 1).usage_allocations(allocation(1, vec![long_value]))).await;
    assert!(matches!(e, E::InvalidTagException(_)), "long value: {e:?}");

    for value in ["hello!", "ünïcode", "a<b"] {
        let bad = tag("k", value);
        let e = error_of(meter(&emu, 1).usage_allocations(allocation(1, vec![bad]))).await;
        assert!(matches!(e, E::InvalidTagException(_)), "{value:?}: {e:?}");
    }

    let twice = vec![tag("k", "a"), tag("k", "b")];
    let e = error_of(meter(&emu, 1).usage_allocations(allocation(1, twice))).await;
    assert!(matches!(e, E::InvalidTagException(_)), "a key twice: {e:?}");

    // The limits themselves are accepted.
    let max = (0..5)
        .map(|i| tag(&format!("{i}{}", "k".repeat(99)), &"v".repeat(256)))
        .collect();
    meter(&emu, 1)
        .usage_allocations(allocation(1, max))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn quantity_range_is_enforced() {
    let emu = emulator().await;
    let err = meter(&emu, -1).send().await.unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("ValidationException"));
    meter(&emu, i32::MAX).send().await.unwrap();
    meter(&emu, 0)
        .usage_dimension("data_gb")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn scenarios_and_regions_give_their_typed_errors() {
    let emu = emulator().await;
    emu.set_scenario(Scenario::not_entitled());
    assert!(matches!(
        error_of(meter(&emu, 1)).await,
        E::CustomerNotEntitledException(_)
    ));
    emu.set_scenario(Scenario::wrong_region());
    assert!(matches!(
        error_of(meter(&emu, 1)).await,
        E::InvalidEndpointRegionException(_)
    ));
    emu.set_scenario(Scenario::unknown_product());
    assert!(matches!(
        error_of(meter(&emu, 1)).await,
        E::InvalidProductCodeException(_)
    ));
    emu.set_scenario(Scenario::entitled().throttle(1.0));
    assert!(matches!(
        error_of(meter(&emu, 1)).await,
        E::ThrottlingException(_)
    ));
    emu.set_scenario(Scenario::entitled().server_errors(1.0));
    assert!(matches!(
        error_of(meter(&emu, 1)).await,
        E::InternalServiceErrorException(_)
    ));
    // MeterUsage models no platform error: an unsupported platform still meters.
    emu.set_scenario(Scenario::platform_not_supported());
    meter(&emu, 1).send().await.unwrap();

    emu.set_scenario(Scenario::entitled());
    let e = error_of(meter(&emu, 1).product_code("nosuchproduct")).await;
    assert!(matches!(e, E::InvalidProductCodeException(_)), "{e:?}");
    let other_region = client_as(&emu, CredentialSource::EcsTaskRole, "ap-southeast-2");
    let e = other_region
        .meter_usage()
        .product_code(DEMO_CUSTOM_PRODUCT)
        .usage_dimension("requests")
        .usage_quantity(1)
        .timestamp(ago(&emu, 60))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(e, E::InvalidEndpointRegionException(_)), "{e:?}");
    assert_eq!(emu.ledger().records.len(), 1);
}

#[tokio::test]
async fn platform_not_supported_can_refuse_meter_usage_too() {
    use aws_sdk_marketplacemetering::error::ProvideErrorMetadata;
    let emu = emulator_in(
        Scenario::platform_not_supported().platform_not_supported_on(PlatformNotSupportedOn::Both),
    )
    .await;
    for dry_run in [false, true] {
        let err = meter(&emu, 1).dry_run(dry_run).send().await.unwrap_err();
        assert_eq!(err.raw_response().unwrap().status().as_u16(), 400);
        // The model lists no such MeterUsage error: the SDK knows it by its code only.
        let e = err.into_service_error();
        assert_eq!(e.code(), Some("PlatformNotSupportedException"), "{e:?}");
    }
    let register = register_demo(&client(&emu))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        register.is_platform_not_supported_exception(),
        "{register:?}"
    );
    let ledger = emu.ledger();
    assert!(ledger.records.is_empty());
    assert_eq!(ledger.rejection_count("PlatformNotSupportedException"), 3);
}

#[tokio::test]
async fn configured_products_replace_the_demo_ones() {
    let emu =
        Emulator::start(EmulatorConfig::default().product("myproduct", Pricing::Custom, &["gb"]))
            .await
            .unwrap();
    meter(&emu, 1)
        .product_code("myproduct")
        .usage_dimension("gb")
        .send()
        .await
        .unwrap();
    let e = error_of(meter(&emu, 1)).await;
    assert!(matches!(e, E::InvalidProductCodeException(_)), "{e:?}");
}

/// Keeps the SdkError import honest for readers: errors carry the raw HTTP response.
#[tokio::test]
async fn errors_are_400_with_the_aws_error_header() {
    let emu = emulator_in(Scenario::not_entitled()).await;
    let err: SdkError<E, _> = meter(&emu, 1).send().await.unwrap_err();
    let raw = err.raw_response().unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    assert_eq!(
        raw.headers().get("x-amzn-errortype"),
        Some("CustomerNotEntitledException")
    );
}
