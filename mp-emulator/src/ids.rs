//! Identifiers the service hands out: request ids and metering record ids (UUID-shaped).

use axum::http::HeaderValue;
use rand::Rng;

/// A random UUID-v4-shaped string, like the ids AWS returns.
pub(crate) fn uuid_like() -> String {
    let b: [u8; 16] = rand::rng().random();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

pub(crate) fn request_id_header() -> HeaderValue {
    HeaderValue::from_str(&uuid_like()).unwrap_or_else(|_| HeaderValue::from_static("0"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuid_like_has_uuid_shape() {
        let id = super::uuid_like();
        let parts: Vec<_> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12], "{id}");
    }
}
