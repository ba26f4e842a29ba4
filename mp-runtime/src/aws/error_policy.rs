//! One error policy for every Metering Service call, as a table keyed on the AWS error
//! code: what start-up does with it (stop with an exit code, retry, go on), what the hourly
//! flusher does with it, and the one line an operator reads. `RegisterUsage`, the start-up
//! `DryRun` and the hourly `MeterUsage` all look their row up here; docs/troubleshooting.md
//! is checked against [`RULES`] by a test.
//!
//! Errors without a service answer are settled before the table: a certificate that does not
//! chain to the pinned roots means something intercepted the connection (see
//! `aws::trust`); timeouts, connection failures and HTTP 5xx are retried.
//!
//! A refusal of the call's credentials or authorisation (`AccessDeniedException`,
//! `ExpiredTokenException`, a refused signature...) stops start-up (exit 91), where it means
//! the role or the clock is wrong; after start-up it is a blip (credentials rotating, a
//! policy redeployed, skew corrected) and never the record's fault, so the record is kept
//! and retried with fresh credentials.

use crate::build_mode::BuildMode;
use crate::exit;
use crate::failure::{Failure, causes};
use aws_sdk_marketplacemetering::config::http::HttpResponse;
use aws_sdk_marketplacemetering::error::{ProvideErrorMetadata, SdkError};
use mp_marketplace_rules::errors as code;

/// The call an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    /// `RegisterUsage` at start-up (hourly and monthly pricing).
    RegisterUsage,
    /// The `DryRun` `MeterUsage` at start-up (custom pricing).
    DryRun,
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::RegisterUsage => "RegisterUsage",
            Call::DryRun => "the DryRun MeterUsage",
        }
    }

    /// The API operation, as IAM and the platform refusal name it.
    fn operation(self) -> &'static str {
        match self {
            Call::RegisterUsage => "RegisterUsage",
            Call::DryRun => "MeterUsage",
        }
    }

    /// How a message names the error's origin: `(CustomerNotEntitledException on a DryRun
    /// MeterUsage)` only where the call is not RegisterUsage.
    fn suffix(self) -> &'static str {
        match self {
            Call::RegisterUsage => "",
            Call::DryRun => " on a DryRun MeterUsage",
        }
    }
}

/// What start-up does with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AtStartUp {
    /// Stop before the seller's code, with this exit code.
    Stop(i32),
    /// Try again until the start-up deadline.
    Retry,
    /// A permitted `DryRun` (`DryRunOperation`): entitled.
    Entitled,
    /// Stop (exit 81) in a production build; warn and go on in a local-testing build.
    PlatformNotSupported,
    /// Only an hourly record can meet it; at start-up it is any other refusal (exit 91).
    NotExpected,
}

/// What the flusher does with an hourly record's error. After start-up nothing stops the
/// process: a buyer who unsubscribed keeps the tasks already running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hourly {
    /// Try again with backoff until the record's window closes.
    Retry,
    /// The call's credentials or authorisation were refused: load fresh credentials, then
    /// as `Retry`.
    Credentials,
    /// The service holds a record for this hour and task (`DuplicateRequestException`).
    Duplicate,
    /// The client token was used with other parameters (`IdempotencyConflictException`).
    Conflict,
    /// The buyer is no longer entitled: logged and counted, the record given up.
    NotEntitled,
    /// The record's allocations or tags were refused: resend the total without them.
    Salvage,
    /// Nothing about this record can be sent: logged and counted.
    GiveUp,
}

/// One row of the policy.
pub(crate) struct Rule {
    /// The AWS error code (`__type`).
    pub(crate) code: &'static str,
    pub(crate) at_start_up: AtStartUp,
    pub(crate) hourly: Hourly,
    /// The operator's line at start-up, without the final period; the second argument is
    /// the service's `Code: message`.
    message: fn(&Context, &str) -> String,
}

/// What a message may name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) call: Call,
    pub(crate) product_code: &'a str,
    pub(crate) region: &'a str,
    /// The dimension of a DryRun or hourly record.
    pub(crate) dimension: &'a str,
    /// The public key version RegisterUsage sent.
    pub(crate) key_version: u32,
}

/// A credential or authorisation refusal: exit 91 at start-up, retried after it.
const fn credentials(code: &'static str) -> Rule {
    Rule {
        code,
        at_start_up: AtStartUp::NotExpected,
        hourly: Hourly::Credentials,
        message: refused,
    }
}

/// The policy, one row per error code the Metering Service models (and `DryRunOperation`),
/// and per credential refusal any AWS service can answer.
pub(crate) const RULES: &[Rule] = &[
    credentials(code::ACCESS_DENIED),
    credentials(code::EXPIRED_TOKEN),
    credentials(code::UNRECOGNIZED_CLIENT),
    credentials(code::INVALID_CLIENT_TOKEN_ID),
    credentials(code::INVALID_SIGNATURE),
    credentials(code::SIGNATURE_DOES_NOT_MATCH),
    credentials(code::INCOMPLETE_SIGNATURE),
    credentials(code::MISSING_AUTHENTICATION_TOKEN),
    credentials(code::REQUEST_EXPIRED),
    credentials(code::NOT_AUTHORIZED),
    Rule {
        code: code::CUSTOMER_NOT_ENTITLED,
        at_start_up: AtStartUp::Stop(exit::NOT_ENTITLED),
        hourly: Hourly::NotEntitled,
        message: |c, _| {
            format!(
                "not entitled: the AWS account running this task has no subscription to product \
                 {} (CustomerNotEntitledException{}). Subscribe in AWS Marketplace, then restart",
                c.product_code,
                c.call.suffix()
            )
        },
    },
    Rule {
        code: code::PLATFORM_NOT_SUPPORTED,
        at_start_up: AtStartUp::PlatformNotSupported,
        hourly: Hourly::GiveUp,
        message: |c, _| {
            format!(
                "platform not supported: AWS Marketplace accepts {} only from Amazon ECS, Amazon \
                 EKS and AWS Fargate (PlatformNotSupportedException). Run this container there",
                c.call.operation()
            )
        },
    },
    Rule {
        code: code::INVALID_REGION,
        at_start_up: AtStartUp::Stop(exit::WRONG_REGION),
        hourly: Hourly::GiveUp,
        message: wrong_region,
    },
    Rule {
        code: code::INVALID_ENDPOINT_REGION,
        at_start_up: AtStartUp::Stop(exit::WRONG_REGION),
        hourly: Hourly::GiveUp,
        message: wrong_region,
    },
    Rule {
        code: code::INVALID_PRODUCT_CODE,
        at_start_up: AtStartUp::Stop(exit::INVALID_PRODUCT_CODE),
        hourly: Hourly::GiveUp,
        message: |c, _| {
            format!(
                "invalid product code: AWS Marketplace does not accept product code {} \
                 (InvalidProductCodeException). Use the code the AWS Marketplace Management \
                 Portal shows",
                c.product_code
            )
        },
    },
    Rule {
        code: code::INVALID_PUBLIC_KEY_VERSION,
        at_start_up: AtStartUp::Stop(exit::INVALID_PUBLIC_KEY_VERSION),
        hourly: Hourly::GiveUp,
        message: |c, _| {
            format!(
                "invalid public key version {} for product {} \
                 (InvalidPublicKeyVersionException). Set public_key_version to the version the \
                 AWS Marketplace Management Portal shows",
                c.key_version, c.product_code
            )
        },
    },
    Rule {
        code: code::DISABLED_API,
        at_start_up: AtStartUp::Stop(exit::API_DISABLED),
        hourly: Hourly::GiveUp,
        message: |c, detail| {
            format!(
                "the AWS Marketplace Metering API is disabled in {} ({detail}). Contact AWS \
                 Marketplace",
                c.region
            )
        },
    },
    Rule {
        code: code::INVALID_USAGE_DIMENSION,
        at_start_up: AtStartUp::Stop(exit::OTHER),
        hourly: Hourly::GiveUp,
        message: |c, detail| {
            format!(
                "dimension `{}` is not a dimension of product {} ({detail}). Declare only \
                 the listing's dimension API names, in dimensions(...) and in libraries' \
                 dimensions!(...)",
                c.dimension, c.product_code
            )
        },
    },
    Rule {
        code: code::THROTTLING,
        at_start_up: AtStartUp::Retry,
        hourly: Hourly::Retry,
        message: retried,
    },
    Rule {
        code: code::INTERNAL_SERVICE_ERROR,
        at_start_up: AtStartUp::Retry,
        hourly: Hourly::Retry,
        message: retried,
    },
    Rule {
        code: code::DRY_RUN_OPERATION,
        at_start_up: AtStartUp::Entitled,
        hourly: Hourly::GiveUp,
        message: |_, _| "a DryRun answer to a call that was not a DryRun".to_owned(),
    },
    Rule {
        code: code::DUPLICATE_REQUEST,
        at_start_up: AtStartUp::NotExpected,
        hourly: Hourly::Duplicate,
        message: refused,
    },
    Rule {
        code: code::IDEMPOTENCY_CONFLICT,
        at_start_up: AtStartUp::NotExpected,
        hourly: Hourly::Conflict,
        message: refused,
    },
    Rule {
        code: code::INVALID_TAG,
        at_start_up: AtStartUp::NotExpected,
        hourly: Hourly::Salvage,
        message: refused,
    },
    Rule {
        code: code::INVALID_USAGE_ALLOCATIONS,
        at_start_up: AtStartUp::NotExpected,
        hourly: Hourly::Salvage,
        message: refused,
    },
    Rule {
        code: code::TIMESTAMP_OUT_OF_BOUNDS,
        at_start_up: AtStartUp::Stop(exit::OTHER),
        hourly: Hourly::GiveUp,
        message: |c, _| {
            format!(
                "{} was refused as out of its time window (TimestampOutOfBoundsException). \
                 Check the host clock (time sync on the node)",
                c.call.name()
            )
        },
    },
];

fn wrong_region(c: &Context, detail: &str) -> String {
    format!(
        "wrong region: the metering service refused a call made in {} ({detail}). The region \
         must be the one the task runs in: check AWS_REGION and AWS_DEFAULT_REGION",
        c.region
    )
}

fn retried(c: &Context, detail: &str) -> String {
    format!(
        "{} was throttled or failed on the service side ({detail})",
        c.call.name()
    )
}

/// A credential refusal (access denied, clock skew: a refused signature), and anything
/// without a row of its own: an answer that makes no sense for the call.
fn refused(c: &Context, detail: &str) -> String {
    match c.call {
        Call::RegisterUsage => format!(
            "RegisterUsage failed ({detail}). Check the task role's aws-marketplace permissions"
        ),
        Call::DryRun => format!(
            "{} failed ({detail}). Check the task role's aws-marketplace:MeterUsage permission",
            c.call.name()
        ),
    }
}

/// The row for an AWS error code.
pub(crate) fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// What an error amounts to before any service error code is read.
#[derive(Debug)]
pub(crate) enum Transport {
    /// The TLS certificate does not chain to the pinned roots.
    Intercepted(String),
    /// Timeout, connection failure, or HTTP 5xx without a modelled error.
    Retry(String),
    /// An answer that could not be read, or a request that could not be built.
    Broken(String),
}

/// The service's error code and message, or what the failure is without one. License
/// Manager's errors are read the same way (`contract::policy`).
pub(crate) fn read<E>(error: &SdkError<E, HttpResponse>) -> Result<(&str, String), Transport>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match error {
        SdkError::ServiceError(e) => {
            let service = e.err();
            let detail = detail(service);
            match service.code() {
                Some(code) if rule(code).is_some() => Ok((code, detail)),
                _ if e.raw().status().is_server_error() => Err(Transport::Retry(detail)),
                Some(code) => Ok((code, detail)),
                None => Err(Transport::Broken(detail)),
            }
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            match crate::aws::trust::certificate_problem(error) {
                Some(why) => Err(Transport::Intercepted(why)),
                None => Err(Transport::Retry(format!(
                    "network error: {}",
                    causes(error)
                ))),
            }
        }
        SdkError::ResponseError(e) if e.raw().status().is_server_error() => Err(Transport::Retry(
            format!("HTTP {}", e.raw().status().as_u16()),
        )),
        _ => Err(Transport::Broken(causes(error))),
    }
}

/// `ErrorName: message`, as quoted in the one-line failures.
fn detail(service: &impl ProvideErrorMetadata) -> String {
    format!(
        "{}: {}",
        service.code().unwrap_or("unknown error"),
        service.message().unwrap_or("no message")
    )
}

/// What start-up does with a failed call.
#[derive(Debug)]
pub(crate) enum StartUpVerdict {
    /// Stop with this failure.
    Stop(Failure),
    /// Try again; the text says why, for the exit-88 line.
    Retry(String),
    /// The DryRun answered `DryRunOperation`: entitled.
    Entitled,
    /// Local-testing build off ECS/EKS/Fargate: the warning to print, then go on.
    PlatformWarning(String),
}

/// Looks a start-up call's error up.
pub(crate) fn at_start_up<E>(
    error: &SdkError<E, HttpResponse>,
    context: &Context,
    mode: BuildMode,
) -> StartUpVerdict
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let call = context.call.name();
    let (code, detail) = match read(error) {
        Ok(found) => found,
        Err(Transport::Retry(why)) => return StartUpVerdict::Retry(why),
        Err(Transport::Intercepted(why)) => {
            return StartUpVerdict::Stop(intercepted(call, context.region, &why));
        }
        Err(Transport::Broken(why)) => {
            return StartUpVerdict::Stop(Failure::new(
                exit::OTHER,
                format!("{call} failed: {why}"),
            ));
        }
    };
    let Some(rule) = rule(code) else {
        return StartUpVerdict::Stop(Failure::new(exit::OTHER, refused(context, &detail)));
    };
    let stop =
        |exit_code| StartUpVerdict::Stop(Failure::new(exit_code, (rule.message)(context, &detail)));
    match rule.at_start_up {
        AtStartUp::Stop(exit_code) => stop(exit_code),
        AtStartUp::Retry => StartUpVerdict::Retry(detail),
        AtStartUp::Entitled if context.call == Call::DryRun => StartUpVerdict::Entitled,
        AtStartUp::Entitled | AtStartUp::NotExpected => stop(exit::OTHER),
        AtStartUp::PlatformNotSupported => match mode {
            BuildMode::Production => stop(exit::PLATFORM_NOT_SUPPORTED),
            BuildMode::LocalTesting => StartUpVerdict::PlatformWarning(format!(
                "PlatformNotSupportedException from the metering endpoint: this platform is not \
                 ECS/EKS/Fargate; the same binary would work on ECS/EKS/Fargate. Continuing \
                 (local-testing build) as product {}",
                context.product_code
            )),
        },
    }
}

/// What the flusher does with a failed hourly record, and the detail to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HourlyVerdict {
    pub(crate) action: Hourly,
    pub(crate) detail: String,
    /// The connection was intercepted (a certificate the pinned roots do not vouch for).
    pub(crate) intercepted: bool,
    /// The request may have reached the service: anything but a failure to connect.
    pub(crate) transmitted: bool,
}

/// Looks an hourly record's error up.
pub(crate) fn hourly<E>(error: &SdkError<E, HttpResponse>) -> HourlyVerdict
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let transmitted = !never_left(error);
    let verdict = |action, detail| HourlyVerdict {
        action,
        detail,
        intercepted: false,
        transmitted,
    };
    match read(error) {
        Ok((code, detail)) => verdict(rule(code).map_or(Hourly::GiveUp, |r| r.hourly), detail),
        // Kept and retried: the journal holds the usage while the path is fixed.
        Err(Transport::Intercepted(why)) => HourlyVerdict {
            action: Hourly::Retry,
            detail: why,
            intercepted: true,
            transmitted,
        },
        Err(Transport::Retry(why)) => verdict(Hourly::Retry, why),
        Err(Transport::Broken(why)) => verdict(Hourly::GiveUp, why),
    }
}

/// Whether the request certainly never left the process: the connection was never
/// established (refused, no route, DNS, connect timeout, a TLS handshake refused or
/// intercepted), which the HTTP client reports as a connect error of hyper-util's pooled
/// client somewhere in the error's causes. Anything else (an attempt timeout, a reset, a
/// dropped answer, any answer) may have been read by the service.
pub(crate) fn never_left<E>(error: &SdkError<E, HttpResponse>) -> bool
where
    E: std::error::Error + 'static,
{
    if !matches!(error, SdkError::DispatchFailure(_)) {
        return false;
    }
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = next {
        if e.downcast_ref::<hyper_util::client::legacy::Error>()
            .is_some_and(|e| e.is_connect())
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// Exit 92: the metering endpoint's certificate does not chain to the roots AWS uses.
fn intercepted(call: &str, region: &str, why: &str) -> Failure {
    Failure::new(
        exit::INTERCEPTED,
        format!(
            "something intercepted the connection to the metering endpoint in {region}: its \
             certificate does not chain to the Amazon roots this build trusts ({why}), so {call} \
             was not sent. A proxy, a DNS or hosts-file override or a TLS-inspecting firewall \
             sits between the task and AWS: exempt metering.marketplace.{region}.amazonaws.com \
             from TLS inspection and name overrides"
        ),
    )
}

#[cfg(test)]
mod tests;
