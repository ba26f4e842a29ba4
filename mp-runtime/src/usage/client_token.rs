//! The `ClientToken` of an hourly record, derived from (process identity, product,
//! dimension, hour): the same record always carries the same token, across retries and
//! across a restart that replays the journal (which keeps the identity), so the service
//! answers a repeat with the first result instead of billing twice. Another process or
//! another hour gets another token, and so does a record resent without the allocations
//! the service refused (its parameters differ).

use super::fnv::Fnv128;
use super::hour::Hour;

/// `mp1-` and 32 hex digits: 36 characters, within the service's 1-64.
pub(crate) fn client_token(
    task: &str,
    product: &str,
    dimension: &str,
    hour: Hour,
    salvaged: bool,
) -> String {
    let mut hash = Fnv128::new();
    for part in [task.as_bytes(), product.as_bytes(), dimension.as_bytes()] {
        hash.write(&(part.len() as u64).to_le_bytes());
        hash.write(part);
    }
    hash.write(&hour.start_secs().to_le_bytes());
    if salvaged {
        hash.write(b"salvaged");
    }
    format!("mp1-{:032x}", hash.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: u64) -> Hour {
        Hour::from_start_secs(n * 3600)
    }

    #[test]
    fn deterministic_short_and_plain() {
        let t = client_token("task-1", "p", "requests", h(500_000), false);
        assert_eq!(
            t,
            client_token("task-1", "p", "requests", h(500_000), false)
        );
        assert_eq!(t.len(), 36);
        assert!(t.starts_with("mp1-") && t[4..].chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn pinned_so_an_upgrade_keeps_tokens() {
        assert_eq!(
            client_token("task", "p", "requests", h(1), false),
            "mp1-ef74132424d497abf7216da9c00136fb"
        );
    }

    #[test]
    fn every_part_matters_and_parts_cannot_slide() {
        let base = client_token("task", "p", "requests", h(1), false);
        assert_ne!(base, client_token("task2", "p", "requests", h(1), false));
        assert_ne!(base, client_token("task", "q", "requests", h(1), false));
        assert_ne!(base, client_token("task", "p", "data_gb", h(1), false));
        assert_ne!(base, client_token("task", "p", "requests", h(2), false));
        assert_ne!(base, client_token("task", "p", "requests", h(1), true));
        assert_ne!(
            client_token("ab", "p", "c", h(1), false),
            client_token("a", "p", "bc", h(1), false),
            "length-prefixed"
        );
    }
}
