//! GetLicense and ListReceivedLicenses through the real client: the licenses granted to the
//! buyer's account in the model's shape, their status, versions, filters and pages.

mod support;

use aws_sdk_licensemanager::operation::get_license::GetLicenseError;
use aws_sdk_licensemanager::operation::list_received_licenses::ListReceivedLicensesError;
use aws_sdk_licensemanager::types::{EntitlementUnit, Filter, LicenseStatus};
use mp_emulator::credentials::{ACCOUNT_ID, CredentialSource};
use mp_emulator::license::{DEMO_CONTRACT_SKU, LicenseSpec, MARKETPLACE_KEY_FINGERPRINT};
use mp_emulator::{Emulator, EmulatorConfig};
use std::time::{Duration, SystemTime};
use support::*;

fn lm(emu: &Emulator) -> aws_sdk_licensemanager::Client {
    license_client(emu, CredentialSource::EcsTaskRole)
}

async fn three_licenses() -> Emulator {
    Emulator::start(
        EmulatorConfig::default()
            .license("prod-a", LicenseSpec::demo())
            .license("prod-b", "tier:basic".parse().unwrap())
            .license("prod-c", "tier:pro;expires:-1d".parse().unwrap()),
    )
    .await
    .unwrap()
}

/// GetLicense of `arn`.
async fn license_of(emu: &Emulator, arn: &str) -> aws_sdk_licensemanager::types::License {
    lm(emu)
        .get_license()
        .license_arn(arn)
        .send()
        .await
        .unwrap()
        .license
        .unwrap()
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

#[tokio::test]
async fn the_demo_license_in_the_models_shape() {
    let emu = emulator().await;
    let listed = lm(&emu).list_received_licenses().send().await.unwrap();
    assert_eq!(listed.licenses().len(), 1);
    let granted = &listed.licenses()[0];
    assert_eq!(granted.product_sku(), Some(DEMO_CONTRACT_SKU));
    let received = granted.received_metadata().unwrap();
    assert_eq!(received.received_status().unwrap().as_str(), "ACTIVE");
    let arn = granted.license_arn().unwrap();

    let license = license_of(&emu, arn).await;
    assert_eq!(license.status(), Some(&LicenseStatus::Available));
    assert_eq!(license.home_region(), Some("us-east-1"));
    assert_eq!(license.beneficiary(), Some(ACCOUNT_ID));
    assert_eq!(license.version(), Some("1"));
    let issuer = license.issuer().unwrap();
    assert_eq!(issuer.key_fingerprint(), Some(MARKETPLACE_KEY_FINGERPRINT));
    assert_eq!(issuer.name(), Some("AWS/Marketplace"));
    let entitlements: Vec<_> = license
        .entitlements()
        .iter()
        .map(|e| (e.name(), e.unit(), e.max_count(), e.allow_check_in()))
        .collect();
    assert_eq!(
        entitlements,
        [
            ("pro", &EntitlementUnit::None, None, Some(true)),
            (
                "ConcurrentUsers",
                &EntitlementUnit::Count,
                Some(5),
                Some(true)
            ),
            (
                "DataGB",
                &EntitlementUnit::Gigabytes,
                Some(100),
                Some(false)
            ),
        ]
    );
    let ttl = license
        .consumption_configuration()
        .and_then(|c| c.provisional_configuration())
        .map(|p| p.max_time_to_live_in_minutes());
    assert_eq!(ttl, Some(60));
    let validity = license.validity().unwrap();
    let parse = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
    };
    let term = parse(validity.end().unwrap()) - parse(validity.begin());
    assert_eq!(term.whole_days(), 365);
}

#[tokio::test]
async fn a_tier_change_is_a_new_version_and_an_expired_license_says_so() {
    let emu = emulator().await;
    let arn = lm(&emu)
        .list_received_licenses()
        .send()
        .await
        .unwrap()
        .licenses()[0]
        .license_arn()
        .unwrap()
        .to_string();
    emu.change_tier_at(DEMO_CONTRACT_SKU, "enterprise", emu.now())
        .unwrap();
    let license = license_of(&emu, &arn).await;
    assert_eq!(license.version(), Some("2"));
    assert_eq!(license.entitlements()[0].name(), "enterprise");
    let e = lm(&emu)
        .get_license()
        .license_arn(&arn)
        .version("1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(e, GetLicenseError::InvalidParameterValueException(_)),
        "{e:?}"
    );

    emu.set_clock(SystemTime::now() + Duration::from_secs(366 * 86_400));
    let license = license_of(&emu, &arn).await;
    assert_eq!(license.status(), Some(&LicenseStatus::Expired));
}

#[tokio::test]
async fn filters_arns_and_pages() {
    let emu = three_licenses().await;
    let client = lm(&emu);
    let skus = |out: &aws_sdk_licensemanager::operation::list_received_licenses::ListReceivedLicensesOutput| {
        out.licenses()
            .iter()
            .map(|l| l.product_sku().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let all = client.list_received_licenses().send().await.unwrap();
    assert_eq!(skus(&all), ["prod-a", "prod-b", "prod-c"]);
    let expired = client
        .list_received_licenses()
        .filters(filter("Status", "EXPIRED"))
        .send()
        .await
        .unwrap();
    assert_eq!(skus(&expired), ["prod-c"]);
    let by_sku = client
        .list_received_licenses()
        .filters(filter("ProductSKU", "prod-b"))
        .filters(filter("Fingerprint", MARKETPLACE_KEY_FINGERPRINT))
        .send()
        .await
        .unwrap();
    assert_eq!(skus(&by_sku), ["prod-b"]);
    let arn_a = all.licenses()[0].license_arn().unwrap();
    let by_arn = client
        .list_received_licenses()
        .license_arns(arn_a)
        .send()
        .await
        .unwrap();
    assert_eq!(skus(&by_arn), ["prod-a"]);

    let mut seen = Vec::new();
    let mut next = None;
    loop {
        let page = client
            .list_received_licenses()
            .max_results(2)
            .set_next_token(next)
            .send()
            .await
            .unwrap();
        seen.extend(skus(&page));
        next = page.next_token().map(str::to_string);
        if next.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["prod-a", "prod-b", "prod-c"]);
}

#[tokio::test]
async fn bad_requests_get_the_models_errors() {
    let emu = emulator().await;
    let client = lm(&emu);
    let e = refused(client.get_license().license_arn("not-an-arn").send()).await;
    assert!(
        matches!(e, GetLicenseError::ValidationException(_)),
        "{e:?}"
    );
    let e = refused(
        client
            .get_license()
            .license_arn(
                "arn:aws:license-manager::294406891311:license:l-00000000000000000000000000000000",
            )
            .send(),
    )
    .await;
    assert!(
        matches!(e, GetLicenseError::InvalidParameterValueException(_)),
        "{e:?}"
    );
    let e = refused(
        client
            .list_received_licenses()
            .filters(filter("Colour", "blue"))
            .send(),
    )
    .await;
    assert!(
        matches!(
            e,
            ListReceivedLicensesError::InvalidParameterValueException(_)
        ),
        "{e:?}"
    );
    assert!(e.meta().message().unwrap().contains("ProductSKU"), "{e:?}");
    for bad in [0, 101] {
        let e = refused(client.list_received_licenses().max_results(bad).send()).await;
        assert!(
            matches!(e, ListReceivedLicensesError::ValidationException(_)),
            "{bad}: {e:?}"
        );
    }
    let e = refused(client.list_received_licenses().next_token("forged").send()).await;
    assert!(
        matches!(
            e,
            ListReceivedLicensesError::InvalidParameterValueException(_)
        ),
        "{e:?}"
    );
}
