use super::*;

#[test]
fn skus_and_names_take_any_characters_but_not_none() {
    for text in ["prod-abcd1234efgh5", "My SKU", "ü/=;\t", "x"] {
        assert_eq!(check_product_sku(text), Ok(()));
        assert_eq!(check_entitlement_name(text), Ok(()));
    }
    assert_eq!(check_product_sku(&"s".repeat(10_000)), Ok(()));
    assert_eq!(
        check_product_sku(""),
        Err(Violation::Empty {
            field: Field::ProductSku
        })
    );
    assert_eq!(
        check_entitlement_name(""),
        Err(Violation::Empty {
            field: Field::EntitlementName
        })
    );
}

#[test]
fn the_model_lists_27_units_and_none_alone_counts_nothing() {
    assert_eq!(EntitlementUnit::ALL.len(), 27);
    for unit in EntitlementUnit::ALL {
        assert_eq!(check_entitlement_unit(unit.as_str()), Ok(*unit));
        assert_eq!(
            EntitlementUnit::from_rust_name(unit.rust_name()),
            Some(*unit)
        );
        assert_eq!(unit.counts_quantity(), *unit != EntitlementUnit::None);
    }
    assert_eq!(EntitlementUnit::BitsPerSecond.as_str(), "Bits/Second");
    assert_eq!(EntitlementUnit::BitsPerSecond.rust_name(), "BitsPerSecond");
}

#[test]
fn units_are_spelt_exactly() {
    for wire in [
        "count",
        "Gigabyte",
        "BitsPerSecond",
        "Bits/second",
        " Count",
        "",
    ] {
        let refused = check_entitlement_unit(wire).unwrap_err();
        assert_eq!(refused.field(), Field::EntitlementUnit);
    }
    assert_eq!(
        check_entitlement_unit("count").unwrap_err().to_string(),
        format!(
            "entitlement Unit \"count\" is not one of License Manager's units ({})",
            EntitlementUnit::WIRE_NAMES.join(", ")
        )
    );
}

#[test]
fn a_quantity_is_one_to_a_long() {
    assert!(!is_quantity(0));
    assert!(is_quantity(1));
    assert!(is_quantity(MAX_QUANTITY));
    assert!(!is_quantity(MAX_QUANTITY + 1));
    assert!(!is_quantity(u64::MAX));
}
