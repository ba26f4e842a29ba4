//! The attribute side of mp-bench's start-up, failure-time and build comparisons: registers
//! (RegisterUsage) before `main`'s body, then prints its first line and exits.
//! `hello-raw-sdk` is the same program written by hand.

#[mp_runtime::marketplace_main(product_code = "mpemudemohourly0000000001", pricing = "hourly")]
async fn main() {
    println!("hello from a registered container");
}
