#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", startup_deadline = "7h")]
async fn main() {
    println!("never runs");
}
