#[mp_runtime::marketplace_main(product_code = "abc", pricing = "custom", dimensions(requests), offline_limit = "10s")]
async fn main() {
    println!("never runs");
}
