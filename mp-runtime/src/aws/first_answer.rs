//! The credentials chain's first answer, fetched once. Start-up asks the chain itself, before
//! any client exists, so that "no credentials" is reported as such (`credentials::check`);
//! the clients then fill their own cache from the same chain, and without this the process
//! would fetch the same credentials twice before the seller's first line: one more round trip
//! to the ECS agent or STS on every start.

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::future::ProvideCredentials as Answer;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Credentials closer than this to their expiry are fetched again rather than handed on.
const FRESH_FOR: Duration = Duration::from_secs(5 * 60);

/// `config` with its credentials provider wrapped so that its first successful answer is
/// given once more, to whoever asks next (the first client call).
pub(crate) fn reuse_first_answer(config: SdkConfig) -> SdkConfig {
    let Some(chain) = config.credentials_provider() else {
        return config;
    };
    config
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(FirstAnswerReused {
            chain,
            first: Mutex::new(First::NotYet),
        }))
        .build()
}

#[derive(Debug)]
enum First {
    /// Nothing answered yet: the next success is kept.
    NotYet,
    /// The first success, not handed on yet.
    Kept(Credentials),
    /// Handed on (or too old to be): every call asks the chain.
    Used,
}

#[derive(Debug)]
struct FirstAnswerReused {
    chain: SharedCredentialsProvider,
    first: Mutex<First>,
}

impl FirstAnswerReused {
    fn take_kept(&self) -> Option<Credentials> {
        let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
        match std::mem::replace(&mut *first, First::Used) {
            First::Kept(kept) => kept
                .expiry()
                .is_none_or(|expiry| expiry > SystemTime::now() + FRESH_FOR)
                .then_some(kept),
            other => {
                *first = other;
                None
            }
        }
    }
}

impl ProvideCredentials for FirstAnswerReused {
    fn provide_credentials<'a>(&'a self) -> Answer<'a>
    where
        Self: 'a,
    {
        if let Some(kept) = self.take_kept() {
            return Answer::ready(Ok(kept));
        }
        Answer::new(async move {
            let answer = self.chain.provide_credentials().await;
            if let Ok(credentials) = &answer {
                let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
                if matches!(*first, First::NotYet) {
                    *first = First::Kept(credentials.clone());
                }
            }
            answer
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::error::CredentialsError;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Answers with a new key each call (`AKID<n>`), counting the calls.
    #[derive(Debug)]
    struct Chain {
        calls: Arc<AtomicUsize>,
        expiry: Option<SystemTime>,
        fail_first: bool,
    }

    impl ProvideCredentials for Chain {
        fn provide_credentials<'a>(&'a self) -> Answer<'a>
        where
            Self: 'a,
        {
            let call = self.calls.fetch_add(1, Ordering::SeqCst);
            if self.fail_first && call == 0 {
                return Answer::ready(Err(CredentialsError::provider_timed_out(
                    Duration::from_secs(1),
                )));
            }
            Answer::ready(Ok(Credentials::new(
                format!("AKID{call}"),
                "secret",
                None,
                self.expiry,
                "test",
            )))
        }
    }

    fn wrapped(expiry: Option<SystemTime>, fail_first: bool) -> (SdkConfig, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let chain = Chain {
            calls: Arc::clone(&calls),
            expiry,
            fail_first,
        };
        let config = SdkConfig::builder()
            .credentials_provider(SharedCredentialsProvider::new(chain))
            .build();
        (reuse_first_answer(config), calls)
    }

    async fn key(config: &SdkConfig) -> Result<String, CredentialsError> {
        let provider = config.credentials_provider().expect("a provider");
        Ok(provider
            .provide_credentials()
            .await?
            .access_key_id()
            .to_owned())
    }

    #[tokio::test]
    async fn the_first_answer_serves_two_calls_then_the_chain_answers_again() {
        let (config, calls) = wrapped(None, false);
        assert_eq!(key(&config).await.unwrap(), "AKID0");
        assert_eq!(key(&config).await.unwrap(), "AKID0");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(key(&config).await.unwrap(), "AKID1");
        assert_eq!(key(&config).await.unwrap(), "AKID2");
    }

    #[tokio::test]
    async fn a_failure_is_not_kept_and_the_first_success_is() {
        let (config, calls) = wrapped(None, true);
        assert!(key(&config).await.is_err());
        assert_eq!(key(&config).await.unwrap(), "AKID1");
        assert_eq!(key(&config).await.unwrap(), "AKID1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn credentials_about_to_expire_are_fetched_again() {
        let soon = SystemTime::now() + Duration::from_secs(30);
        let (config, calls) = wrapped(Some(soon), false);
        assert_eq!(key(&config).await.unwrap(), "AKID0");
        assert_eq!(key(&config).await.unwrap(), "AKID1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_config_without_a_provider_is_left_as_it_is() {
        let config = reuse_first_answer(SdkConfig::builder().build());
        assert!(config.credentials_provider().is_none());
    }
}
