//! `meter!` through a renamed runtime: the macro carries its own crate path.

extern crate mp_runtime as rt;

#[rt::marketplace_main(
    product_code = "mpemudemorenamed000000001",
    pricing = "custom",
    dimensions(requests),
    crate = "rt"
)]
fn main() {
    rt::meter!(requests, 2usize);
}
