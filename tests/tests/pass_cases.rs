//! The macros used correctly: every program under `bins/pass/` compiles with the workspace
//! (cargo builds them as binaries of this package) and runs to a clean exit against an
//! emulator on loopback, with the environment an ECS task would have. The ledger then holds
//! what they registered and metered. Their misuse, with the exact compile errors, is
//! `tests/ui` (trybuild).

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::harness::{Env, run};
use mp_emulator::metering::{
    DEMO_CUSTOM_DIMENSIONS, DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT, Pricing,
};
use mp_emulator::{Emulator, EmulatorConfig, Platform};

/// A second custom product, so each custom case has its own records: the emulator sees every
/// case as the same task, and a task keeps one record per product, dimension and hour.
const RENAMED_CUSTOM_PRODUCT: &str = "mpemudemorenamed000000001";

/// Each case, by its file name under `bins/pass/`, and the binary cargo built from it.
const CASES: &[(&str, &str)] = &[
    ("async_main", env!("CARGO_BIN_EXE_pass_async_main")),
    (
        "contract_drawdown_only",
        env!("CARGO_BIN_EXE_pass_contract_drawdown_only"),
    ),
    ("contract_forms", env!("CARGO_BIN_EXE_pass_contract_forms")),
    (
        "dimensions_in_a_library_crate",
        env!("CARGO_BIN_EXE_pass_dimensions_in_a_library_crate"),
    ),
    ("exit_code_main", env!("CARGO_BIN_EXE_pass_exit_code_main")),
    (
        "free_tier_async_main",
        env!("CARGO_BIN_EXE_pass_free_tier_async_main"),
    ),
    (
        "free_tier_sync_main",
        env!("CARGO_BIN_EXE_pass_free_tier_sync_main"),
    ),
    ("hygiene", env!("CARGO_BIN_EXE_pass_hygiene")),
    ("meter_forms", env!("CARGO_BIN_EXE_pass_meter_forms")),
    (
        "meter_renamed_crate",
        env!("CARGO_BIN_EXE_pass_meter_renamed_crate"),
    ),
    ("renamed_crate", env!("CARGO_BIN_EXE_pass_renamed_crate")),
    ("result_main", env!("CARGO_BIN_EXE_pass_result_main")),
    ("sync_main", env!("CARGO_BIN_EXE_pass_sync_main")),
];

#[test]
fn every_case_is_listed() {
    let mut files: Vec<String> = std::fs::read_dir("bins/pass")
        .expect("bins/pass")
        .map(|entry| entry.expect("bins/pass entry").path())
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .collect();
    files.sort();
    let listed: Vec<&str> = CASES.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        files, listed,
        "bins/pass and CASES (and tests/Cargo.toml's [[bin]]s) differ"
    );
}

#[test]
fn every_case_runs_and_the_ledger_holds_what_they_sent() {
    let config = EmulatorConfig::default()
        .product(DEMO_HOURLY_PRODUCT, Pricing::Hourly, &[])
        .product(DEMO_CUSTOM_PRODUCT, Pricing::Custom, DEMO_CUSTOM_DIMENSIONS)
        .product(RENAMED_CUSTOM_PRODUCT, Pricing::Custom, &["requests"]);
    let emulator = Emulator::start_blocking(config).expect("mp-emulator starts");
    let env = Env::of(&emulator, Platform::Ecs);
    for (name, binary) in CASES {
        let run = run(binary, &env);
        assert_eq!(run.code, Some(0), "bins/pass/{name}.rs: {run:?}");
    }

    let ledger = emulator.ledger();
    let registering = cases_containing(&["pricing = \"hourly\"", "pricing = \"monthly\""]);
    assert_eq!(
        ledger.registrations.len(),
        registering,
        "one RegisterUsage per hourly or monthly case"
    );
    // What meter_forms.rs and meter_renamed_crate.rs meter, flushed when their main returns.
    assert_eq!(ledger.total(DEMO_CUSTOM_PRODUCT, "requests"), 1_000_000_012);
    assert_eq!(ledger.total(DEMO_CUSTOM_PRODUCT, "data_gb"), 8);
    assert_eq!(ledger.total(RENAMED_CUSTOM_PRODUCT, "requests"), 2);
}

fn cases_containing(any_of: &[&str]) -> usize {
    CASES
        .iter()
        .map(|(name, _)| std::fs::read_to_string(format!("bins/pass/{name}.rs")).expect("case"))
        .filter(|source| any_of.iter().any(|s| source.contains(s)))
        .count()
}
