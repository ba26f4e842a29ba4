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
