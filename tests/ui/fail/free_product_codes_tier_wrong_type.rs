// The tier's type is rustc's to check: the generated code hands `main` the registered tier.
#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", free_product_codes = ["def"])]
fn main(tier: bool) {
    println!("{tier}");
}
