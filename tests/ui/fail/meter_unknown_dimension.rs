use mp_runtime::meter;

#[mp_runtime::marketplace_main(product_code = "abc", pricing = "custom", dimensions(requests, data_gb))]
fn main() {
    meter!(reqests);
}
