//! Dimensions a library declares with `dimensions!`, end to end: the `fx_library` fixture
//! (`main` declares `requests`, its library `data_gb` and `gpu_hours`) under mp-emulator.
//! Start-up dry-runs all three before user code; a listing without the library's
//! `gpu_hours` stops it with the same one line as a wrong name in `main` (exit 91), rather
//! than losing that usage hour after hour. Under hourly pricing (`fx_hourly_library`), which
//! sends no MeterUsage, start-up warns that the library's usage is never billed.

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::harness::{self, Env};
use mp_emulator::{Emulator, EmulatorConfig, Platform, metering::Pricing};

const FIXTURE: &str = env!("CARGO_BIN_EXE_fx_library");
const PRODUCT: &str = "e2elibrary0000000000000001";
const HOURLY_FIXTURE: &str = env!("CARGO_BIN_EXE_fx_hourly_library");
const HOURLY_PRODUCT: &str = "e2elibrary0000000000000002";

fn emulator(listing: &[&str]) -> Emulator {
    Emulator::start_blocking(EmulatorConfig::default().product(PRODUCT, Pricing::Custom, listing))
        .expect("emulator starts")
}

#[test]
fn a_librarys_dimensions_are_dry_run_and_billed() {
    let emu = emulator(&["requests", "data_gb", "gpu_hours"]);
    harness::run(FIXTURE, &Env::of(&emu, Platform::Ecs)).assert_succeeded();
    let ledger = emu.ledger();
    assert_eq!(
        ledger.request_count("MeterUsage"),
        6,
        "a dry run per dimension, the library's included, then one record each: {ledger:?}"
    );
    assert_eq!(ledger.total(PRODUCT, "requests"), 3);
    assert_eq!(ledger.total(PRODUCT, "data_gb"), 2);
    assert_eq!(ledger.total(PRODUCT, "gpu_hours"), 1);
}

#[test]
fn a_library_dimension_the_listing_lacks_stops_start_up() {
    let emu = emulator(&["requests", "data_gb"]);
    let run = harness::run(FIXTURE, &Env::of(&emu, Platform::Ecs));
    let line = run.assert_failed(91);
    assert!(
        line.starts_with(&format!(
            "mp-runtime: dimension `gpu_hours` is not a dimension of product {PRODUCT} \
             (InvalidUsageDimensionException: "
        )),
        "{line}"
    );
    assert!(emu.ledger().records.is_empty());
}

#[test]
fn an_hourly_program_warns_that_its_librarys_usage_is_never_billed() {
    let emu = Emulator::start_blocking(EmulatorConfig::default().product(
        HOURLY_PRODUCT,
        Pricing::Hourly,
        &[],
    ))
    .expect("emulator starts");
    let run = harness::run(HOURLY_FIXTURE, &Env::of(&emu, Platform::Ecs));
    run.assert_succeeded();
    assert!(
        run.stderr.lines().any(|line| line
            == "mp-runtime: warn: hourly pricing sends no MeterUsage, yet linked libraries \
                meter the dimension(s) data_gb, gpu_hours: that usage is never billed. If the \
                listing charges for them, use pricing = \"custom\" with dimensions(data_gb, \
                gpu_hours)"),
        "{}",
        run.stderr
    );
    let ledger = emu.ledger();
    assert_eq!(ledger.request_count("RegisterUsage"), 1);
    assert_eq!(ledger.request_count("MeterUsage"), 0);
}
