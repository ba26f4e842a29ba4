#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", free_product_codes = ["def"])]
async fn main() {
    println!("never runs");
}
