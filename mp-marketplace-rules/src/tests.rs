use super::*;

#[test]
fn product_codes() {
    assert_eq!(check_product_code("abc-123/=:_.@X"), Ok(()));
    assert_eq!(
        check_product_code(""),
        Err(Violation::Empty {
            field: Field::ProductCode
        })
    );
    assert!(matches!(
        check_product_code("a b"),
        Err(Violation::BadChar { ch: ' ', .. })
    ));
    assert_eq!(check_product_code(&"a".repeat(255)), Ok(()));
    assert!(matches!(
        check_product_code(&"a".repeat(256)),
        Err(Violation::TooLong { len: 256, .. })
    ));
}

#[test]
fn dimensions_take_any_characters_up_to_255() {
    assert_eq!(check_dimension("data gb/ü"), Ok(()));
    assert!(check_dimension("").is_err());
    assert_eq!(check_dimension(&"ü".repeat(255)), Ok(()));
    assert!(check_dimension(&"ü".repeat(256)).is_err());
}

#[test]
fn quantities() {
    assert_eq!(check_quantity(0), Ok(()));
    assert_eq!(check_quantity(MAX_QUANTITY as i64), Ok(()));
    assert!(check_quantity(-1).is_err());
    assert!(check_quantity(MAX_QUANTITY as i64 + 1).is_err());
}

#[test]
fn tags() {
    assert_eq!(
        check_tags(&[("tenant", "acme corp"), ("plan", "a+b=c")]),
        Ok(())
    );
    assert!(matches!(
        check_tags::<&str, &str>(&[]),
        Err(Violation::Empty { field: Field::Tags })
    ));
    assert!(matches!(
        check_tags(&[("a", "1"); 6]),
        Err(Violation::TooMany { count: 6, .. })
    ));
    assert!(matches!(
        check_tags(&[("k", "1"), ("k", "2")]),
        Err(Violation::DuplicateTagKey { .. })
    ));
    assert!(matches!(
        check_tag_value("hello!"),
        Err(Violation::BadChar { ch: '!', .. })
    ));
    assert!(matches!(
        check_tag_value("ünïcode"),
        Err(Violation::BadChar { ch: 'ü', .. })
    ));
    assert_eq!(check_tag_key(&"k".repeat(100)), Ok(()));
    assert!(check_tag_key(&"k".repeat(101)).is_err());
    assert_eq!(check_tag_value(&"v".repeat(256)), Ok(()));
    assert!(check_tag_value(&"v".repeat(257)).is_err());
}

#[test]
fn tokens_nonces_and_key_versions() {
    assert_eq!(check_client_token("abc-1"), Ok(()));
    assert!(check_client_token("a b").is_err());
    assert!(check_client_token(&"a".repeat(65)).is_err());
    assert_eq!(check_nonce(""), Ok(()));
    assert!(check_nonce(&"n".repeat(256)).is_err());
    assert_eq!(check_public_key_version(1), Ok(()));
    assert!(check_public_key_version(0).is_err());
}

#[test]
fn allocation_counts() {
    assert!(check_allocation_count(0).is_err());
    assert_eq!(check_allocation_count(MAX_ALLOCATIONS), Ok(()));
    assert!(check_allocation_count(MAX_ALLOCATIONS + 1).is_err());
}

#[test]
fn messages_name_the_field_the_value_and_what_is_allowed() {
    let v = check_tag_value("acme!").unwrap_err();
    assert_eq!(
        v.to_string(),
        "tag value \"acme!\" contains '!', which the Metering Service refuses (allowed: \
         letters, digits and `+ -=._:/@`)"
    );
    assert_eq!(v.field(), Field::TagValue);
    assert_eq!(
        check_public_key_version(0).unwrap_err().to_string(),
        "PublicKeyVersion is 0; it must be 1 or more"
    );
}

#[test]
fn hours_and_the_window() {
    assert_eq!(time::hour_start(7_200 + 59), 7_200);
    assert!(time::in_window(0, time::RECORD_WINDOW_SECS, 0));
    assert!(!time::in_window(0, time::RECORD_WINDOW_SECS + 1, 0));
    assert!(time::in_window(105, 100, 5));
    assert!(!time::in_window(106, 100, 5));
}
