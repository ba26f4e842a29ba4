//! Compile-time behaviour of `#[marketplace_main]`: one file per behaviour under `ui/`,
//! each with the exact compiler output beside it. Pinned to the workspace toolchain.

use mp_emulator::{Emulator, EmulatorConfig, Platform};

#[test]
fn ui() {
    // trybuild runs the pass cases' binaries with this process's environment: point it at an
    // emulator on loopback, and drop whatever AWS set-up the machine has.
    let emulator = Emulator::start_blocking(EmulatorConfig::default()).expect("mp-emulator starts");
    point_this_process_at(&emulator);

    let t = trybuild::TestCases::new();
    // Misuse: every case must fail with the macro's own error, at the right token.
    t.compile_fail("ui/fail/*.rs");
    // Correct use: each case compiles, registers with the emulator, and runs its body.
    t.pass("ui/pass/*.rs");
    drop(t); // runs the cases, while the emulator is alive

    let pass_cases = std::fs::read_dir("ui/pass").expect("ui/pass").count();
    let registrations = emulator.ledger().registrations.len();
    assert_eq!(registrations, pass_cases, "one RegisterUsage per pass case");
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
