//! Production vs local-testing builds. Chosen by the `local-testing` cargo feature, but
//! passed around as a value so both behaviours are unit-tested in every build.

/// How far this build trusts its environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuildMode {
    /// Endpoint pinned to the official regional one; `PlatformNotSupportedException` is fatal.
    Production,
    /// Endpoint overrides honoured (for mp-emulator); unsupported platform is a warning.
    LocalTesting,
}

/// Printed on stderr at every start of a local-testing build, so a build that would let the
/// environment redirect billing cannot ship unnoticed (cargo unifies features across the
/// packages of one build: `cargo build --workspace` can turn the feature on by accident).
pub(crate) const LOCAL_TESTING_NOTICE: &str = "mp-runtime: local-testing build: endpoint \
    overrides from the environment are honoured and PlatformNotSupportedException is only a \
    warning; never ship this build (build your release with -p <package>, without the feature)";

impl BuildMode {
    /// The mode this build of mp-runtime was compiled for.
    pub(crate) const fn current() -> Self {
        if cfg!(feature = "local-testing") {
            BuildMode::LocalTesting
        } else {
            BuildMode::Production
        }
    }
}
