//! Test support: a real SDK client on an in-process mp-emulator.

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_marketplacemetering as mm;
use mp_emulator::{Emulator, credentials::CredentialSource};
use std::time::Duration;

/// The credentials the emulator vends to an ECS task role.
pub(crate) fn task_role_credentials() -> aws_credential_types::Credentials {
    let c = CredentialSource::EcsTaskRole.credentials();
    aws_credential_types::Credentials::new(
        c.access_key_id,
        c.secret_access_key,
        Some(c.session_token.to_string()),
        None,
        "test",
    )
}

/// A real SDK client on the emulator, as an ECS task role, with short timeouts and no
/// SDK retries (the flusher's own retries are under test).
pub(crate) fn client(emu: &Emulator) -> mm::Client {
    client_at(emu, &emu.url(), task_role_credentials())
}

/// The same client with another endpoint (the emulator's region) and credentials provider.
pub(crate) fn client_at(
    emu: &Emulator,
    url: &str,
    credentials: impl ProvideCredentials + 'static,
) -> mm::Client {
    let conf = mm::Config::builder()
        .behavior_version(mm::config::BehaviorVersion::latest())
        .region(mm::config::Region::new(emu.region().to_string()))
        .endpoint_url(url)
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_timeout(Duration::from_secs(5))
                .build(),
        )
        .build();
    mm::Client::from_conf(conf)
}
