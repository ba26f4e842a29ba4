//! The error codes each call is modelled to return (`__type` in the JSON body, the
//! `x-amzn-errortype` header, and `code()` on an SDK error).

/// The account running the task or pod has no subscription to the product.
pub const CUSTOMER_NOT_ENTITLED: &str = "CustomerNotEntitledException";
/// The call came from outside ECS, EKS or their supported variants.
pub const PLATFORM_NOT_SUPPORTED: &str = "PlatformNotSupportedException";
/// `RegisterUsage` called in a region other than the task's.
pub const INVALID_REGION: &str = "InvalidRegionException";
/// `MeterUsage` called through another region's endpoint.
pub const INVALID_ENDPOINT_REGION: &str = "InvalidEndpointRegionException";
/// The product code is unknown (or malformed).
pub const INVALID_PRODUCT_CODE: &str = "InvalidProductCodeException";
/// The public key version is unknown.
pub const INVALID_PUBLIC_KEY_VERSION: &str = "InvalidPublicKeyVersionException";
/// The Metering API is disabled in the region.
pub const DISABLED_API: &str = "DisabledApiException";
/// The dimension is not one of the listing's.
pub const INVALID_USAGE_DIMENSION: &str = "InvalidUsageDimensionException";
/// The timestamp is more than 6 hours old, or in the future.
pub const TIMESTAMP_OUT_OF_BOUNDS: &str = "TimestampOutOfBoundsException";
/// A different quantity for a dimension and hour already recorded.
pub const DUPLICATE_REQUEST: &str = "DuplicateRequestException";
/// A tag breaks the tag rules.
pub const INVALID_TAG: &str = "InvalidTagException";
/// The allocations break the allocation rules (count, or a sum other than the quantity).
pub const INVALID_USAGE_ALLOCATIONS: &str = "InvalidUsageAllocationsException";
/// A client token already used with different parameters.
pub const IDEMPOTENCY_CONFLICT: &str = "IdempotencyConflictException";
/// Too many requests.
pub const THROTTLING: &str = "ThrottlingException";
/// The service failed (HTTP 500).
pub const INTERNAL_SERVICE_ERROR: &str = "InternalServiceErrorException";
/// An input constraint broken (the generic AWS error).
pub const VALIDATION: &str = "ValidationException";
/// The answer a permitted `DryRun` may give instead of 200.
pub const DRY_RUN_OPERATION: &str = "DryRunOperation";

/// The role lacks the permission (or a policy is being redeployed).
pub const ACCESS_DENIED: &str = "AccessDeniedException";
/// The session credentials expired.
pub const EXPIRED_TOKEN: &str = "ExpiredTokenException";
/// The access key or session token is unknown (rotated, or not yet propagated).
pub const UNRECOGNIZED_CLIENT: &str = "UnrecognizedClientException";
/// The access key is unknown (the query protocols' spelling).
pub const INVALID_CLIENT_TOKEN_ID: &str = "InvalidClientTokenId";
/// The signature does not verify, or was made too far from AWS's clock.
pub const INVALID_SIGNATURE: &str = "InvalidSignatureException";
/// The signature does not verify (the query protocols' spelling).
pub const SIGNATURE_DOES_NOT_MATCH: &str = "SignatureDoesNotMatch";
/// The signature lacks a part.
pub const INCOMPLETE_SIGNATURE: &str = "IncompleteSignatureException";
/// The request was not signed.
pub const MISSING_AUTHENTICATION_TOKEN: &str = "MissingAuthenticationTokenException";
/// The request's date is too far from AWS's clock.
pub const REQUEST_EXPIRED: &str = "RequestExpired";
/// The caller may not call the operation.
pub const NOT_AUTHORIZED: &str = "NotAuthorized";

/// The refusals of a call's credentials or authorisation, which every AWS JSON service can
/// answer outside its model (the common errors): credentials rotating, an IAM policy being
/// redeployed, clock skew. None of them is about the request's content.
pub const CREDENTIAL_ERRORS: &[&str] = &[
    ACCESS_DENIED,
    EXPIRED_TOKEN,
    UNRECOGNIZED_CLIENT,
    INVALID_CLIENT_TOKEN_ID,
    INVALID_SIGNATURE,
    SIGNATURE_DOES_NOT_MATCH,
    INCOMPLETE_SIGNATURE,
    MISSING_AUTHENTICATION_TOKEN,
    REQUEST_EXPIRED,
    NOT_AUTHORIZED,
];

/// Every error the service model lists for `RegisterUsage`.
pub const REGISTER_USAGE: &[&str] = &[
    CUSTOMER_NOT_ENTITLED,
    DISABLED_API,
    INTERNAL_SERVICE_ERROR,
    INVALID_PRODUCT_CODE,
    INVALID_PUBLIC_KEY_VERSION,
    INVALID_REGION,
    PLATFORM_NOT_SUPPORTED,
    THROTTLING,
];

/// Every error the service model lists for `MeterUsage`. Local development also sees
/// `PlatformNotSupportedException` from it, though the model does not list it.
pub const METER_USAGE: &[&str] = &[
    CUSTOMER_NOT_ENTITLED,
    DUPLICATE_REQUEST,
    IDEMPOTENCY_CONFLICT,
    INTERNAL_SERVICE_ERROR,
    INVALID_ENDPOINT_REGION,
    INVALID_PRODUCT_CODE,
    INVALID_TAG,
    INVALID_USAGE_ALLOCATIONS,
    INVALID_USAGE_DIMENSION,
    THROTTLING,
    TIMESTAMP_OUT_OF_BOUNDS,
];
