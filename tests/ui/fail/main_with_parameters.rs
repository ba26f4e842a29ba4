#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly")]
fn main(args: Vec<String>) {
    println!("{args:?}");
}
