use super::*;
use aws_sdk_marketplacemetering::error::{ConnectorError, ErrorMetadata};
use aws_sdk_marketplacemetering::operation::meter_usage::MeterUsageError;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

type Error = SdkError<MeterUsageError, HttpResponse>;

const CONTEXT: Context<'static> = Context {
    call: Call::DryRun,
    product_code: "prod1",
    region: "us-east-1",
    dimension: "requests",
    key_version: 1,
};

/// A service error as the SDK's deserializer makes it: the code in the metadata.
fn service(code: &str, status: u16) -> Error {
    let error = MeterUsageError::generic(ErrorMetadata::builder().code(code).message("m").build());
    let response = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty());
    SdkError::service_error(error, response)
}

fn untrusted_certificate() -> Error {
    let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
    let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
    SdkError::dispatch_failure(ConnectorError::io(Box::new(io)))
}

fn exit_code(verdict: StartUpVerdict) -> Option<i32> {
    match verdict {
        StartUpVerdict::Stop(failure) => Some(failure.code),
        _ => None,
    }
}

#[test]
fn every_modelled_error_has_a_row() {
    for code in mp_marketplace_rules::errors::REGISTER_USAGE
        .iter()
        .chain(mp_marketplace_rules::errors::METER_USAGE)
        .chain([&mp_marketplace_rules::errors::DRY_RUN_OPERATION])
    {
        assert!(rule(code).is_some(), "{code} has no row");
    }
    let mut codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), RULES.len(), "one row per code");
}

#[test]
fn start_up_follows_the_table() {
    for rule in RULES {
        let error = service(rule.code, 400);
        for mode in [BuildMode::Production, BuildMode::LocalTesting] {
            let verdict = at_start_up(&error, &CONTEXT, mode);
            match (rule.at_start_up, mode) {
                (AtStartUp::Stop(code), _) => assert_eq!(exit_code(verdict), Some(code)),
                (AtStartUp::NotExpected, _) => assert_eq!(exit_code(verdict), Some(exit::OTHER)),
                (AtStartUp::Retry, _) => assert!(matches!(verdict, StartUpVerdict::Retry(_))),
                (AtStartUp::Entitled, _) => assert!(matches!(verdict, StartUpVerdict::Entitled)),
                (AtStartUp::PlatformNotSupported, BuildMode::Production) => {
                    assert_eq!(exit_code(verdict), Some(exit::PLATFORM_NOT_SUPPORTED))
                }
                (AtStartUp::PlatformNotSupported, BuildMode::LocalTesting) => {
                    assert!(matches!(verdict, StartUpVerdict::PlatformWarning(_)))
                }
            }
        }
    }
}

#[test]
fn hourly_records_follow_the_table() {
    for rule in RULES {
        assert_eq!(
            hourly(&service(rule.code, 400)).action,
            rule.hourly,
            "{}",
            rule.code
        );
    }
}

#[test]
fn credential_refusals_stop_start_up_and_are_retried_after_it() {
    for code in mp_marketplace_rules::errors::CREDENTIAL_ERRORS {
        for status in [400, 403] {
            let error = service(code, status);
            assert_eq!(
                exit_code(at_start_up(&error, &CONTEXT, BuildMode::Production)),
                Some(exit::OTHER),
                "{code}"
            );
            let later = hourly(&error);
            assert_eq!(later.action, Hourly::Credentials, "{code}");
            assert!(
                later.transmitted,
                "an answer: the request reached the service"
            );
        }
    }
}

#[test]
fn an_idempotency_conflict_reads_the_same_as_400_or_409() {
    for status in [400, 409] {
        let verdict = hourly(&service("IdempotencyConflictException", status));
        assert_eq!(verdict.action, Hourly::Conflict, "HTTP {status}");
    }
}

#[test]
fn without_a_row_5xx_is_retried_and_anything_else_refused() {
    let unknown = service("SomeNewRefusalException", 400);
    assert_eq!(
        exit_code(at_start_up(&unknown, &CONTEXT, BuildMode::Production)),
        Some(exit::OTHER)
    );
    assert_eq!(hourly(&unknown).action, Hourly::GiveUp);
    let unavailable = service("ServiceUnavailable", 503);
    assert!(matches!(
        at_start_up(&unavailable, &CONTEXT, BuildMode::Production),
        StartUpVerdict::Retry(_)
    ));
    assert_eq!(hourly(&unavailable).action, Hourly::Retry);
    let reset: Error = SdkError::dispatch_failure(ConnectorError::io("reset".into()));
    assert_eq!(hourly(&reset).action, Hourly::Retry);
    assert!(!hourly(&reset).intercepted);
    assert!(
        hourly(&reset).transmitted,
        "a reset without a failed connect in its causes may have been read"
    );
}

#[test]
fn an_untrusted_certificate_stops_start_up_at_once_and_is_retried_and_counted_later() {
    let error = untrusted_certificate();
    let Some(exit_code) = exit_code(at_start_up(&error, &CONTEXT, BuildMode::Production)) else {
        panic!("not a stop");
    };
    assert_eq!(exit_code, exit::INTERCEPTED);
    let StartUpVerdict::Stop(failure) = at_start_up(&error, &CONTEXT, BuildMode::Production) else {
        unreachable!()
    };
    assert!(
        failure.message.starts_with(
            "something intercepted the connection to the metering endpoint in us-east-1"
        ),
        "{}",
        failure.message
    );
    let later = hourly(&error);
    assert_eq!((later.action, later.intercepted), (Hourly::Retry, true));
}

#[test]
fn messages_name_the_product_region_and_call() {
    let line = |code: &str| match at_start_up(&service(code, 400), &CONTEXT, BuildMode::Production)
    {
        StartUpVerdict::Stop(failure) => failure.line(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        line("CustomerNotEntitledException"),
        "mp-runtime: not entitled: the AWS account running this task has no subscription to \
         product prod1 (CustomerNotEntitledException on a DryRun MeterUsage). Subscribe in AWS \
         Marketplace, then restart. [exit 80]"
    );
    assert_eq!(
        line("PlatformNotSupportedException"),
        "mp-runtime: platform not supported: AWS Marketplace accepts MeterUsage only from Amazon \
         ECS, Amazon EKS and AWS Fargate (PlatformNotSupportedException). Run this container \
         there. [exit 81]"
    );
    assert!(line("AccessDeniedException").starts_with(
        "mp-runtime: the DryRun MeterUsage failed (AccessDeniedException: m). Check the task \
         role's aws-marketplace:MeterUsage permission"
    ));
}

/// The rows of docs/troubleshooting.md's start-up table: (exit code, row text).
fn documented_exits() -> Vec<(i32, String)> {
    let doc = include_str!("../../../../docs/troubleshooting.md");
    doc.lines()
        .filter_map(|row| {
            let rest = row.strip_prefix("| ")?;
            let (code, _) = rest.split_once(' ')?;
            Some((code.parse().ok()?, row.to_owned()))
        })
        .collect()
}

#[test]
fn the_troubleshooting_table_has_a_row_for_every_start_up_stop() {
    let rows = documented_exits();
    for rule in RULES {
        let exit_code = match rule.at_start_up {
            AtStartUp::Stop(code) => code,
            AtStartUp::PlatformNotSupported => exit::PLATFORM_NOT_SUPPORTED,
            _ => continue,
        };
        assert!(
            rows.iter()
                .any(|(code, row)| *code == exit_code && row.contains(rule.code)),
            "docs/troubleshooting.md has no exit-{exit_code} row naming {}",
            rule.code
        );
    }
    assert!(
        rows.iter().any(|(code, _)| *code == exit::INTERCEPTED),
        "no exit-92 row"
    );
}

#[test]
fn the_troubleshooting_page_explains_every_hourly_outcome() {
    let doc = include_str!("../../../../docs/troubleshooting.md");
    let running = &doc[doc
        .find("## While running")
        .expect("a while-running section")..];
    // What an hourly MeterUsage can meet: its modelled errors, and the platform refusal.
    let hourly_codes = mp_marketplace_rules::errors::METER_USAGE
        .iter()
        .chain([&mp_marketplace_rules::errors::PLATFORM_NOT_SUPPORTED]);
    for rule in hourly_codes.filter_map(|code| rule(code)) {
        if rule.hourly == Hourly::Retry {
            continue;
        }
        assert!(
            running.contains(rule.code),
            "the while-running section does not name {}",
            rule.code
        );
    }
}
