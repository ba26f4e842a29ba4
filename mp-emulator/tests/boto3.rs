//! boto3 against the emulator, through `mp-emulator run`: the wire protocol, SigV4 and error
//! shapes of the Metering Service and License Manager are right for another SDK than the Rust
//! one, not just for the client they were written with; and so are License Manager's license
//! tokens with STS.
//!
//! Needs python3 with boto3. Without it the test says so and passes, unless
//! `MP_REQUIRE_BOTO3` is set, as `.ci/run` does after installing boto3.

use mp_emulator::{
    credentials::LICENSE_TOKEN_ROLE_ARN,
    ledger::Ledger,
    license::DEMO_CONTRACT_SKU,
    metering::{DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT},
};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_mp-emulator");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/boto3/smoke.py");

fn boto3_available() -> bool {
    Command::new("python3")
        .args(["-c", "import boto3"])
        .output()
        .is_ok_and(|out| out.status.success())
}

#[test]
fn boto3_speaks_to_the_emulator() {
    if !boto3_available() {
        assert!(
            std::env::var_os("MP_REQUIRE_BOTO3").is_none(),
            "MP_REQUIRE_BOTO3 is set but python3 cannot import boto3: pip install boto3"
        );
        eprintln!("skipped: python3 with boto3 not found (pip install boto3 to run this test)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ledger_file = dir.path().join("ledger.json");
    let out = Command::new(BIN)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .args(["run", "--ledger-out"])
        .arg(&ledger_file)
        .args([
            "--",
            "python3",
            SCRIPT,
            DEMO_HOURLY_PRODUCT,
            DEMO_CUSTOM_PRODUCT,
            DEMO_CONTRACT_SKU,
            LICENSE_TOKEN_ROLE_ARN,
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("boto3 smoke: 21 checks passed"), "{stdout}");
    assert!(
        stderr.contains("License Manager: 3 checkouts, 1 drawdowns, 1 extensions, 1 check-ins"),
        "{stderr}"
    );

    let ledger: Ledger =
        serde_json::from_str(&std::fs::read_to_string(&ledger_file).unwrap()).unwrap();
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
