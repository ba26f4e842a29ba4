#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", dimensions(requests))]
async fn main() {
    println!("never runs");
}
