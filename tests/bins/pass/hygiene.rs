//! User items named like what the expansion needs (`tokio`, `std`, `Result`, `Option`) and a
//! helper called from `main` do not disturb it: generated paths are absolute.

#![allow(dead_code, non_camel_case_types)]

mod tokio {}
mod std {}
struct core;
type Result<T> = ::core::result::Result<T, String>;
enum Option {
    Some,
    None,
}

fn helper() -> Result<u8> {
    Ok(1)
}

#[mp_runtime::marketplace_main(product_code = "mpemudemohourly0000000001", pricing = "hourly")]
async fn main() -> Result<()> {
    let _ = Option::None;
    assert_eq!(helper()?, 1);
    Ok(())
}
