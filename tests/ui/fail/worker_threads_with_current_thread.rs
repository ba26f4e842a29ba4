#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", flavor = "current_thread", worker_threads = 2)]
async fn main() {
    println!("never runs");
}
