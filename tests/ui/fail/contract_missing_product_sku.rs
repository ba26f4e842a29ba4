// Contract pricing is checked out by product SKU, which is required.
#[mp_runtime::marketplace_main(pricing = "contract", floating(seats = "Seats"))]
async fn main(_license: mp_runtime::License) {}
