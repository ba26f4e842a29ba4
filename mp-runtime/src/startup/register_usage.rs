//! One `RegisterUsage` call, and what each of its errors means for start-up.

use crate::aws::error_policy::{self, Call, Context, StartUpVerdict};
use crate::aws::retry::AttemptError;
use crate::build_mode::BuildMode;
use crate::exit;
use crate::failure::Failure;
use aws_sdk_marketplacemetering::Client;
use aws_sdk_marketplacemetering::config::http::HttpResponse;
use aws_sdk_marketplacemetering::error::SdkError;
use aws_sdk_marketplacemetering::operation::register_usage::RegisterUsageError;

/// What is registered.
pub(crate) struct Request<'a> {
    pub(crate) product_code: &'a str,
    pub(crate) key_version: u32,
    pub(crate) region: &'a str,
}

/// A call that let start-up go on.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Registered {
    /// Registered; `signature` is the token to verify, `nonce` what it must echo.
    Accepted {
        signature: Option<String>,
        nonce: String,
    },
    /// Local-testing build off ECS/EKS/Fargate: the warning to log.
    PlatformWarning(String),
}

/// Sends `RegisterUsage` with a fresh nonce.
pub(crate) async fn call(
    client: &Client,
    request: &Request<'_>,
    mode: BuildMode,
) -> Result<Registered, AttemptError> {
    let nonce = fresh_nonce()?;
    let sent = client
        .register_usage()
        .product_code(request.product_code)
        .public_key_version(i32::try_from(request.key_version).unwrap_or(i32::MAX))
        .nonce(&nonce)
        .send()
        .await;
    match sent {
        Ok(output) => Ok(Registered::Accepted {
            signature: output.signature().map(str::to_owned),
            nonce,
        }),
        Err(error) => classify(&error, request, mode),
    }
}

/// 64 hex characters from the OS RNG: unguessable, so a recorded token cannot be replayed.
fn fresh_nonce() -> Result<String, AttemptError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        AttemptError::Final(Failure::new(
            exit::OTHER,
            format!("the OS random number generator failed: {e}"),
        ))
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Maps an error to retry, a final exit code, or (local testing only) a warning.
pub(crate) fn classify(
    error: &SdkError<RegisterUsageError, HttpResponse>,
    request: &Request<'_>,
    mode: BuildMode,
) -> Result<Registered, AttemptError> {
    let context = Context {
        call: Call::RegisterUsage,
        product_code: request.product_code,
        region: request.region,
        dimension: "",
        key_version: request.key_version,
    };
    match error_policy::at_start_up(error, &context, mode) {
        StartUpVerdict::Stop(failure) => Err(AttemptError::Final(failure)),
        StartUpVerdict::Retry(why) => Err(AttemptError::Transient(why)),
        StartUpVerdict::PlatformWarning(warning) => Ok(Registered::PlatformWarning(warning)),
        // The policy answers DryRunOperation with a stop for any call but the DryRun; should
        // that change, an unexpected answer still stops rather than counts as registered.
        StartUpVerdict::Entitled => Err(AttemptError::Final(Failure::new(
            exit::OTHER,
            "RegisterUsage was answered as a DryRun",
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_marketplacemetering::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_marketplacemetering::types::error as e;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    const REQUEST: Request<'static> = Request {
        product_code: "prod1",
        key_version: 3,
        region: "us-east-1",
    };

    /// The metadata the SDK's deserializer gives every modelled error: its code.
    fn code(name: &str) -> ErrorMetadata {
        ErrorMetadata::builder().code(name).message("m").build()
    }

    fn response(status: u16) -> HttpResponse {
        HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty())
    }

    fn service(
        error: RegisterUsageError,
        status: u16,
    ) -> SdkError<RegisterUsageError, HttpResponse> {
        SdkError::service_error(error, response(status))
    }

    fn generic(code: &str, status: u16) -> SdkError<RegisterUsageError, HttpResponse> {
        service(
            RegisterUsageError::generic(ErrorMetadata::builder().code(code).message("m").build()),
            status,
        )
    }

    fn exit_code(
        error: &SdkError<RegisterUsageError, HttpResponse>,
        mode: BuildMode,
    ) -> Option<i32> {
        match classify(error, &REQUEST, mode) {
            Err(AttemptError::Final(f)) => Some(f.code),
            _ => None,
        }
    }

    fn is_transient(error: &SdkError<RegisterUsageError, HttpResponse>) -> bool {
        matches!(
            classify(error, &REQUEST, BuildMode::Production),
            Err(AttemptError::Transient(_))
        )
    }

    #[test]
    fn service_errors_map_to_their_exit_codes_in_both_modes() {
        let cases = [
            (
                service(
                    RegisterUsageError::CustomerNotEntitledException(
                        e::CustomerNotEntitledException::builder()
                            .meta(code("CustomerNotEntitledException"))
                            .build(),
                    ),
                    400,
                ),
                exit::NOT_ENTITLED,
            ),
            (
                service(
                    RegisterUsageError::InvalidRegionException(
                        e::InvalidRegionException::builder()
                            .meta(code("InvalidRegionException"))
                            .build(),
                    ),
                    400,
                ),
                exit::WRONG_REGION,
            ),
            (
                generic("InvalidEndpointRegionException", 400),
                exit::WRONG_REGION,
            ),
            (
                service(
                    RegisterUsageError::InvalidProductCodeException(
                        e::InvalidProductCodeException::builder()
                            .meta(code("InvalidProductCodeException"))
                            .build(),
                    ),
                    400,
                ),
                exit::INVALID_PRODUCT_CODE,
            ),
            (
                service(
                    RegisterUsageError::InvalidPublicKeyVersionException(
                        e::InvalidPublicKeyVersionException::builder()
                            .meta(code("InvalidPublicKeyVersionException"))
                            .build(),
                    ),
                    400,
                ),
                exit::INVALID_PUBLIC_KEY_VERSION,
            ),
            (
                service(
                    RegisterUsageError::DisabledApiException(
                        e::DisabledApiException::builder()
                            .meta(code("DisabledApiException"))
                            .build(),
                    ),
                    400,
                ),
                exit::API_DISABLED,
            ),
            (generic("AccessDeniedException", 400), exit::OTHER),
            (SdkError::construction_failure("bad input"), exit::OTHER),
            (
                SdkError::response_error("not JSON", response(200)),
                exit::OTHER,
            ),
        ];
        for mode in [BuildMode::Production, BuildMode::LocalTesting] {
            for (error, code) in &cases {
                assert_eq!(exit_code(error, mode), Some(*code), "{mode:?} {error:?}");
            }
        }
    }

    #[test]
    fn platform_not_supported_is_fatal_only_in_production() {
        let error = service(
            RegisterUsageError::PlatformNotSupportedException(
                e::PlatformNotSupportedException::builder()
                    .meta(code("PlatformNotSupportedException"))
                    .build(),
            ),
            400,
        );
        assert_eq!(
            exit_code(&error, BuildMode::Production),
            Some(exit::PLATFORM_NOT_SUPPORTED)
        );
        match classify(&error, &REQUEST, BuildMode::LocalTesting) {
            Ok(Registered::PlatformWarning(w)) => {
                assert!(w.contains("would work on ECS/EKS/Fargate"), "{w}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn throttling_server_and_network_errors_are_retried() {
        assert!(is_transient(&service(
            RegisterUsageError::ThrottlingException(
                e::ThrottlingException::builder()
                    .meta(code("ThrottlingException"))
                    .build()
            ),
            400
        )));
        assert!(is_transient(&service(
            RegisterUsageError::InternalServiceErrorException(
                e::InternalServiceErrorException::builder()
                    .meta(code("InternalServiceErrorException"))
                    .build()
            ),
            500
        )));
        assert!(is_transient(&generic("ServiceUnavailable", 503)));
        assert!(is_transient(&SdkError::response_error(
            "truncated",
            response(502)
        )));
        assert!(is_transient(&SdkError::timeout_error("slow")));
        assert!(is_transient(&SdkError::dispatch_failure(
            ConnectorError::io("reset".into())
        )));
    }

    #[test]
    fn not_entitled_message_names_product_and_action() {
        let error = service(
            RegisterUsageError::CustomerNotEntitledException(
                e::CustomerNotEntitledException::builder()
                    .meta(code("CustomerNotEntitledException"))
                    .build(),
            ),
            400,
        );
        let Err(AttemptError::Final(f)) = classify(&error, &REQUEST, BuildMode::Production) else {
            panic!()
        };
        assert_eq!(
            f.line(),
            "mp-runtime: not entitled: the AWS account running this task has no subscription to product prod1 \
             (CustomerNotEntitledException). Subscribe in AWS Marketplace, then restart. [exit 80]"
        );
    }

    #[test]
    fn nonces_are_fresh_and_long() {
        let (a, b) = (fresh_nonce().unwrap(), fresh_nonce().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
