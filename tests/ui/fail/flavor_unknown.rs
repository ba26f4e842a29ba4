#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", flavor = "single_thread")]
async fn main() {
    println!("never runs");
}
