#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly")]
struct Server;

fn main() {
    let _ = Server;
}
