#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", crate = "not a path")]
async fn main() {
    println!("never runs");
}
