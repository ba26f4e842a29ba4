//! Which product code this process registers as. The code is compiled in; an override from
//! `MARKETPLACE_PRODUCT_CODE` (Helm values, CloudFormation parameters, manifests) counts only
//! if the binary trusts it, and a free code can never pass for a paid one.

use crate::env::Env;
use crate::exit;
use crate::failure::{Failure, quoted};
use crate::registration::ProductTier;

/// The environment variable a deployment may use to pick another trusted product code.
pub(crate) const OVERRIDE_VAR: &str = "MARKETPLACE_PRODUCT_CODE";

/// The codes a binary was compiled with.
pub(crate) struct Codes {
    pub(crate) compiled: &'static str,
    pub(crate) trusted: &'static [&'static str],
    pub(crate) free: &'static [&'static str],
}

/// The code to register and its tier, or exit 86 for an override the binary does not trust.
pub(crate) fn choose(codes: &Codes, env: &dyn Env) -> Result<(&'static str, ProductTier), Failure> {
    let tier = |code: &str| {
        if codes.free.contains(&code) {
            ProductTier::Free
        } else {
            ProductTier::Paid
        }
    };
    let Some(wanted) = env.var(OVERRIDE_VAR) else {
        return Ok((codes.compiled, tier(codes.compiled)));
    };
    // Hand back the compiled-in &'static str, never the buyer's string.
    let known = std::iter::once(&codes.compiled)
        .chain(codes.trusted)
        .chain(codes.free);
    match known.into_iter().find(|c| **c == wanted) {
        Some(code) => Ok((code, tier(code))),
        None => Err(untrusted(codes, &wanted)),
    }
}

fn untrusted(codes: &Codes, wanted: &str) -> Failure {
    // The free list is not shown: it unlocks nothing paid.
    let accepted = match codes.trusted {
        [] => "this binary accepts no override".to_owned(),
        trusted => format!("trusted overrides: {}", trusted.join(", ")),
    };
    Failure::new(
        exit::UNTRUSTED_PRODUCT_CODE,
        format!(
            "{OVERRIDE_VAR}={} is not a product code this binary trusts (compiled in: {}; {accepted}). \
             Unset {OVERRIDE_VAR} or set it to one of those",
            quoted(wanted),
            codes.compiled
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env_of;

    const CODES: Codes = Codes {
        compiled: "paidmain",
        trusted: &["paidalt", "freebie2"],
        free: &["freebie", "freebie2"],
    };

    fn choose_with(value: Option<&str>) -> Result<(&'static str, ProductTier), Failure> {
        let env = match value {
            Some(v) => env_of(&[(OVERRIDE_VAR, v)]),
            None => env_of(&[]),
        };
        choose(&CODES, &env)
    }

    #[test]
    fn compiled_in_code_without_override() {
        assert_eq!(choose_with(None).unwrap(), ("paidmain", ProductTier::Paid));
        assert_eq!(
            choose_with(Some("")).unwrap(),
            ("paidmain", ProductTier::Paid)
        );
        assert_eq!(
            choose_with(Some("paidmain")).unwrap(),
            ("paidmain", ProductTier::Paid)
        );
    }

    #[test]
    fn trusted_override_is_paid() {
        assert_eq!(
            choose_with(Some("paidalt")).unwrap(),
            ("paidalt", ProductTier::Paid)
        );
    }

    #[test]
    fn free_code_is_never_paid() {
        assert_eq!(
            choose_with(Some("freebie")).unwrap(),
            ("freebie", ProductTier::Free)
        );
        // Listed as trusted too: still free.
        assert_eq!(
            choose_with(Some("freebie2")).unwrap(),
            ("freebie2", ProductTier::Free)
        );
    }

    #[test]
    fn compiled_in_free_code_is_free() {
        let codes = Codes {
            compiled: "freeonly",
            trusted: &[],
            free: &["freeonly"],
        };
        assert_eq!(
            choose(&codes, &env_of(&[])).unwrap(),
            ("freeonly", ProductTier::Free)
        );
    }

    #[test]
    fn untrusted_override_exits_86_naming_the_variable_and_trusted_list() {
        let failure = choose_with(Some("stolen\ncode")).unwrap_err();
        assert_eq!(failure.code, exit::UNTRUSTED_PRODUCT_CODE);
        assert_eq!(
            failure.message,
            "MARKETPLACE_PRODUCT_CODE=\"stolen\\ncode\" is not a product code this binary trusts \
             (compiled in: paidmain; trusted overrides: paidalt, freebie2). \
             Unset MARKETPLACE_PRODUCT_CODE or set it to one of those"
        );
        assert!(
            !failure.message.contains("freebie,"),
            "free list is not advertised"
        );
    }

    #[test]
    fn no_trusted_list_says_no_override_is_accepted() {
        let codes = Codes {
            compiled: "paidmain",
            trusted: &[],
            free: &[],
        };
        let failure = choose(&codes, &env_of(&[(OVERRIDE_VAR, "other")])).unwrap_err();
        assert!(
            failure
                .message
                .contains("(compiled in: paidmain; this binary accepts no override)")
        );
    }
}
