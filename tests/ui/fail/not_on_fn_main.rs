#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly")]
fn start() {}

fn main() {
    start();
}
