#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", free_product_codes = ["ok", "not ok"])]
async fn main(_tier: mp_runtime::ProductTier) {
    println!("never runs");
}
