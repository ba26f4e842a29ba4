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
