//! The `fx_custom` fixture: its binary, its product, and an emulator that sells it.

use mp_emulator::{Emulator, EmulatorConfig, metering::Pricing, scenario::Scenario};

pub(crate) const FIXTURE: &str = env!("CARGO_BIN_EXE_fx_custom");
pub(crate) const PRODUCT: &str = "e2ecustom00000000000000001";

/// An emulator that knows the fixture's product and its two dimensions, in `scenario`.
pub(crate) fn emulator(scenario: Scenario) -> Emulator {
    Emulator::start_blocking(
        EmulatorConfig::default()
            .product(PRODUCT, Pricing::Custom, &["requests", "data_gb"])
            .scenario(scenario),
    )
    .expect("emulator starts")
}
