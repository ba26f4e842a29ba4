//! The region, found at run time (never compiled in): `AWS_REGION`, `AWS_DEFAULT_REGION`,
//! ECS task metadata v4, then EC2 instance metadata (IMDSv2).
//!
//! aws-config's own chain has no ECS step and stalls for seconds on a silent IMDS; here the
//! two metadata sources are asked at once with a half-second limit each (ECS's answer wins),
//! and the error lists every source tried.

use crate::env::Env;
use crate::exit;
use crate::failure::{Failure, quoted};
use bytes::Bytes;
use http::header::HOST;
use http::uri::{InvalidUri, Scheme};
use http::{HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Empty, LengthLimitError, Limited};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use std::fmt;
use std::time::Duration;
use tokio::net::TcpStream;

/// How long each metadata source may take. ECS task metadata and IMDS are asked at the same
/// time (ECS's answer still wins), so a chain where nothing answers fails after one limit,
/// not the sum of them.
const METADATA_LIMIT: Duration = Duration::from_millis(500);
const _: () = assert!(
    METADATA_LIMIT.as_millis() <= 1000,
    "the whole chain fails in at most 1 s"
);

const ECS_METADATA_VAR: &str = "ECS_CONTAINER_METADATA_URI_V4";
const IMDS_ENDPOINT_VAR: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
const IMDS_DISABLED_VAR: &str = "AWS_EC2_METADATA_DISABLED";
const IMDS_DEFAULT_ENDPOINT: &str = "http://169.254.169.254";
/// IMDSv2 token lifetime asked for; the token is used once, right away.
const IMDS_TOKEN_TTL_SECS: &str = "60";

/// A region name that passed validation, safe to splice into an endpoint host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Region(String);

impl Region {
    /// Accepts names shaped like `us-east-1`, `us-gov-west-1`, `ap-southeast-4`.
    pub(crate) fn parse(name: &str) -> Option<Region> {
        is_region_name(name).then(|| Region(name.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`, at most 32 bytes: nothing that could move a host name.
fn is_region_name(name: &str) -> bool {
    let lower = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    let parts: Vec<&str> = name.split('-').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return false;
    };
    name.len() <= 32
        && (2..=4).contains(&first.len())
        && lower(first)
        && !middle.is_empty()
        && middle.iter().all(|p| lower(p))
        && (1..=2).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// A region and the source that gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) region: Region,
    pub(crate) source: &'static str,
}

/// Walks the chain; on failure, exit 83 with what each source said.
pub(crate) async fn resolve(env: &dyn Env) -> Result<Resolved, Failure> {
    walk(env)
        .await
        .map_err(|e| Failure::new(exit::NO_REGION, e.to_string()))
}

/// Why the chain gave no region. Display is the operator's line.
#[derive(Debug)]
enum NoRegion {
    /// A region variable is set, to something that is not a region name.
    Malformed { var: &'static str, value: String },
    /// Nothing gave a region: what each source said, in the order tried.
    NotFound(Vec<Miss>),
}

impl fmt::Display for NoRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoRegion::Malformed { var, value } => write!(
                f,
                "{var}={} is not an AWS region name (like us-east-1); fix or unset it",
                quoted(value)
            ),
            NoRegion::NotFound(misses) => {
                f.write_str("no AWS region found: ")?;
                for (i, miss) in misses.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{miss}")?;
                }
                f.write_str(
                    ". Set AWS_REGION to the region the task runs in (ECS and EKS set it for you)",
                )
            }
        }
    }
}

/// What one source said instead of a region.
#[derive(Debug)]
enum Miss {
    VarUnset(&'static str),
    EcsUnset,
    ImdsDisabled,
    Ecs { url: String, why: Unanswered },
    Imds { endpoint: String, why: Unanswered },
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Miss::VarUnset(var) => write!(f, "{var}: not set"),
            Miss::EcsUnset => write!(f, "ECS task metadata: {ECS_METADATA_VAR} not set"),
            Miss::ImdsDisabled => write!(
                f,
                "EC2 instance metadata: disabled by {IMDS_DISABLED_VAR}=true"
            ),
            Miss::Ecs { url, why } => write!(f, "ECS task metadata ({url}): {why}"),
            Miss::Imds { endpoint, why } => {
                write!(f, "EC2 instance metadata ({endpoint}): {why}")
            }
        }
    }
}

/// Why a metadata endpoint gave no region.
#[derive(Debug)]
enum Unanswered {
    /// The address is not a URL the client can ask.
    BadUrl(String),
    /// Not plain http: the metadata endpoints are link-local and speak nothing else.
    NotHttp,
    /// The request failed: the innermost cause ("Connection refused (os error 111)").
    Transport(String),
    TimedOut(Duration),
    Status(u16),
    TooLong,
    NotJson(String),
    NoTaskArn,
    NoRegionInArn(String),
    NotARegion(String),
    BadToken,
}

impl fmt::Display for Unanswered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unanswered::BadUrl(why) => write!(f, "not a usable URL ({why})"),
            Unanswered::NotHttp => f.write_str("not an http:// URL"),
            Unanswered::Transport(why) => f.write_str(why),
            Unanswered::TimedOut(limit) => {
                write!(f, "no answer within {} ms", limit.as_millis())
            }
            Unanswered::Status(status) => write!(f, "answered HTTP {status}"),
            Unanswered::TooLong => {
                write!(f, "answered more than {} KiB", MAX_METADATA_BYTES / 1024)
            }
            Unanswered::NotJson(why) => {
                write!(f, "answered something that is not JSON ({why})")
            }
            Unanswered::NoTaskArn => f.write_str("answered without a TaskARN"),
            Unanswered::NoRegionInArn(arn) => {
                write!(f, "TaskARN {} holds no valid region", quoted(arn))
            }
            Unanswered::NotARegion(answer) => {
                write!(f, "answered {}, not a region name", quoted(answer))
            }
            Unanswered::BadToken => f.write_str("answered a token that is not a header value"),
        }
    }
}

/// The region variables only: where no metadata service exists (outside AWS compute), the
/// deployment must say its region, and saying nothing is exit 83 at once, with `why`.
#[cfg(feature = "contract")]
pub(crate) fn configured(env: &dyn Env, why: &str) -> Result<Resolved, Failure> {
    let mut tried = Vec::new();
    variables(env, &mut tried)
        .unwrap_or(Err(NoRegion::NotFound(tried)))
        .map_err(|e| match e {
            NoRegion::NotFound(_) => Failure::new(
                exit::NO_REGION,
                format!("no AWS region: AWS_REGION and AWS_DEFAULT_REGION are not set, {why}"),
            ),
            malformed => Failure::new(exit::NO_REGION, malformed.to_string()),
        })
}

/// `AWS_REGION`, then `AWS_DEFAULT_REGION`; `None` when neither is set (each noted in
/// `tried`).
fn variables(env: &dyn Env, tried: &mut Vec<Miss>) -> Option<Result<Resolved, NoRegion>> {
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        match env.var(var) {
            // A set but malformed variable is an error, not a reason to look elsewhere.
            Some(value) => {
                return Some(
                    Region::parse(&value)
                        .map(|region| Resolved {
                            region,
                            source: var,
                        })
                        .ok_or(NoRegion::Malformed { var, value }),
                );
            }
            None => tried.push(Miss::VarUnset(var)),
        }
    }
    None
}

async fn walk(env: &dyn Env) -> Result<Resolved, NoRegion> {
    let mut tried = Vec::new();
    if let Some(resolved) = variables(env, &mut tried) {
        return resolved;
    }

    let ecs = async {
        let uri = env.var(ECS_METADATA_VAR).ok_or(Miss::EcsUnset)?;
        let url = format!("{}/task", uri.trim_end_matches('/'));
        match bounded(METADATA_LIMIT, ecs_region(&url)).await {
            Ok(region) => Ok(region),
            Err(why) => Err(Miss::Ecs { url, why }),
        }
    };
    let imds = async {
        if env
            .var(IMDS_DISABLED_VAR)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            return Err(Miss::ImdsDisabled);
        }
        let endpoint = env
            .var(IMDS_ENDPOINT_VAR)
            .unwrap_or_else(|| IMDS_DEFAULT_ENDPOINT.to_owned());
        let endpoint = endpoint.trim_end_matches('/').to_owned();
        match bounded(METADATA_LIMIT, imds_region(&endpoint)).await {
            Ok(region) => Ok(region),
            Err(why) => Err(Miss::Imds { endpoint, why }),
        }
    };
    let (ecs, imds) = first_by_priority(ecs, imds).await;
    match ecs {
        Ok(region) => {
            return Ok(Resolved {
                region,
                source: "ECS task metadata",
            });
        }
        Err(why) => tried.push(why),
    }
    match imds.expect("the second source runs to the end when the first fails") {
        Ok(region) => {
            return Ok(Resolved {
                region,
                source: "EC2 instance metadata",
            });
        }
        Err(why) => tried.push(why),
    }
    Err(NoRegion::NotFound(tried))
}

/// Runs both sources at once and returns `first`'s outcome, with `second`'s when `first`
/// failed (`None` when `first` succeeded: `second` is dropped then, answered or not).
async fn first_by_priority<T, E>(
    first: impl Future<Output = Result<T, E>>,
    second: impl Future<Output = Result<T, E>>,
) -> (Result<T, E>, Option<Result<T, E>>) {
    let mut first = std::pin::pin!(first);
    let mut second = std::pin::pin!(second);
    let mut second_done = None;
    let first_outcome = loop {
        tokio::select! {
            outcome = &mut first => break outcome,
            outcome = &mut second, if second_done.is_none() => second_done = Some(outcome),
        }
    };
    if first_outcome.is_ok() {
        return (first_outcome, None);
    }
    let second_outcome = match second_done {
        Some(outcome) => outcome,
        None => second.await,
    };
    (first_outcome, Some(second_outcome))
}

/// Runs one metadata source within `limit`, naming the limit when it runs out.
async fn bounded(
    limit: Duration,
    source: impl Future<Output = Result<Region, Unanswered>>,
) -> Result<Region, Unanswered> {
    match tokio::time::timeout(limit, source).await {
        Ok(result) => result,
        Err(_) => Err(Unanswered::TimedOut(limit)),
    }
}

/// The most a metadata answer may hold. ECS task metadata lists every container of the task
/// (a few KiB); anything near this is not a metadata endpoint.
const MAX_METADATA_BYTES: usize = 1024 * 1024;

/// One plain-http request to a metadata endpoint on a connection of its own, with hyper's
/// HTTP/1 client (linked already for the AWS SDK) on a tokio socket; the body of a 2xx answer,
/// as text. No proxy is ever used: metadata is link-local, a proxy would only leak or stall it.
async fn ask(
    method: Method,
    url: &str,
    header: Option<(&'static str, &str)>,
) -> Result<String, Unanswered> {
    let uri: Uri = url
        .parse()
        .map_err(|e: InvalidUri| Unanswered::BadUrl(e.to_string()))?;
    if uri.scheme() != Some(&Scheme::HTTP) {
        return Err(Unanswered::NotHttp);
    }
    let authority = uri
        .authority()
        .ok_or_else(|| Unanswered::BadUrl("no host".to_owned()))?;
    let host = authority.host();
    let port = authority.port_u16().unwrap_or(80);
    let mut request = Request::builder()
        .method(method)
        .uri(uri.path_and_query().map_or("/", |p| p.as_str()))
        // host[:port] as written, without any userinfo.
        .header(HOST, authority.as_str().rsplit('@').next().unwrap_or(host));
    if let Some((name, value)) = header {
        let value = HeaderValue::from_str(value).map_err(|_| Unanswered::BadToken)?;
        request = request.header(name, value);
    }
    let request = request
        .body(Empty::<Bytes>::new())
        .map_err(|e| Unanswered::BadUrl(e.to_string()))?;

    let unbracketed = host.trim_start_matches('[').trim_end_matches(']');
    let stream = TcpStream::connect((unbracketed, port))
        .await
        .map_err(|e| Unanswered::Transport(e.to_string()))?;
    let (mut sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| Unanswered::Transport(root_cause(&e)))?;
    // Reads and writes the socket; ends when the answer is read and `sender` dropped, or when
    // this request is (a timeout): hyper closes a connection whose caller went away.
    tokio::spawn(connection);
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| Unanswered::Transport(root_cause(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(Unanswered::Status(status.as_u16()));
    }
    let body = Limited::new(response.into_body(), MAX_METADATA_BYTES)
        .collect()
        .await
        .map_err(|e| match e.downcast_ref::<LengthLimitError>() {
            Some(_) => Unanswered::TooLong,
            None => Unanswered::Transport(root_cause(e.as_ref())),
        })?
        .to_bytes();
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// ECS task metadata v4: the region is the 4th `:` field of `TaskARN`.
async fn ecs_region(url: &str) -> Result<Region, Unanswered> {
    let body = ask(Method::GET, url, None).await?;
    let task: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| Unanswered::NotJson(e.to_string()))?;
    let arn = task
        .get("TaskARN")
        .and_then(|v| v.as_str())
        .ok_or(Unanswered::NoTaskArn)?;
    let region = arn.split(':').nth(3).unwrap_or_default();
    Region::parse(region).ok_or_else(|| Unanswered::NoRegionInArn(arn.to_owned()))
}

/// IMDSv2: a session token first, then the placement region.
async fn imds_region(endpoint: &str) -> Result<Region, Unanswered> {
    let token = ask(
        Method::PUT,
        &format!("{endpoint}/latest/api/token"),
        Some(("x-aws-ec2-metadata-token-ttl-seconds", IMDS_TOKEN_TTL_SECS)),
    )
    .await?;
    let region = ask(
        Method::GET,
        &format!("{endpoint}/latest/meta-data/placement/region"),
        Some(("x-aws-ec2-metadata-token", token.trim())),
    )
    .await?;
    let region = region.trim();
    Region::parse(region).ok_or_else(|| Unanswered::NotARegion(region.to_owned()))
}

/// The innermost cause ("Connection refused (os error 111)"), not the client's wrapper.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env_of;
    use crate::test_http::StubServer;

    fn run<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn region_names() {
        for good in [
            "us-east-1",
            "us-gov-west-1",
            "ap-southeast-4",
            "cn-north-1",
            "eusc-de-east-1",
        ] {
            assert!(Region::parse(good).is_some(), "{good}");
        }
        for bad in [
            "",
            "evil.example/x",
            "us-east-1.evil.example",
            "us-east-1/",
            "US-EAST-1",
            "us-east",
            "useast1",
            "us--1",
            "us-east-",
            "u-east-1",
            "us-east-100",
            "us-east-1\n",
            "us-east-1 ",
        ] {
            assert!(Region::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[cfg(feature = "contract")]
    #[test]
    fn outside_aws_only_the_variables_are_asked_and_none_is_exit_83_at_once() {
        let why = "and a license token marks a deployment outside AWS";
        let env = env_of(&[("AWS_DEFAULT_REGION", "eu-west-1")]);
        assert_eq!(configured(&env, why).unwrap().region.as_str(), "eu-west-1");
        let failure = configured(&env_of(&[]), why).unwrap_err();
        assert_eq!(failure.code, exit::NO_REGION);
        assert_eq!(
            failure.message,
            "no AWS region: AWS_REGION and AWS_DEFAULT_REGION are not set, and a license \
             token marks a deployment outside AWS"
        );
        let bad = configured(&env_of(&[("AWS_REGION", "moon-1")]), why).unwrap_err();
        assert!(
            bad.to_string().contains("is not an AWS region name"),
            "{bad}"
        );
    }

    #[test]
    fn aws_region_wins_over_default_region() {
        let env = env_of(&[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
        ]);
        let resolved = run(resolve(&env)).unwrap();
        assert_eq!(
            (resolved.region.as_str(), resolved.source),
            ("eu-west-1", "AWS_REGION")
        );
    }

    #[test]
    fn default_region_is_second() {
        let env = env_of(&[
            ("AWS_DEFAULT_REGION", "ap-south-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]);
        let resolved = run(resolve(&env)).unwrap();
        assert_eq!(
            (resolved.region.as_str(), resolved.source),
            ("ap-south-1", "AWS_DEFAULT_REGION")
        );
    }

    #[test]
    fn hostile_region_is_rejected_not_used() {
        let env = env_of(&[
            ("AWS_REGION", "evil.example/x"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
        ]);
        let failure = run(resolve(&env)).unwrap_err();
        assert_eq!(failure.code, exit::NO_REGION);
        assert_eq!(
            failure.message,
            "AWS_REGION=\"evil.example/x\" is not an AWS region name (like us-east-1); fix or unset it"
        );
    }

    #[test]
    fn ecs_task_metadata_gives_the_region() {
        run(async {
            let ecs = StubServer::start(|req| match req.path.as_str() {
                "/v4/abc/task" => Some((
                    200,
                    r#"{"TaskARN":"arn:aws:ecs:eu-central-1:111122223333:task/c/1"}"#.into(),
                )),
                _ => None,
            })
            .await;
            let env = env_of(&[
                (
                    "ECS_CONTAINER_METADATA_URI_V4",
                    &format!("{}/v4/abc", ecs.url()),
                ),
                ("AWS_EC2_METADATA_DISABLED", "true"),
            ]);
            let resolved = resolve(&env).await.unwrap();
            assert_eq!(
                (resolved.region.as_str(), resolved.source),
                ("eu-central-1", "ECS task metadata")
            );
        });
    }

    fn imds_stub()
    -> impl Fn(&crate::test_http::Request) -> Option<(u16, String)> + Send + Sync + 'static {
        |req| match (req.method.as_str(), req.path.as_str()) {
            ("PUT", "/latest/api/token")
                if req.header("x-aws-ec2-metadata-token-ttl-seconds").is_some() =>
            {
                Some((200, "tok-1".into()))
            }
            ("GET", "/latest/meta-data/placement/region")
                if req.header("x-aws-ec2-metadata-token") == Some("tok-1") =>
            {
                Some((200, "sa-east-1".into()))
            }
            _ => Some((401, String::new())),
        }
    }

    /// Resolves with ECS task metadata answering as `ecs` does and IMDS answering `sa-east-1`;
    /// gives the region and the source that supplied it.
    fn resolve_beside_imds(
        ecs: impl Fn(&crate::test_http::Request) -> Option<(u16, String)> + Send + Sync + 'static,
    ) -> (String, &'static str) {
        run(async {
            let ecs = StubServer::start(ecs).await;
            let imds = StubServer::start(imds_stub()).await;
            let env = env_of(&[
                ("ECS_CONTAINER_METADATA_URI_V4", &ecs.url()),
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url()),
            ]);
            let resolved = resolve(&env).await.unwrap();
            (resolved.region.as_str().to_owned(), resolved.source)
        })
    }

    #[test]
    fn imdsv2_gives_the_region_after_a_failing_ecs_endpoint() {
        assert_eq!(
            resolve_beside_imds(|_| Some((404, String::new()))),
            ("sa-east-1".to_owned(), "EC2 instance metadata")
        );
    }

    #[test]
    fn ecs_task_metadata_wins_when_both_sources_answer() {
        let ecs = |_: &crate::test_http::Request| {
            Some((
                200,
                r#"{"TaskARN":"arn:aws:ecs:eu-central-1:111122223333:task/c/1"}"#.into(),
            ))
        };
        assert_eq!(
            resolve_beside_imds(ecs),
            ("eu-central-1".to_owned(), "ECS task metadata")
        );
    }

    #[test]
    fn imds_answers_while_ecs_task_metadata_stays_silent() {
        assert_eq!(
            resolve_beside_imds(|_| None),
            ("sa-east-1".to_owned(), "EC2 instance metadata")
        );
    }

    #[test]
    fn metadata_with_a_hostile_region_is_not_used() {
        run(async {
            let ecs = StubServer::start(|_| {
                Some((
                    200,
                    r#"{"TaskARN":"arn:aws:ecs:evil.example/x:1:task/1"}"#.into(),
                ))
            })
            .await;
            let env = env_of(&[
                ("ECS_CONTAINER_METADATA_URI_V4", &ecs.url()),
                ("AWS_EC2_METADATA_DISABLED", "true"),
            ]);
            let failure = resolve(&env).await.unwrap_err();
            assert!(
                failure.message.contains("holds no valid region"),
                "{}",
                failure.message
            );
        });
    }

    #[test]
    fn silent_sources_fail_with_every_source_listed() {
        run(async {
            // Accepts connections and never answers: the slow failure aws-config stalls on.
            let silent = StubServer::start(|_| None).await;
            let env = env_of(&[
                ("ECS_CONTAINER_METADATA_URI_V4", &silent.url()),
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &silent.url()),
            ]);
            let failure = resolve(&env).await.unwrap_err();
            assert_eq!(failure.code, exit::NO_REGION);
            let m = &failure.message;
            assert!(
                m.starts_with(
                    "no AWS region found: AWS_REGION: not set; AWS_DEFAULT_REGION: not set; "
                ),
                "{m}"
            );
            assert!(
                m.contains(&format!(
                    "ECS task metadata ({}/task): no answer within 500 ms",
                    silent.url()
                )),
                "{m}"
            );
            assert!(
                m.contains(&format!(
                    "EC2 instance metadata ({}): no answer within",
                    silent.url()
                )),
                "{m}"
            );
            // The sources run at the same time: the longest limit bounds the chain.
            let limits: Vec<u128> = m
                .split("no answer within ")
                .skip(1)
                .map(|rest| rest.split(' ').next().unwrap().parse::<u128>().unwrap())
                .collect();
            assert_eq!(limits.len(), 2, "{m}");
            assert!(limits.iter().all(|&limit| limit <= 1000), "{m}");
        });
    }

    /// What the chain says about ECS task metadata at `uri`, IMDS disabled.
    fn ecs_miss(uri: &str) -> String {
        let env = env_of(&[
            ("ECS_CONTAINER_METADATA_URI_V4", uri),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]);
        let message = run(resolve(&env)).unwrap_err().message;
        let start = message.find("ECS task metadata (").expect(&message);
        let end = message.find("; EC2 instance metadata").expect(&message);
        message[start..end].to_owned()
    }

    #[test]
    fn a_refused_connection_is_named_by_its_cause() {
        // Bound and closed at once: nothing listens on the port.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let miss = ecs_miss(&format!("http://127.0.0.1:{port}/v4"));
        // The OS's own words ("Connection refused (os error 111)"), not the client's wrapper.
        assert!(
            miss.starts_with(&format!(
                "ECS task metadata (http://127.0.0.1:{port}/v4/task): Connection refused (os error "
            )),
            "{miss}"
        );
    }

    #[test]
    fn only_plain_http_metadata_addresses_are_asked() {
        assert_eq!(
            ecs_miss("https://127.0.0.1:1/v4"),
            "ECS task metadata (https://127.0.0.1:1/v4/task): not an http:// URL"
        );
        let junk = ecs_miss("not a url");
        assert!(
            junk.starts_with("ECS task metadata (not a url/task): not a usable URL ("),
            "{junk}"
        );
    }

    #[test]
    fn an_oversized_answer_is_not_read_to_the_end() {
        run(async {
            let ecs = StubServer::start(|_| Some((200, " ".repeat(MAX_METADATA_BYTES + 1)))).await;
            let env = env_of(&[
                ("ECS_CONTAINER_METADATA_URI_V4", &ecs.url()),
                ("AWS_EC2_METADATA_DISABLED", "true"),
            ]);
            let failure = resolve(&env).await.unwrap_err();
            assert!(
                failure
                    .message
                    .contains("/task): answered more than 1024 KiB;"),
                "{}",
                failure.message
            );
        });
    }

    #[test]
    fn nothing_configured_lists_each_source() {
        let env = env_of(&[("AWS_EC2_METADATA_DISABLED", "TRUE")]);
        let failure = run(resolve(&env)).unwrap_err();
        assert_eq!(
            failure.message,
            "no AWS region found: AWS_REGION: not set; AWS_DEFAULT_REGION: not set; \
             ECS task metadata: ECS_CONTAINER_METADATA_URI_V4 not set; \
             EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED=true. \
             Set AWS_REGION to the region the task runs in (ECS and EKS set it for you)"
        );
    }
}
