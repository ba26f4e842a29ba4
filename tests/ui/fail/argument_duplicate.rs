#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", product_code = "def")]
async fn main() {
    println!("never runs");
}
