//! What happens to a floating checkout after it, on the emulator clock: it returns to its
//! pool 60 minutes after its checkout or last extension, at once on check-in, never while
//! it is extended in time; a consumption gone answers ResourceNotFoundException.

mod support;

use aws_sdk_licensemanager::operation::check_in_license::CheckInLicenseError as CheckInError;
use aws_sdk_licensemanager::operation::extend_license_consumption::ExtendLicenseConsumptionError as ExtendError;
use aws_sdk_licensemanager::types::{CheckoutType, EntitlementDataUnit as Unit};
use mp_emulator::Emulator;
use mp_emulator::credentials::CredentialSource;
use mp_emulator::license::DEMO_CONTRACT_SKU;
use std::time::{Duration, SystemTime};
use support::*;

fn lm(emu: &Emulator) -> aws_sdk_licensemanager::Client {
    license_client(emu, CredentialSource::EcsTaskRole)
}

fn seats_in_use(emu: &Emulator) -> u64 {
    emu.pool_levels()
        .into_iter()
        .find(|p| p.sku == DEMO_CONTRACT_SKU && p.entitlement == "ConcurrentUsers")
        .unwrap()
        .in_use
}

fn time_of(iso: Option<&str>) -> SystemTime {
    let t =
        time::OffsetDateTime::parse(iso.unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    SystemTime::from(t)
}

/// Checks out one seat; its consumption token and when it was issued (whole seconds).
async fn one_seat(emu: &Emulator) -> (String, SystemTime) {
    let out = checkout(&lm(emu))
        .entitlements(entitlement("ConcurrentUsers", Some(1), Unit::Count))
        .send()
        .await
        .unwrap();
    (
        out.license_consumption_token().unwrap().to_string(),
        time_of(out.issued_at()),
    )
}

const MINUTE: Duration = Duration::from_secs(60);

/// The error an ExtendLicenseConsumption of `token` must get.
async fn extend_refused(emu: &Emulator, token: &str) -> ExtendError {
    lm(emu)
        .extend_license_consumption()
        .license_consumption_token(token)
        .send()
        .await
        .unwrap_err()
        .into_service_error()
}

/// The error a CheckInLicense of `token` must get.
async fn check_in_refused(emu: &Emulator, token: &str) -> CheckInError {
    lm(emu)
        .check_in_license()
        .license_consumption_token(token)
        .send()
        .await
        .unwrap_err()
        .into_service_error()
}

#[tokio::test]
async fn an_unextended_seat_returns_60_minutes_after_its_checkout() {
    let emu = emulator().await;
    let (token, issued) = one_seat(&emu).await;
    emu.set_clock(issued + 60 * MINUTE - Duration::from_secs(1));
    assert_eq!(seats_in_use(&emu), 1, "held until its 60 minutes are up");
    emu.set_clock(issued + 60 * MINUTE + Duration::from_secs(2));
    assert_eq!(seats_in_use(&emu), 0, "back in the pool once they are");
    let e = extend_refused(&emu, &token).await;
    assert!(
        matches!(e, ExtendError::ResourceNotFoundException(_)),
        "{e:?}"
    );
    let e = check_in_refused(&emu, &token).await;
    assert!(
        matches!(e, CheckInError::ResourceNotFoundException(_)),
        "{e:?}"
    );
    let ledger = emu.ledger();
    let lapse = &ledger.licenses.lapses[0];
    assert_eq!(lapse.consumption_token, token);
    let expected = issued
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        + 3600.0;
    assert!((expected..=expected + 1.0).contains(&lapse.at), "{lapse:?}");
    assert_eq!(lapse.caller, "ecs-task-role");
}

#[tokio::test]
async fn extending_holds_the_seat_60_minutes_from_the_extension() {
    let emu = emulator().await;
    let (token, issued) = one_seat(&emu).await;
    emu.set_clock(issued + 50 * MINUTE);
    let out = lm(&emu)
        .extend_license_consumption()
        .license_consumption_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.license_consumption_token(), Some(token.as_str()));
    let expiration = time_of(out.expiration());
    let want = issued + 110 * MINUTE;
    let off = expiration
        .duration_since(want)
        .unwrap_or_else(|e| e.duration());
    assert!(off <= Duration::from_secs(2), "{:?}", out.expiration());
    emu.set_clock(issued + 109 * MINUTE);
    assert_eq!(seats_in_use(&emu), 1);
    emu.set_clock(expiration + Duration::from_secs(2));
    assert_eq!(seats_in_use(&emu), 0);
    let ledger = emu.ledger();
    assert_eq!(ledger.licenses.extensions.len(), 1);
    assert_eq!(ledger.licenses.lapses.len(), 1);
}

#[tokio::test]
async fn a_seat_extended_every_50_minutes_for_3_hours_never_returns() {
    let emu = emulator().await;
    let (token, issued) = one_seat(&emu).await;
    for step in 1..=4 {
        emu.set_clock(issued + step * 50 * MINUTE);
        assert_eq!(seats_in_use(&emu), 1, "at {} minutes", step * 50);
        lm(&emu)
            .extend_license_consumption()
            .license_consumption_token(&token)
            .send()
            .await
            .unwrap();
    }
    emu.set_clock(issued + 240 * MINUTE);
    assert_eq!(seats_in_use(&emu), 1);
    let ledger = emu.ledger();
    assert!(
        ledger.licenses.lapses.is_empty(),
        "{:?}",
        ledger.licenses.lapses
    );
    assert_eq!(ledger.licenses.extensions.len(), 4);
}

#[tokio::test]
async fn a_check_in_returns_the_seat_at_once_and_only_once() {
    let emu = emulator().await;
    let (token, _) = one_seat(&emu).await;
    let client = lm(&emu);
    client
        .check_in_license()
        .license_consumption_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(seats_in_use(&emu), 0);
    let e = check_in_refused(&emu, &token).await;
    assert!(
        matches!(e, CheckInError::ResourceNotFoundException(_)),
        "{e:?}"
    );
    assert!(e.meta().message().unwrap().contains(&token), "{e:?}");
    let ledger = emu.ledger();
    assert_eq!(ledger.licenses.check_ins.len(), 1);
    assert!(
        ledger.licenses.lapses.is_empty(),
        "a checked-in seat never lapses"
    );
}

#[tokio::test]
async fn a_dry_run_extension_changes_nothing() {
    let emu = emulator().await;
    let (token, issued) = one_seat(&emu).await;
    emu.set_clock(issued + 30 * MINUTE);
    let out = lm(&emu)
        .extend_license_consumption()
        .license_consumption_token(&token)
        .dry_run(true)
        .send()
        .await
        .unwrap();
    assert_eq!(time_of(out.expiration()), issued + 60 * MINUTE);
    assert!(emu.ledger().licenses.extensions.is_empty());
}

#[tokio::test]
async fn a_drawdown_cannot_be_checked_in_or_extended() {
    let emu = emulator().await;
    let out = checkout(&lm(&emu))
        .checkout_type(CheckoutType::Perpetual)
        .entitlements(entitlement("DataGB", Some(5), Unit::Gigabytes))
        .send()
        .await
        .unwrap();
    let token = out.license_consumption_token().unwrap();
    let e = check_in_refused(&emu, token).await;
    assert!(matches!(e, CheckInError::ValidationException(_)), "{e:?}");
    let e = extend_refused(&emu, token).await;
    assert!(matches!(e, ExtendError::ValidationException(_)), "{e:?}");
    // Drawn for good, whatever the clock does.
    emu.set_clock(SystemTime::now() + 48 * 60 * MINUTE);
    assert_eq!(emu.ledger().licenses.drawn(DEMO_CONTRACT_SKU, "DataGB"), 5);
    let level = emu
        .pool_levels()
        .into_iter()
        .find(|p| p.entitlement == "DataGB")
        .unwrap();
    assert_eq!(level.available, 95);
}

#[tokio::test]
async fn an_unknown_consumption_token_is_not_found() {
    let emu = emulator().await;
    let e = extend_refused(&emu, "never-issued").await;
    assert!(
        matches!(e, ExtendError::ResourceNotFoundException(_)),
        "{e:?}"
    );
}

#[tokio::test]
async fn taking_the_license_away_ends_its_consumptions() {
    let emu = emulator().await;
    let (token, _) = one_seat(&emu).await;
    assert!(emu.remove_license(DEMO_CONTRACT_SKU));
    let e = extend_refused(&emu, &token).await;
    assert!(
        matches!(e, ExtendError::ResourceNotFoundException(_)),
        "{e:?}"
    );
}
