#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", region = "us-east-1")]
async fn main() {
    println!("never runs");
}
