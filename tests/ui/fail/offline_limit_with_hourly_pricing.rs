#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", offline_limit = "1h")]
async fn main() {
    println!("never runs");
}
