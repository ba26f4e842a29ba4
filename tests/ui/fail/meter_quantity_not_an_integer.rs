use mp_runtime::meter;

#[mp_runtime::marketplace_main(product_code = "abc", pricing = "custom", dimensions(data_gb))]
fn main() {
    meter!(data_gb, 1.5);
    let gigabytes = 2.5_f64;
    meter!(data_gb, gigabytes);
}
