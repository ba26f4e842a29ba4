#[mp_runtime::marketplace_main(product_code = "abc", pricing = "custom")]
async fn main() {
    println!("never runs");
}
