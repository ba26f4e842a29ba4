// The dimension list itself is rejected: `meter!` accepts any name until it is fixed, so the
// bad name is the only error.
use mp_runtime::meter;

#[mp_runtime::marketplace_main(product_code = "abc", pricing = "custom", dimensions(requests, "data-gb"))]
fn main() {
    meter!(requests);
    meter!(data_gb, 3u32);
}
