//! Compile-time behaviour of `#[marketplace_main]`: one file per behaviour under `ui/`,
//! each with the exact compiler output beside it. Pinned to the workspace toolchain.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    // Misuse: every case must fail with the macro's own error, at the right token.
    t.compile_fail("ui/fail/*.rs");
    // Correct use (owned by the runtime side): add `t.pass("ui/pass/*.rs");` here.
}
