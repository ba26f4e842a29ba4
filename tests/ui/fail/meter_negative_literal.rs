use mp_runtime::meter;

#[mp_runtime::marketplace_main(product_code = "abc", pricing = "custom", dimensions(requests))]
fn main() {
    meter!(requests, -3);
}
