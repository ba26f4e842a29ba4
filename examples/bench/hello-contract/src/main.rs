//! The attribute side of mp-bench's contract start-up comparison: checks the license out
//! (CheckoutLicense of the tiers, with ListReceivedLicenses for the expiry and limits in
//! flight beside it) before `main`'s body, then prints its
//! first line and exits. `hello-raw-licensemanager` is the same program written by hand.

#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-mpemudemocontract01",
    tiers(enum Plan { Basic = "basic", Pro = "pro" }),
)]
async fn main(license: mp_runtime::License<Plan>) {
    if license.tier().is_some() {
        println!("hello from a licensed container");
    }
}
