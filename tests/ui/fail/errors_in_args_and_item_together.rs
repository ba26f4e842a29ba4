#[mp_runtime::marketplace_main(pricing = "monthly", worker_threads = -3)]
async fn main(port: u16) {
    println!("{port}");
}
