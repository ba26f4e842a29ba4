#[mp_runtime::marketplace_main(product_code = "abc", pricing = "yearly")]
async fn main() {
    println!("never runs");
}
