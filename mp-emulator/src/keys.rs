//! The test-only key pair the emulator signs RegisterUsage tokens with, and a second private
//! key for forged-signature tests. These keys are public knowledge: never trust them in
//! production.

pub use crate::public_key::public_key_pem;

/// PEM of the public key that verifies tokens signed with the default (test-only) key.
pub const TEST_ONLY_PUBLIC_KEY_PEM: &str = include_str!("../keys/test-only-public.pem");

/// The key version the emulator signs as and expects in `PublicKeyVersion`.
pub const TEST_ONLY_KEY_VERSION: i32 = 1;

/// The private key behind [`TEST_ONLY_PUBLIC_KEY_PEM`]; the default signing key.
pub const TEST_ONLY_PRIVATE_KEY_PEM: &str = include_str!("../keys/test-only-private.pem");

/// Another private key: tokens signed with it must fail verification with the published key.
pub const TEST_ONLY_OTHER_PRIVATE_KEY_PEM: &str =
    include_str!("../keys/test-only-other-private.pem");
