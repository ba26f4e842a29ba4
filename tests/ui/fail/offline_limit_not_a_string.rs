#[mp_runtime::marketplace_main(product_code = "abc", pricing = "custom", dimensions(requests), offline_limit = 6)]
async fn main() {
    println!("never runs");
}
