//! `EmulatorConfig::forge_signature` over the wire: the real SDK client receives each forged
//! Signature intact (the 4 MiB one included), and the call is otherwise an accepted
//! registration, recorded in the ledger like any other.

mod support;

use mp_emulator::keys::{TEST_ONLY_KEY_VERSION, TEST_ONLY_PUBLIC_KEY_PEM};
use mp_emulator::ledger::Ledger;
use mp_emulator::scenario::{FORGED_NONCE, FORGED_PRODUCT_CODE, Forgery, OVERSIZED_TOKEN_BYTES};
use mp_emulator::{Emulator, EmulatorConfig};
use support::*;

async fn forged_signature(forgery: Forgery) -> (String, Ledger) {
    let emu = Emulator::start(EmulatorConfig::default().forge_signature(forgery))
        .await
        .unwrap();
    let out = register_demo(&client(&emu))
        .nonce("a-fresh-nonce")
        .send()
        .await
        .unwrap();
    let token = out.signature().expect("a signature").to_owned();
    (token, emu.ledger())
}

#[tokio::test]
async fn every_forgery_is_answered_and_recorded_as_a_registration() {
    for forgery in Forgery::ALL {
        let (token, ledger) = forged_signature(forgery).await;
        let verified = verify_token(&token, TEST_ONLY_PUBLIC_KEY_PEM);
        match forgery {
            // The claims are genuine; only its size gives it away.
            Forgery::Oversized => {
                assert!(
                    token.len() > OVERSIZED_TOKEN_BYTES - 1024,
                    "{}",
                    token.len()
                );
                assert_eq!(verified.unwrap().nonce.as_deref(), Some("a-fresh-nonce"));
            }
            Forgery::WrongProductCode => {
                assert_eq!(verified.unwrap().product_code, FORGED_PRODUCT_CODE)
            }
            Forgery::WrongKeyVersion => assert_eq!(
                verified.unwrap().public_key_version,
                TEST_ONLY_KEY_VERSION + 1
            ),
            Forgery::OtherNonce => {
                assert_eq!(verified.unwrap().nonce.as_deref(), Some(FORGED_NONCE))
            }
            Forgery::AlgNone
            | Forgery::Hs256WithPublicKey
            | Forgery::MalformedBase64
            | Forgery::MalformedJson => assert!(verified.is_err(), "{forgery:?}"),
        }
        assert_eq!(ledger.registrations.len(), 1, "{forgery:?}");
        assert_eq!(
            ledger.registrations[0].nonce.as_deref(),
            Some("a-fresh-nonce")
        );
    }
}
