//! `mp-emulator public-key`: the PEM that verifies RegisterUsage tokens and License Manager
//! SignedTokens, on stdout (so it can be redirected into a file), and the key version on
//! stderr.

use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct PublicKeyArgs {
    /// The RSA private key PEM the emulator is run with (`serve --key`); default: the bundled key.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// The key version it is run with (`serve --key-version`).
    #[arg(long, default_value_t = mp_emulator::keys::TEST_ONLY_KEY_VERSION)]
    key_version: i32,
}

pub(crate) fn public_key(args: &PublicKeyArgs) -> Result<(), String> {
    let pem = match &args.key {
        None => mp_emulator::keys::TEST_ONLY_PUBLIC_KEY_PEM.to_string(),
        Some(path) => mp_emulator::keys::public_key_pem(&super::args::read(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?,
    };
    print!("{pem}");
    eprintln!("key version: {}", args.key_version);
    Ok(())
}
