//! Which process this is, for client tokens: two processes must never share a token for the
//! same dimension and hour, or the service would take one's record as the other's repeat.
//!
//! Nothing the buyer sets can choose it: a pod spec may give every replica the same
//! `hostname`, and environment variables are theirs too. So each process draws a random
//! identity at start; the journal keeps it, so a restart that replays the journal sends
//! under the same tokens. Without a journal a restart has nothing left to resend anyway.

/// `process:` and 32 hex digits from the OS random number generator.
pub(crate) fn process_identity() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: the time and process id still tell replicas apart.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = (nanos ^ (u128::from(std::process::id()) << 96)).to_le_bytes();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("process:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_per_process_whatever_the_environment() {
        let (a, b) = (process_identity(), process_identity());
        assert_ne!(a, b);
        assert!(a.starts_with("process:") && a.len() == 8 + 32, "{a}");
    }
}
