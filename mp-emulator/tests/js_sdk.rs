//! The AWS SDK for JavaScript v3 against the emulator, through `mp-emulator run`, as boto3
//! is: RegisterUsage with the token verified against the emulator's public key, MeterUsage
//! with allocations and the hour lock, a refusal in the AWS shape, and a floating seat's
//! checkout, extension and check-in, with credentials from IRSA's exchange at the emulator's
//! STS.
//!
//! Needs node and npm: the clients come from `tests/js/package-lock.json` (`npm ci`, with
//! its cache under the target directory, preferring it to the registry). Without them, or
//! when the install fails offline, the test says so and passes, unless `MP_REQUIRE_NODE` is
//! set, as `.ci/run` does after installing node.

mod sdk_run;

use mp_emulator::{
    keys::TEST_ONLY_PUBLIC_KEY_PEM,
    license::DEMO_CONTRACT_SKU,
    metering::{DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT},
};
use std::path::{Path, PathBuf};
use std::process::Command;

const PROJECT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/js");
/// What the node project is made of; copied next to its `node_modules`, since node finds
/// packages from the script's own directory.
const FILES: &[&str] = &["package.json", "package-lock.json", "smoke.mjs"];

fn found(tool: &str) -> Result<(), String> {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
        .then_some(())
        .ok_or_else(|| {
            format!("`{tool} --version` did not run (install nodejs and npm to run this test)")
        })
}

/// The oldest Node.js the locked SDK supports (its packages' `engines`).
const NODE_MAJOR: u32 = 20;

/// Whether `node` is recent enough for the locked SDK.
fn node_recent_enough() -> Result<(), String> {
    let out = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run node ({e}): install nodejs and npm to run this test"))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let major = version
        .strip_prefix('v')
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(major) if major >= NODE_MAJOR => Ok(()),
        _ => Err(format!(
            "node {version} is older than the {NODE_MAJOR} the locked AWS SDK for JavaScript needs"
        )),
    }
}

/// The project installed under the target directory: `npm ci` when the lock file changed
/// since the last install (or there was none), from npm's cache when it has the packages.
fn installed() -> Result<PathBuf, String> {
    found("node")?;
    node_recent_enough()?;
    found("npm")?;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("js-sdk");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let lock = std::fs::read(Path::new(PROJECT).join("package-lock.json")).unwrap();
    let current = dir.join("node_modules").is_dir()
        && std::fs::read(dir.join("package-lock.json")).is_ok_and(|old| old == lock);
    for file in FILES {
        std::fs::copy(Path::new(PROJECT).join(file), dir.join(file)).unwrap();
    }
    if current {
        return Ok(dir);
    }
    let out = Command::new("npm")
        .current_dir(&dir)
        .args([
            "ci",
            "--prefer-offline",
            "--no-audit",
            "--no-fund",
            "--cache",
        ])
        .arg(Path::new(env!("CARGO_TARGET_TMPDIR")).join("npm-cache"))
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !out.status.success() {
        // Installed again next time: a half-installed tree must not pass for current.
        let _ = std::fs::remove_file(dir.join("package-lock.json"));
        return Err(format!(
            "`npm ci` failed (offline with an empty cache?):\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(dir)
}

#[test]
fn javascript_sdk_speaks_to_the_emulator() {
    let dir = installed();
    if !sdk_run::ready_or_skip(
        dir.as_ref().map(|_| ()).map_err(Clone::clone),
        "MP_REQUIRE_NODE",
    ) {
        return;
    }
    let dir = dir.unwrap();
    let key = dir.join("emulator-public-key.pem");
    std::fs::write(&key, TEST_ONLY_PUBLIC_KEY_PEM).unwrap();
    let script = dir.join("smoke.mjs");
    let (out, ledger) = sdk_run::run_under_emulator(
        "eks",
        &[
            "node".as_ref(),
            script.as_os_str(),
            DEMO_HOURLY_PRODUCT.as_ref(),
            DEMO_CUSTOM_PRODUCT.as_ref(),
            DEMO_CONTRACT_SKU.as_ref(),
            key.as_os_str(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("js sdk smoke: 10 checks passed"),
        "{stdout}"
    );

    // What the script saw is what the emulator recorded, signed by IRSA's credentials.
    assert_eq!(ledger.registrations.len(), 1, "{}", ledger.to_table());
    assert_eq!(ledger.registrations[0].caller, "irsa");
    assert_eq!(
        ledger.registrations[0].nonce.as_deref(),
        Some("js-sdk-nonce")
    );
    assert_eq!(ledger.records.len(), 1, "{}", ledger.to_table());
    let record = &ledger.records[0];
    assert_eq!((record.quantity, record.allocations.len()), (5, 2));
    assert_eq!(ledger.rejection_count("DuplicateRequestException"), 1);
    assert_eq!(ledger.rejection_count("InvalidProductCodeException"), 1);
    assert!(ledger.request_count("AssumeRoleWithWebIdentity") >= 1);
    let lic = &ledger.licenses;
    assert_eq!(
        (
            lic.checkouts.len(),
            lic.extensions.len(),
            lic.check_ins.len()
        ),
        (1, 1, 1),
        "{}",
        ledger.to_table()
    );
    assert_eq!(lic.refusal_count("ResourceNotFoundException"), 1);
    assert_eq!(
        lic.pool(DEMO_CONTRACT_SKU, "ConcurrentUsers")
            .unwrap()
            .in_use,
        0
    );
}
