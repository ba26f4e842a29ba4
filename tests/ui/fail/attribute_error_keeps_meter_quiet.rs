// One bad argument is one error: the declared dimensions still resolve, so `meter!` (here
// and elsewhere in the crate) adds none of its own.
use mp_runtime::meter;

#[mp_runtime::marketplace_main(product_code = "abc", pricing = "custom", dimensions(requests), flavor = "single_thread")]
fn main() {
    meter!(requests);
    helper::work();
}

mod helper {
    pub fn work() {
        mp_runtime::meter!(requests, 2u8);
    }
}
