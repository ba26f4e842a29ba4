#[mp_runtime::marketplace_main(product_code = "abc", pricing = "custom", dimensions(requests, data_gb, requests))]
async fn main() {
    println!("never runs");
}
