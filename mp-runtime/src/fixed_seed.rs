//! The proptest set-up every fuzz smoke run and property test in this crate shares: a fixed
//! seed per suite and no persistence file, so `cargo test` is deterministic and writes
//! nothing into the source tree.

use proptest::test_runner::{Config, RngSeed};

/// `cases` runs from `seed`.
pub(crate) fn config(cases: u32, seed: u64) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}
