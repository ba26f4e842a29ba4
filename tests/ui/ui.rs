//! Compile-time behaviour of `#[marketplace_main]`, `meter!`, `dimensions!` and the contract
//! macros: one file per misuse under `fail/`, each with the exact compiler output beside it.
//! Pinned to the workspace toolchain (Rust 1.95).

#[test]
fn ui() {
    // Misuse: every case must fail with the macro's own error, at the right token.
    trybuild::TestCases::new().compile_fail("fail/*.rs");
}
