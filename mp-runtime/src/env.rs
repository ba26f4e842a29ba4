//! Where start-up reads environment variables from.
//!
//! The buyer controls the environment, so every decision taken from it is unit-tested; a
//! trait keeps those tests off the process environment (tests run in parallel threads).

use std::collections::HashMap;

/// A source of environment variables.
pub(crate) trait Env: Sync {
    /// The variable's value; `None` when unset, empty, or not valid UTF-8 (the AWS SDKs
    /// treat an empty variable as unset too).
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
pub(crate) struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// A fixed set of variables, for tests.
impl Env for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.is_empty()).cloned()
    }
}

/// Builds a map environment from pairs: `env_of(&[("AWS_REGION", "us-east-1")])`.
#[cfg(test)]
pub(crate) fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
