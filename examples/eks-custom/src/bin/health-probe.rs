//! The image's health check for plain Docker (`HEALTHCHECK`; Kubernetes uses the chart's
//! `httpGet` probes): `GET /health` on loopback. A separate binary, because running the
//! service itself as a check would dry-run its dimensions against AWS Marketplace every time.

fn main() -> std::process::ExitCode {
    mp_runtime::health_probe::run()
}
