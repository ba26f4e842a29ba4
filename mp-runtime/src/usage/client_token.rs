//! The `ClientToken` of an hourly record, derived from (task identity, dimension, hour): the
//! same record always carries the same token, across retries and across a restart that
//! replays the journal, so the service answers a repeat with the first result instead of
//! billing twice. Another task or another hour gets another token.

use super::fnv::Fnv128;
use super::hour::Hour;

/// `mp1-` and 32 hex digits: 36 characters, within the service's 1-64.
pub(crate) fn client_token(task: &str, dimension: &str, hour: Hour) -> String {
    let mut hash = Fnv128::new();
    for part in [task.as_bytes(), dimension.as_bytes()] {
        hash.write(&(part.len() as u64).to_le_bytes());
        hash.write(part);
    }
    hash.write(&hour.start_secs().to_le_bytes());
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
        let t = client_token("task-1", "requests", h(500_000));
        assert_eq!(t, client_token("task-1", "requests", h(500_000)));
        assert_eq!(t.len(), 36);
        assert!(t.starts_with("mp1-") && t[4..].chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn pinned_so_an_upgrade_keeps_tokens() {
        assert_eq!(
            client_token("task", "requests", h(1)),
            "mp1-da9245f139f3d467c9f7077701a33f84"
        );
    }

    #[test]
    fn every_part_matters_and_parts_cannot_slide() {
        let base = client_token("task", "requests", h(1));
        assert_ne!(base, client_token("task2", "requests", h(1)));
        assert_ne!(base, client_token("task", "data_gb", h(1)));
        assert_ne!(base, client_token("task", "requests", h(2)));
        assert_ne!(
            client_token("ab", "c", h(1)),
            client_token("a", "bc", h(1)),
            "length-prefixed"
        );
    }
}
