//! A program whose pricing sends no `MeterUsage` (hourly, monthly, contract) linking a library
//! that meters: what the library's `meter!` counts is never billed, so start-up says so.

use super::Pricing;

/// The warning for the dimensions libraries declared with `dimensions!`, if `pricing` never
/// sends them.
pub(crate) fn library_usage_warning(pricing: Pricing, declared: &[&str]) -> Option<String> {
    if pricing == Pricing::Custom || declared.is_empty() {
        return None;
    }
    let mut names = declared.to_vec();
    names.sort_unstable();
    names.dedup();
    Some(format!(
        "{pricing} pricing sends no MeterUsage, yet linked libraries meter the dimension(s) {}: \
         that usage is never billed. If the listing charges for them, use pricing = \"custom\" \
         with dimensions({})",
        names.join(", "),
        names.join(", "),
    ))
}

/// What the libraries linked into this program declared.
pub(crate) fn declared_by_libraries() -> Vec<&'static str> {
    crate::usage::registered()
        .into_iter()
        .map(|d| d.name())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pricing_that_sends_nothing_warns() {
        let declared = ["requests", "data_gb", "requests"];
        assert_eq!(library_usage_warning(Pricing::Custom, &declared), None);
        assert_eq!(library_usage_warning(Pricing::Hourly, &[]), None);
        for pricing in [Pricing::Hourly, Pricing::Monthly, Pricing::Contract] {
            let warning = library_usage_warning(pricing, &declared).expect("a warning");
            assert!(warning.starts_with(&format!("{pricing} pricing sends no MeterUsage")));
            assert!(warning.contains("dimension(s) data_gb, requests: that usage is never billed"));
        }
    }
}
