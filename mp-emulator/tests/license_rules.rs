//! License Manager's input rules (mp-marketplace-rules' `license` module: the product SKU, an
//! entitlement's name and its unit) agree three ways. The macros refuse at compile time what
//! these functions refuse (`product_sku = ".."` and every listing name go through
//! `check_product_sku` and `check_entitlement_name`, `in Unit` through
//! `EntitlementUnit::from_rust_name`); the emulator takes a license for exactly the SKUs,
//! names and units the rules accept; and it answers a real signed CheckoutLicense from the
//! real SDK client carrying them with a grant exactly when the rules accept them, a
//! `ValidationException` otherwise. The strings sit around the rules' edges: empty,
//! whitespace, separators, control and non-ASCII characters, long ones, and units spelt
//! almost as the model spells them.

mod support;

use aws_sdk_licensemanager::operation::checkout_license::CheckoutLicenseError as E;
use aws_sdk_licensemanager::types::{CheckoutType, EntitlementDataUnit};
use mp_emulator::credentials::CredentialSource;
use mp_emulator::license::{LicenseSpec, MARKETPLACE_KEY_FINGERPRINT};
use mp_emulator::{Emulator, EmulatorConfig};
use mp_marketplace_rules::license::{
    EntitlementUnit, check_entitlement_name, check_entitlement_unit, check_product_sku,
};
use proptest::prelude::*;
use serde_json::json;
use std::cell::Cell;
use std::time::Instant;
use support::*;

/// Each case sets a license and sends one request: a few hundred keep the run to seconds.
const CASES: u32 = 300;

/// Characters a SKU or a name might plausibly hold by mistake, or hold on purpose in a
/// seller's own naming: whitespace, the emulator grammar's separators, quotes, control and
/// non-ASCII characters.
const ODD: &[char] = &[
    ' ', '\t', '\n', '\r', '\0', '\u{1b}', '\u{7f}', ';', '=', '/', ':', '"', '\\', '\'', 'é', 'ß',
    '日', '\u{a0}', '\u{200b}', '😀',
];

/// A SKU or a name shaped like `base`: its characters with a suffix of 0 to 15 letters and
/// digits, sometimes with one character swapped for an odd one; empty or whitespace alone;
/// long; or any characters at all.
fn text(base: &'static str) -> impl Strategy<Value = String> {
    let swap = prop_oneof![
        3 => prop::sample::select(ODD),
        1 => prop::char::range(' ', '~'),
    ];
    let edged = (
        prop::collection::vec(
            prop_oneof![prop::char::range('a', 'z'), prop::char::range('0', '9')],
            0..16,
        ),
        prop::option::weighted(0.3, (any::<prop::sample::Index>(), swap)),
    )
        .prop_map(move |(suffix, swap)| {
            let mut chars: Vec<char> = base.chars().chain(suffix).collect();
            if let Some((at, c)) = swap {
                let i = at.index(chars.len());
                chars[i] = c;
            }
            chars.into_iter().collect()
        });
    prop_oneof![
        10 => edged,
        2 => prop::sample::select(vec!["", " ", "\t", "\n"]).prop_map(String::from),
        1 => prop::sample::select(vec![1usize, 255, 256, 2048, 4097]).prop_map(|n| "x".repeat(n)),
        1 => prop::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
    ]
}

/// A unit as the macros spell it (the SDK's variant name) and as the wire spells it: the
/// model's own, or both spellings broken the same way (case, a letter short, padding).
fn unit() -> impl Strategy<Value = (String, String)> {
    let model = prop::sample::select(EntitlementDataUnit::values().to_vec()).prop_map(|wire| {
        let rust = format!("{:?}", EntitlementDataUnit::from(wire));
        (rust, wire.to_string())
    });
    let broken = (model.clone(), 0..4u8).prop_map(|((rust, wire), how)| {
        let both = |f: &dyn Fn(&str) -> String| (f(&rust), f(&wire));
        match how {
            0 => both(&|s| s.to_lowercase()),
            1 => both(&|s| s[..s.len() - 1].to_string()),
            2 => both(&|s| format!(" {s}")),
            _ => both(&|s| format!("{s}s")),
        }
    });
    prop_oneof![
        4 => model,
        1 => broken,
        1 => prop::sample::select(vec!["", "Users", "count"])
            .prop_map(|s| (s.to_string(), s.to_string())),
    ]
}

/// The license the case grants: the name as a tier when the unit is `None`, otherwise as a
/// floating pool counted in the unit, in the emulator's JSON form (which reads the unit from
/// its wire name). `None` when the emulator cannot read it.
fn license(name: &str, wire: &str) -> Option<LicenseSpec> {
    let form = if wire == "None" {
        json!({ "tier": name })
    } else {
        json!({ "floating": [{ "name": name, "quantity": 1_000_000, "unit": wire }] })
    };
    serde_json::from_value(form).ok()
}

#[test]
fn the_emulator_grants_exactly_what_the_rules_accept() {
    let emu = Emulator::start_blocking(EmulatorConfig::default()).expect("the emulator starts");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = license_client(&emu, CredentialSource::EcsTaskRole);
    let start = Instant::now();
    let (granted, refused) = (Cell::new(0u32), Cell::new(0u32));
    let mut runner = proptest::test_runner::TestRunner::new(proptest_config(CASES));
    runner
        .run(
            &(text("prod-"), text("ConcurrentUsers"), unit()),
            |(sku, name, (rust, wire))| {
                let sku_ok = check_product_sku(&sku).is_ok();
                let name_ok = check_entitlement_name(&name).is_ok();
                let unit = check_entitlement_unit(&wire).ok();

                // The macros' `in Unit`: a unit that counts a quantity, by its Rust name.
                let macro_unit =
                    EntitlementUnit::from_rust_name(&rust).filter(|u| u.counts_quantity());
                prop_assert_eq!(
                    macro_unit,
                    unit.filter(|u| u.counts_quantity()),
                    "{} / {}",
                    rust,
                    wire
                );

                // The emulator takes a license for the SKU, the name and the unit.
                let set = license(&name, &wire).map(|spec| emu.set_license(&sku, &spec));
                prop_assert_eq!(
                    set.as_ref().is_some_and(Result::is_ok),
                    sku_ok && name_ok && unit.is_some(),
                    "license of {:?}: {:?} in {:?}: {:?}",
                    sku,
                    name,
                    wire,
                    set
                );

                let value = (wire != "None").then_some(1);
                let sent = rt.block_on(
                    client
                        .checkout_license()
                        .product_sku(&sku)
                        .checkout_type(CheckoutType::Provisional)
                        .key_fingerprint(MARKETPLACE_KEY_FINGERPRINT)
                        .client_token(format!("rules-{}", unique()))
                        .entitlements(entitlement(
                            &name,
                            value,
                            EntitlementDataUnit::from(wire.as_str()),
                        ))
                        .send(),
                );
                let accepted = sku_ok && name_ok && unit.is_some();
                match sent {
                    Ok(out) => {
                        prop_assert!(
                            accepted,
                            "the emulator granted {:?}: {:?} in {:?}",
                            sku,
                            name,
                            wire
                        );
                        let allowed = &out.entitlements_allowed()[0];
                        prop_assert_eq!(allowed.name(), name.as_str());
                        prop_assert_eq!(allowed.unit().as_str(), wire.as_str());
                        granted.set(granted.get() + 1);
                    }
                    Err(e) => {
                        let e = e.into_service_error();
                        prop_assert!(
                            matches!(e, E::ValidationException(_)),
                            "{:?} for {:?}: {:?} in {:?}",
                            e,
                            sku,
                            name,
                            wire
                        );
                        prop_assert!(
                            !accepted,
                            "the emulator refused {:?}: {:?} in {:?}: {:?}",
                            sku,
                            name,
                            wire,
                            e
                        );
                        refused.set(refused.get() + 1);
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    println!(
        "{CASES} cases: {} granted, {} refused, {:?}",
        granted.get(),
        refused.get(),
        start.elapsed()
    );
    // Both verdicts are reached often enough to mean something.
    assert!(granted.get() >= CASES / 10 && refused.get() >= CASES / 10);
}

/// The rules' units are the SDK's, value for value, and their Rust names are the SDK's
/// variant names, which the macros' `in Unit` takes.
#[test]
fn the_rules_list_the_units_the_sdk_lists() {
    let mut ours: Vec<&str> = EntitlementUnit::WIRE_NAMES.to_vec();
    ours.sort_unstable();
    for sdk in [
        aws_sdk_licensemanager::types::EntitlementUnit::values(),
        EntitlementDataUnit::values(),
    ] {
        let mut sdk = sdk.to_vec();
        sdk.sort_unstable();
        assert_eq!(ours, sdk);
    }
    for unit in EntitlementUnit::ALL {
        let sdk = EntitlementDataUnit::from(unit.as_str());
        assert_eq!(format!("{sdk:?}"), unit.rust_name());
    }
}
