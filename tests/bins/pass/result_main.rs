//! `main` returning a `Result`: `?` works in the body, as in a plain `main`.

#[mp_runtime::marketplace_main(
    product_code = "mpemudemohourly0000000001",
    pricing = "hourly",
    worker_threads = 2
)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = "42".parse()?;
    assert_eq!(n, 42);
    Ok(())
}
