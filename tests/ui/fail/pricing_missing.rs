#[mp_runtime::marketplace_main(product_code = "abc")]
async fn main() {
    println!("never runs");
}
