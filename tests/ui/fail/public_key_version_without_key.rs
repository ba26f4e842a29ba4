#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", public_key_version = 1)]
async fn main() {
    println!("never runs");
}
