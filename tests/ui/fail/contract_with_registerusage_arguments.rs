// A contract product registers no product code: product_code and the RegisterUsage
// arguments are refused, each at its name.
#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-abc",
    product_code = "abc",
    free_product_codes = ["def"],
    floating(seats = "Seats"),
)]
async fn main(_license: mp_runtime::License) {}
