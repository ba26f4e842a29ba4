//! `main` returning `ExitCode`, including an early `return`.

use std::process::ExitCode;

#[mp_runtime::marketplace_main(product_code = "mpemudemohourly0000000001", pricing = "hourly")]
fn main() -> ExitCode {
    if mp_runtime::registration().is_some() {
        return ExitCode::SUCCESS;
    }
    ExitCode::FAILURE
}
