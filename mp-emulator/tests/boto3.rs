//! boto3 against the emulator, through `mp-emulator run`: the wire protocol, SigV4 and error
//! shapes of the Metering Service and License Manager are right for another SDK than the Rust
//! one, not just for the client they were written with; and so are License Manager's license
//! tokens with STS.
//!
//! Needs python3 with boto3. Without it the test says so and passes, unless
//! `MP_REQUIRE_BOTO3` is set, as `.ci/run` does after installing boto3.

mod sdk_run;

use mp_emulator::{
    credentials::LICENSE_TOKEN_ROLE_ARN,
    license::DEMO_CONTRACT_SKU,
    metering::{DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT},
};
use std::process::Command;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/boto3/smoke.py");

fn boto3_available() -> Result<(), String> {
    Command::new("python3")
        .args(["-c", "import boto3"])
        .output()
        .is_ok_and(|out| out.status.success())
        .then_some(())
        .ok_or_else(|| "python3 cannot import boto3 (pip install boto3 to run this test)".into())
}

#[test]
fn boto3_speaks_to_the_emulator() {
    if !sdk_run::ready_or_skip(boto3_available(), "MP_REQUIRE_BOTO3") {
        return;
    }
    let (out, ledger) = sdk_run::run_under_emulator(
        "ecs",
        &[
            "python3",
            SCRIPT,
            DEMO_HOURLY_PRODUCT,
            DEMO_CUSTOM_PRODUCT,
            DEMO_CONTRACT_SKU,
            LICENSE_TOKEN_ROLE_ARN,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("boto3 smoke: 21 checks passed"), "{stdout}");
    assert!(
        stderr.contains("License Manager: 3 checkouts, 1 drawdowns, 1 extensions, 1 check-ins"),
        "{stderr}"
    );

    assert_eq!(ledger.registrations.len(), 1);
    assert_eq!(ledger.total(DEMO_CUSTOM_PRODUCT, "requests"), 5);
    assert_eq!(
        ledger.total(DEMO_CUSTOM_PRODUCT, "data_gb"),
        0,
        "a dry run records nothing"
    );
    let lic = &ledger.licenses;
    assert_eq!(lic.checkouts[2].caller, "license-token");
    assert_eq!(lic.drawn(DEMO_CONTRACT_SKU, "DataGB"), 10);
    assert_eq!(lic.replays, 1);
    assert_eq!(
        lic.pool(DEMO_CONTRACT_SKU, "ConcurrentUsers")
            .unwrap()
            .in_use,
        0
    );
}
