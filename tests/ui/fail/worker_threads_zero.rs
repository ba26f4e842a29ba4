#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", worker_threads = 0)]
async fn main() {
    println!("never runs");
}
