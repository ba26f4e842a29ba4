#[mp_runtime::marketplace_main(product_code = "abc def", pricing = "hourly")]
async fn main() {
    println!("never runs");
}
