// Not a misuse of the attribute: the user's own mistake must be reported once, at the user's
// token, as if the attribute were not there.
#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly")]
async fn main() -> Result<(), Nope> {
    let n: u32 = "5".parse().unwrap();
    undefined_function(n).await;
    Ok(())
}
