#[mp_runtime::marketplace_main(product_code, pricing = "hourly")]
async fn main() {
    println!("never runs");
}
