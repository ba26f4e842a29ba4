//! The image's health check (`HEALTHCHECK`, the task definition's `healthCheck`): `GET /health`
//! on loopback. A separate binary, because running the service itself as a check would check
//! a license out every time.

fn main() -> std::process::ExitCode {
    mp_runtime::health_probe::run()
}
