#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", free_product_codes = ["def"])]
fn main(tier: mp_runtime::ProductTier, port: u16) {
    println!("{tier} {port}");
}
