//! The ledger's JSON members are those of its schema version: a ledger with every optional
//! member present serializes to exactly the member paths below. A change here is a change to
//! the schema sellers script against: document it in docs/ledger.md, and raise
//! `LEDGER_SCHEMA_VERSION` when a member is removed, renamed or changes meaning.

use mp_emulator::ledger::{
    Allocation, LEDGER_SCHEMA_VERSION, Ledger, MeterRecord, Registration, Tag,
};
use mp_emulator::license::{
    Checkout, ConsumptionEvent, EntitlementAmount, PoolLevel, Refusal, TierChange,
};
use serde_json::Value;
use std::collections::BTreeSet;

/// Every member path of schema version 1 (`[]` for an array's items).
const VERSION_1: &[&str] = &[
    "version",
    "registrations[].product_code",
    "registrations[].public_key_version",
    "registrations[].nonce",
    "registrations[].caller",
    "registrations[].replica",
    "registrations[].at",
    "records[].product_code",
    "records[].dimension",
    "records[].hour",
    "records[].timestamp",
    "records[].quantity",
    "records[].allocations[].quantity",
    "records[].allocations[].tags[].key",
    "records[].allocations[].tags[].value",
    "records[].record_id",
    "records[].client_token",
    "records[].caller",
    "records[].replica",
    "requests.MeterUsage",
    "rejections.ThrottlingException",
    "licenses.checkouts[].sku",
    "licenses.checkouts[].license_arn",
    "licenses.checkouts[].checkout_type",
    "licenses.checkouts[].entitlements[].name",
    "licenses.checkouts[].entitlements[].unit",
    "licenses.checkouts[].entitlements[].value",
    "licenses.checkouts[].consumption_token",
    "licenses.checkouts[].client_token",
    "licenses.checkouts[].node_id",
    "licenses.checkouts[].caller",
    "licenses.checkouts[].replica",
    "licenses.checkouts[].at",
    "licenses.checkouts[].expires_at",
    "licenses.drawdowns[].sku",
    "licenses.drawdowns[].license_arn",
    "licenses.drawdowns[].checkout_type",
    "licenses.drawdowns[].entitlements[].name",
    "licenses.drawdowns[].entitlements[].unit",
    "licenses.drawdowns[].entitlements[].value",
    "licenses.drawdowns[].consumption_token",
    "licenses.drawdowns[].client_token",
    "licenses.drawdowns[].node_id",
    "licenses.drawdowns[].caller",
    "licenses.drawdowns[].replica",
    "licenses.drawdowns[].at",
    "licenses.drawdowns[].expires_at",
    "licenses.extensions[].sku",
    "licenses.extensions[].consumption_token",
    "licenses.extensions[].entitlements[].name",
    "licenses.extensions[].entitlements[].unit",
    "licenses.extensions[].entitlements[].value",
    "licenses.extensions[].caller",
    "licenses.extensions[].replica",
    "licenses.extensions[].at",
    "licenses.extensions[].expires_at",
    "licenses.check_ins[].sku",
    "licenses.check_ins[].consumption_token",
    "licenses.check_ins[].entitlements[].name",
    "licenses.check_ins[].entitlements[].unit",
    "licenses.check_ins[].entitlements[].value",
    "licenses.check_ins[].caller",
    "licenses.check_ins[].replica",
    "licenses.check_ins[].at",
    "licenses.lapses[].sku",
    "licenses.lapses[].consumption_token",
    "licenses.lapses[].entitlements[].name",
    "licenses.lapses[].entitlements[].unit",
    "licenses.lapses[].entitlements[].value",
    "licenses.lapses[].caller",
    "licenses.lapses[].replica",
    "licenses.lapses[].at",
    "licenses.tier_changes[].sku",
    "licenses.tier_changes[].from",
    "licenses.tier_changes[].to",
    "licenses.tier_changes[].at",
    "licenses.refusals[].operation",
    "licenses.refusals[].sku",
    "licenses.refusals[].error",
    "licenses.refusals[].message",
    "licenses.refusals[].caller",
    "licenses.refusals[].replica",
    "licenses.refusals[].at",
    "licenses.replays",
    "licenses.pools[].sku",
    "licenses.pools[].entitlement",
    "licenses.pools[].kind",
    "licenses.pools[].unit",
    "licenses.pools[].size",
    "licenses.pools[].in_use",
    "licenses.pools[].available",
];

#[test]
fn the_ledger_json_has_exactly_the_members_of_its_schema_version() {
    assert_eq!(LEDGER_SCHEMA_VERSION, 1, "a new version needs its own list");
    let json = serde_json::to_value(everything()).unwrap();
    let mut got = BTreeSet::new();
    paths(&json, "", &mut got);
    let want: BTreeSet<String> = VERSION_1.iter().map(|p| p.to_string()).collect();
    let added: Vec<_> = got.difference(&want).collect();
    let removed: Vec<_> = want.difference(&got).collect();
    assert!(
        added.is_empty() && removed.is_empty(),
        "the ledger's JSON changed: added {added:?}, removed {removed:?}; document it in \
         docs/ledger.md, and raise LEDGER_SCHEMA_VERSION if anything was removed or renamed"
    );
    assert_eq!(json["version"], 1);
}

/// The leaf member paths of `value`.
fn paths(value: &Value, at: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                let path = if at.is_empty() {
                    name.clone()
                } else {
                    format!("{at}.{name}")
                };
                paths(member, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                paths(item, &format!("{at}[]"), out);
            }
        }
        _ => {
            out.insert(at.to_owned());
        }
    }
}

/// A ledger with every member present once (optional ones with a value).
fn everything() -> Ledger {
    let amount = EntitlementAmount {
        name: "ConcurrentUsers".into(),
        unit: "Count".into(),
        value: Some(1),
    };
    let checkout = Checkout {
        sku: "prod-sku".into(),
        license_arn: "arn:aws:license-manager::294406891311:license:l-0".into(),
        checkout_type: "PROVISIONAL".into(),
        entitlements: vec![amount.clone()],
        consumption_token: "token".into(),
        client_token: "client".into(),
        node_id: Some("node".into()),
        caller: "irsa".into(),
        replica: Some("pod-a".into()),
        at: 1.0,
        expires_at: 2.0,
    };
    let event = ConsumptionEvent {
        sku: "prod-sku".into(),
        consumption_token: "token".into(),
        entitlements: vec![amount],
        caller: "irsa".into(),
        replica: Some("pod-a".into()),
        at: 1.0,
        expires_at: Some(2.0),
    };
    let ended = ConsumptionEvent {
        expires_at: None,
        ..event.clone()
    };
    let mut ledger = Ledger::default();
    ledger.registrations.push(Registration {
        product_code: "p".into(),
        public_key_version: 1,
        nonce: Some("n".into()),
        caller: "ecs-task-role".into(),
        replica: Some("task-2".into()),
        at: 1,
    });
    ledger.records.push(MeterRecord {
        product_code: "p".into(),
        dimension: "requests".into(),
        hour: 0,
        timestamp: 1.0,
        quantity: 1,
        allocations: vec![Allocation {
            quantity: 1,
            tags: vec![Tag {
                key: "tenant".into(),
                value: "acme".into(),
            }],
        }],
        record_id: "r".into(),
        client_token: Some("c".into()),
        caller: "irsa".into(),
        replica: Some("pod-a".into()),
    });
    ledger.requests.insert("MeterUsage".into(), 1);
    ledger.rejections.insert("ThrottlingException".into(), 1);
    let lic = &mut ledger.licenses;
    lic.checkouts.push(checkout.clone());
    lic.drawdowns.push(Checkout {
        checkout_type: "PERPETUAL".into(),
        ..checkout
    });
    lic.extensions.push(event);
    lic.check_ins.push(ended.clone());
    lic.lapses.push(ended);
    lic.tier_changes.push(TierChange {
        sku: "prod-sku".into(),
        from: Some("basic".into()),
        to: "pro".into(),
        at: 1.0,
    });
    lic.refusals.push(Refusal {
        operation: "CheckoutLicense".into(),
        sku: Some("prod-sku".into()),
        error: "NoEntitlementsAllowedException".into(),
        message: "m".into(),
        caller: Some("irsa".into()),
        replica: Some("pod-a".into()),
        at: 1.0,
    });
    lic.replays = 1;
    lic.pools.push(PoolLevel {
        sku: "prod-sku".into(),
        entitlement: "ConcurrentUsers".into(),
        kind: "floating".into(),
        unit: "Count".into(),
        size: 5,
        in_use: 1,
        available: 4,
    });
    ledger
}
