#[mp_runtime::marketplace_main(product_code = 5, pricing = "hourly")]
async fn main() {
    println!("never runs");
}
