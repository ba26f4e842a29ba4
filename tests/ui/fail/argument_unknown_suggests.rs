#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", startup_dedline = "5m")]
async fn main() {
    println!("never runs");
}
