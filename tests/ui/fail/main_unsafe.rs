#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly")]
unsafe fn main() {
    println!("never runs");
}
