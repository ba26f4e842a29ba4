#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", trusted_product_codes = "def")]
async fn main() {
    println!("never runs");
}
