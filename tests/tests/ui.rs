//! Compile-time behaviour of `#[marketplace_main]`: one file per behaviour under `ui/`,
//! each with the exact compiler output beside it. Pinned to the workspace toolchain.

use mp_emulator::{
    Emulator, EmulatorConfig, Platform,
    metering::{DEMO_CUSTOM_DIMENSIONS, DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT, Pricing},
};

/// A second custom product, so each custom pass case has its own records: the emulator sees
/// every case as the same task, and a task keeps one record per product, dimension and hour.
const RENAMED_CUSTOM_PRODUCT: &str = "mpemudemorenamed000000001";

#[test]
fn ui() {
    // trybuild runs the pass cases' binaries with this process's environment: point it at an
    // emulator on loopback, and drop whatever AWS set-up the machine has.
    let config = EmulatorConfig::default()
        .product(DEMO_HOURLY_PRODUCT, Pricing::Hourly, &[])
        .product(DEMO_CUSTOM_PRODUCT, Pricing::Custom, DEMO_CUSTOM_DIMENSIONS)
        .product(RENAMED_CUSTOM_PRODUCT, Pricing::Custom, &["requests"]);
    let emulator = Emulator::start_blocking(config).expect("mp-emulator starts");
    point_this_process_at(&emulator);

    let t = trybuild::TestCases::new();
    // Misuse: every case must fail with the macro's own error, at the right token.
    t.compile_fail("ui/fail/*.rs");
    // Correct use: each case compiles, starts up against the emulator, and runs its body.
    t.pass("ui/pass/*.rs");
    drop(t); // runs the cases, while the emulator is alive

    let ledger = emulator.ledger();
    let registering = pass_cases_containing(&["pricing = \"hourly\"", "pricing = \"monthly\""]);
    assert_eq!(
        ledger.registrations.len(),
        registering,
        "one RegisterUsage per hourly or monthly pass case"
    );
    // What meter_forms.rs and meter_renamed_crate.rs meter, flushed when their main returns.
    assert_eq!(ledger.total(DEMO_CUSTOM_PRODUCT, "requests"), 1_000_000_012);
    assert_eq!(ledger.total(DEMO_CUSTOM_PRODUCT, "data_gb"), 8);
    assert_eq!(ledger.total(RENAMED_CUSTOM_PRODUCT, "requests"), 2);
}

fn pass_cases_containing(any_of: &[&str]) -> usize {
    std::fs::read_dir("ui/pass")
        .expect("ui/pass")
        .map(|entry| std::fs::read_to_string(entry.expect("ui/pass entry").path()).expect("case"))
        .filter(|source| any_of.iter().any(|s| source.contains(s)))
        .count()
}

fn point_this_process_at(emulator: &Emulator) {
    let stale = std::env::vars().map(|(k, _)| k).filter(|k| {
        k.starts_with("AWS_")
            || k.starts_with("ECS_CONTAINER_METADATA")
            || k == "MARKETPLACE_PRODUCT_CODE"
    });
    for key in stale.collect::<Vec<_>>() {
        // SAFETY: this test binary has this one test and sets the environment before
        // starting any thread of its own (the emulator's threads do not read it).
        unsafe { std::env::remove_var(key) };
    }
    for (key, value) in emulator.env(Platform::Ecs) {
        // SAFETY: as above.
        unsafe { std::env::set_var(key, value) };
    }
}
